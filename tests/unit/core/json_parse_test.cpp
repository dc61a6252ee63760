#include "llmwire/json_parse.hpp"

#include <doctest/doctest.h>

#include <string>

using llmwire::ErrorKind;
namespace json = llmwire::json;

namespace {

std::string nested_arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string nested_objects(std::size_t depth) {
  std::string out;
  for (std::size_t i = 0; i < depth; ++i) out += "{\"a\":";
  out += "1";
  out += std::string(depth, '}');
  return out;
}

}  // namespace

TEST_CASE("json::parse builds the same value as nlohmann's own parser") {
  const std::string text =
      R"({"a":[1,-2,3.5,"x\u00e9",true,false,null,{"b":{}}],"n":18446744073709551615,)"
      R"("dup":1,"dup":2,"s":"\ud83d\ude80","e":[]})";
  auto ours = json::parse(text);
  REQUIRE(ours);
  CHECK(*ours == nlohmann::json::parse(text));  // also pins "the last duplicate key wins"
  CHECK((*ours)["dup"] == 2);
  CHECK((*ours)["n"].is_number_unsigned());
}

TEST_CASE("json::parse accepts max_depth levels and refuses one more, at any shape") {
  CHECK(json::parse(nested_arrays(json::max_depth)));
  CHECK(json::parse(nested_objects(json::max_depth)));
  for (const std::string& deep :
       {nested_arrays(json::max_depth + 1), nested_objects(json::max_depth + 1)}) {
    auto r = json::parse(deep);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::parse);
    CHECK(r.error().message == "JSON nesting deeper than 512 levels");
  }
  auto three = json::parse("[[[1]]]", {.max_depth = 2});
  REQUIRE_FALSE(three);
  CHECK(three.error().message.find("deeper than 2") != std::string::npos);
}

TEST_CASE("json::parse survives 1M levels of nesting (it used to be copied recursively)") {
  // 2 MB of '[': the parse stops at level 513 without building anything deep.
  auto r = json::parse(nested_arrays(1'000'000));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("deeper than") != std::string::npos);
}

TEST_CASE("json::parse reports syntax errors with nlohmann's position, never throws") {
  for (const char* bad :
       {"", "{", "{\"a\":}", "[1,]", "nul", "{\"a\":1} x", "\"\\ud800\"", "1e400", "[1e400]"}) {
    CAPTURE(bad);
    auto r = json::parse(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::parse);
    CHECK_FALSE(r.error().message.empty());
  }
  auto r = json::parse("{\"a\":}");
  CHECK(r.error().message.find("column 6") != std::string::npos);
}

TEST_CASE("replace_unrepresentable: lone surrogates become U+FFFD, overflowing numbers null") {
  json::ParseOptions lenient{.replace_unrepresentable = true};
  auto surrogate = json::parse(R"({"t":"a\ud800b","ok":"\ud83d\ude80","low":"\udc00"})", lenient);
  REQUIRE(surrogate);
  CHECK((*surrogate)["t"] ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK((*surrogate)["ok"] == "\xF0\x9F\x9A\x80");  // a proper pair is untouched
  CHECK((*surrogate)["low"] == "\xEF\xBF\xBD");

  auto number = json::parse(R"({"x":1e400,"y":-1e400,"z":1e-400,"s":"1e400","i":12})", lenient);
  REQUIRE(number);
  CHECK((*number)["x"].is_null());
  CHECK((*number)["y"].is_null());
  CHECK((*number)["z"] == 0.0);      // underflow is representable (as 0)
  CHECK((*number)["s"] == "1e400");  // inside a string: text, unchanged
  CHECK((*number)["i"] == 12);

  // Other errors stay errors: the rewrite never invents structure.
  CHECK_FALSE(json::parse(R"({"x":1e400,})", lenient));
  CHECK_FALSE(json::parse("\"\\ud800", lenient));
  // Without the option the strict answer holds.
  CHECK_FALSE(json::parse(R"({"x":1e400})"));
}

TEST_CASE("json::depth counts levels without recursion") {
  CHECK(json::depth(nlohmann::json(1)) == 0);
  CHECK(json::depth(nlohmann::json::array()) == 1);
  CHECK(json::depth(nlohmann::json::parse(R"({"a":[1,{"b":[]}],"c":{}})")) == 4);
  // Built by hand 100k deep (destroying it is iterative in nlohmann ≥ 3.10).
  nlohmann::json deep = nlohmann::json::array();
  for (int i = 0; i < 100'000; ++i) deep = nlohmann::json::array({std::move(deep)});
  CHECK(json::depth(deep) == 100'001);
}
