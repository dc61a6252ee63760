#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <string>

#include "llmwire/json.hpp"

using llmwire::ErrorKind;
using nlohmann::json;
namespace lj = llmwire::json;

namespace {

json repaired(std::string_view text) {
  auto r = lj::repair(text);
  REQUIRE_MESSAGE(r.has_value(), "repair failed for: ", std::string(text), " — ",
                  (r ? std::string() : r.error().message));
  return r->value;
}

bool has_repair(const lj::Repaired& r, std::string_view needle) {
  return std::any_of(r.repairs.begin(), r.repairs.end(),
                     [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

// The vectors compare numbers numerically (2 == 2.0), like the Python checker.
bool json_equal(const json& a, const json& b) {
  if (a.is_number() && b.is_number() && !a.is_boolean() && !b.is_boolean()) {
    double x = a.get<double>(), y = b.get<double>();
    return std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y)) + 1e-12;
  }
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it)
      if (!b.contains(it.key()) || !json_equal(it.value(), b.at(it.key()))) return false;
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!json_equal(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

}  // namespace

TEST_CASE("strict JSON takes the fast path and reports no repairs") {
  auto r = lj::repair(R"({"a": [1, 2.5, "x"], "b": {"c": null, "d": true}})");
  REQUIRE(r);
  CHECK(r->repairs.empty());
  CHECK(r->value == json::parse(R"({"a":[1,2.5,"x"],"b":{"c":null,"d":true}})"));
  auto bom = lj::repair("\xEF\xBB\xBF[1]");
  REQUIRE(bom);
  CHECK(bom->value == json::array({1}));
}

TEST_CASE("markdown fences and prose around the value") {
  CHECK(repaired("```json\n{\"a\": 1}\n```") == json{{"a", 1}});
  CHECK(repaired("```{\"a\":\"b\"}```") == json{{"a", "b"}});
  CHECK(repaired("Here you go:\n```json\n[1, 2]\n```\nAnything else?") == json::array({1, 2}));
  CHECK(repaired("The answer is {\"city\": \"Paris\"} as requested.") == json{{"city", "Paris"}});
  // Prose with a parenthesis before the fence must not be read as a tuple.
  CHECK(repaired("Note (see below):\n```json\n{\"k\": \"v\"}\n```") == json{{"k", "v"}});
  // A truncated value inside a fence stops at the closing fence.
  CHECK(repaired("```json\n{\"a\": [1, 2\n```") == json{{"a", {1, 2}}});
  auto r = lj::repair("Sure:\n```json\n{\"a\": 1}\n```");
  REQUIRE(r);
  CHECK(has_repair(*r, "fence"));
  CHECK(has_repair(*r, "prose"));
}

TEST_CASE("a key whose closing quote was dropped before the colon (the seeds' properties)") {
  CHECK(repaired(R"({"type": "object", "properties: {}})") ==
        json{{"type", "object"}, {"properties", json::object()}});
  CHECK(repaired(R"({"properties: {}, "required": ["a"]})") ==
        json{{"properties", json::object()}, {"required", {"a"}}});
  CHECK(repaired(R"({"name": "x", "description: "a tool"})") ==
        json{{"name", "x"}, {"description", "a tool"}});
  // A legitimate colon inside a key is left alone.
  CHECK(repaired(R"({"12:30": "lunch",})") == json{{"12:30", "lunch"}});
}

TEST_CASE("quotes: single, typographic, missing, inner and escaped") {
  CHECK(repaired("{'a': 'b'}") == json{{"a", "b"}});
  CHECK(repaired("{\xE2\x80\x9C"
                 "a\xE2\x80\x9D: \xE2\x80\x98"
                 "b\xE2\x80\x99}") == json{{"a", "b"}});
  CHECK(repaired(R"({a: b, c: 2})") == json{{"a", "b"}, {"c", 2}});
  CHECK(repaired(R"({"a":foo","b":"bar"})") == json{{"a", "foo"}, {"b", "bar"}});
  CHECK(repaired(R"({"a":"b,"c":"d"})") == json{{"a", "b"}, {"c", "d"}});
  CHECK(repaired(R"({"text": "He said "hi" to me"})") == json{{"text", "He said \"hi\" to me"}});
  CHECK(repaired(R"({\"key\": \"value\"})") == json{{"key", "value"}});
  CHECK(repaired(R"({'a': 'don\'t'})") == json{{"a", "don't"}});
  CHECK(repaired(R"({"url": https://example.com/a?b=1})") ==
        json{{"url", "https://example.com/a?b=1"}});
}

TEST_CASE("trailing, leading and missing commas; missing colons and values; ellipsis") {
  CHECK(repaired("[1, 2, 3,]") == json::array({1, 2, 3}));
  CHECK(repaired("{\"a\": 1,}") == json{{"a", 1}});
  CHECK(repaired("[,1]") == json::array({1}));
  CHECK(repaired("[1 2 3]") == json::array({1, 2, 3}));
  CHECK(repaired("{\"a\": 1\n\"b\": 2}") == json{{"a", 1}, {"b", 2}});
  CHECK(repaired("{\"a\" 2}") == json{{"a", 2}});
  CHECK(repaired("{\"a\":}") == json{{"a", nullptr}});
  CHECK(repaired("{\"a\":,\"b\":2}") == json{{"a", nullptr}, {"b", 2}});
  CHECK(repaired("[1, 2, ...]") == json::array({1, 2}));
  CHECK(repaired("{\"a\":1}}") == json{{"a", 1}});
}

TEST_CASE("comments of every kind") {
  CHECK(repaired("{\n // c\n \"a\": 1, /* b */ \"b\": 2 # py\n}") == json{{"a", 1}, {"b", 2}});
  auto r = lj::repair("[1, /* x */ 2]");
  REQUIRE(r);
  CHECK(has_repair(*r, "comments"));
}

TEST_CASE("Python and JavaScript literals") {
  CHECK(repaired("{'ok': True, 'no': False, 'x': None}") ==
        json{{"ok", true}, {"no", false}, {"x", nullptr}});
  CHECK(repaired("{\"a\": undefined}") == json{{"a", nullptr}});
  CHECK(repaired("(1, 2)") == json::array({1, 2}));
  CHECK(repaired("{\"a\": TRUE, \"b\": Null, \"c\": FALSE}") ==
        json{{"a", true}, {"b", nullptr}, {"c", false}});
  // A number missing its opening quote keeps its value; its stray closing quote goes.
  CHECK(repaired(R"({"n": 12345", "w": abc"})") == json{{"n", 12345}, {"w", "abc"}});
  // A word that only starts like a literal stays a string.
  CHECK(repaired("{\"a\": nullable}") == json{{"a", "nullable"}});
}

TEST_CASE("raw newlines, control characters and bad escapes inside strings") {
  CHECK(repaired("{\"code\": \"a\nb\tc\"}") == json{{"code", "a\nb\tc"}});
  CHECK(repaired(std::string("[\"x\x01y\"]")) == json::array({"x\x01y"}));
  CHECK(repaired(R"({"path": "C:\Users\me"})") == json{{"path", "C:\\Users\\me"}});
  // Lone surrogates cannot be represented; they become U+FFFD instead of failing.
  CHECK(repaired(R"(["\ud800x",)") == json::array({"\xEF\xBF\xBDx"}));
  auto bad = lj::repair(R"("\uZ000")");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::parse);
  CHECK(bad.error().message.find("unicode") != std::string::npos);
}

TEST_CASE("truncated strings, numbers, arrays and objects are closed") {
  CHECK(repaired("{\"a\": \"hel") == json{{"a", "hel"}});
  CHECK(repaired("{\"a\": [1, {\"b\": 2") == json{{"a", {1, {{"b", 2}}}}});
  CHECK(repaired("{\"a\":2.") == json{{"a", 2.0}});
  CHECK(repaired("{\"a\":2e") == json{{"a", 2.0}});
  CHECK(repaired("{\"a\":-") == json{{"a", 0}});
  CHECK(repaired("{\"foo\"") == json{{"foo", nullptr}});
  CHECK(repaired("{\"a\": \"x\\u00") == json{{"a", "x"}});
  CHECK(repaired("{\"text\": \"\xE0\xA4\xA8\xE0\xA4\xAE") ==
        json{{"text", "\xE0\xA4\xA8\xE0\xA4\xAE"}});
  CHECK(repaired("[\"a\", \"b") == json::array({"a", "b"}));
  auto r = lj::repair("[[1, 2");
  REQUIRE(r);
  CHECK(has_repair(*r, "closed"));
}

TEST_CASE("several values one after another become an array") {
  CHECK(repaired("{\"a\":1}\n{\"b\":2}") == json::array({json{{"a", 1}}, json{{"b", 2}}}));
  CHECK(repaired("{\"a\":1}{\"b\":2}") == json::array({json{{"a", 1}}, json{{"b", 2}}}));
  CHECK(repaired("```json\n{\"a\":1}\n```\ntext\n```json\n[2]\n```") ==
        json::array({json{{"a", 1}}, json::array({2})}));
  // Prose after a value is ignored rather than turned into more values.
  CHECK(repaired("{\"a\":1}\nThat is all.") == json{{"a", 1}});
}

TEST_CASE("think blocks before the answer are skipped") {
  CHECK(repaired("<think>maybe {\"x\": 0}?</think>\n{\"a\": 1}") == json{{"a", 1}});
}

TEST_CASE("hopeless input is an error value, never an exception") {
  for (std::string_view text : {"", "   \n\t ", "hello world", "I cannot help with that."}) {
    auto r = lj::repair(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::parse);
    CHECK_FALSE(r.error().message.empty());
  }
}

TEST_CASE("nesting depth is bounded on both paths") {
  std::string deep_valid = std::string(600, '[') + std::string(600, ']');
  auto a = lj::repair(deep_valid);
  REQUIRE_FALSE(a);
  CHECK(a.error().message.find("nesting") != std::string::npos);
  auto b = lj::repair(std::string(100000, '['));  // truncated: repair path
  REQUIRE_FALSE(b);
  CHECK(b.error().message.find("nesting") != std::string::npos);
  auto c = lj::repair(std::string(40, '[') + std::string(40, ']'), {.max_depth = 40});
  CHECK(c.has_value());
  // A caller asking for more than the library-wide limit gets the limit: the repairer recurses
  // once per level, and `llmwire repair --max-depth 100000000` used to let it overflow the stack.
  for (std::string deep :
       {std::string(100'000, '[') + std::string(100'000, ']'), std::string(100'000, '[') + "1"}) {
    auto d = lj::repair(deep, {.max_depth = 100'000'000});
    REQUIRE_FALSE(d);
    CHECK(d.error().message.find("512") != std::string::npos);
  }
}

TEST_CASE("invalid UTF-8 is replaced, not passed through") {
  auto r = lj::repair("{\"a\": \"x\xFFy\"}");
  REQUIRE(r);
  CHECK(r->value["a"] == "x\xEF\xBF\xBDy");
  CHECK(has_repair(*r, "UTF-8"));
}

TEST_CASE("pathological inputs stay linear") {
  // Each of these would be quadratic for a parser that rescans from the start per token.
  const std::size_t n = 200000;
  std::vector<std::string> inputs;
  std::string a = "[";
  for (std::size_t i = 0; i < n; ++i) a += "\"x\",";
  inputs.push_back(a);  // truncated array of strings
  std::string b = "{";
  for (std::size_t i = 0; i < n; ++i) b += "\"k" + std::to_string(i) + ": 1, ";
  inputs.push_back(b);  // keys missing their closing quote
  std::string q = "[\"";
  for (std::size_t i = 0; i < n; ++i) q += "a\" ";
  inputs.push_back(q);  // one string with many inner quotes
  std::string c = "\"a\"";
  for (std::size_t i = 0; i < n; ++i) c += " + \"a\"";
  inputs.push_back(c);  // long string concatenation: must not recurse per `+`
  for (const auto& input : inputs) {
    auto start = std::chrono::steady_clock::now();
    auto r = lj::repair(input);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(r.has_value());
    CHECK(seconds < 5.0);
  }
  CHECK(repaired(c).get<std::string>().size() == n + 1);
}

TEST_CASE("every strict public repair vector passes through the library") {
  std::ifstream in(LLMWIRE_TEST_FIXTURES_DIR "/repair_vectors.public.jsonl");
  REQUIRE(in);
  std::string line;
  int strict = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json v = json::parse(line);
    if (!v.value("strict", true)) continue;
    ++strict;
    auto r = lj::repair(v["input"].get<std::string>());
    INFO(v["id"].get<std::string>());
    if (v["expect"].is_null()) {
      CHECK_FALSE(r.has_value());
    } else {
      REQUIRE(r.has_value());
      CHECK(json_equal(r->value, v["expect"]));
    }
  }
  CHECK(strict > 40);
}
