// The structured signal the profile parsers take from json::repair (Repaired::kinds and
// Repaired::truncated) instead of matching the wording of its messages, and how the hermes
// and qwen3-coder parsers act on it.

#include <doctest/doctest.h>

#include "llmwire/json.hpp"
#include "parse_helpers.hpp"

using llmwire::ToolSpec;
using llmwire::json::RepairKind;
using llmwire::test::run_parser;

TEST_CASE("repair: kinds match the messages one to one; truncated marks completed cut-offs") {
  struct Case {
    const char* text;
    RepairKind kind;
    bool truncated;
  };
  for (const Case& c : {
           Case{R"({"a": "b)", RepairKind::missing_end_quote, true},
           Case{R"({"a": [1, 2)", RepairKind::unclosed, true},
           Case{R"({"a": -)", RepairKind::truncated_number, true},
           Case{R"({"a": )", RepairKind::missing_value, true},
           Case{R"(["\u12)", RepairKind::truncated_escape, true},
           Case{R"({'a': 'b'})", RepairKind::quotes, false},
           Case{R"({"a": True})", RepairKind::python_literal, false},
           Case{R"({"a": 1,})", RepairKind::trailing_comma, false},
           Case{"```json\n{\"a\": 1}\n```", RepairKind::code_fence, false},
       }) {
    INFO(c.text);
    auto r = llmwire::json::repair(c.text);
    REQUIRE(r);
    CHECK(r->has(c.kind));
    CHECK(r->truncated == c.truncated);
    CHECK(r->kinds.size() == r->repairs.size());
  }
  auto strict = llmwire::json::repair(R"({"a": 1})");
  REQUIRE(strict);
  CHECK(strict->kinds.empty());
  CHECK_FALSE(strict->truncated);
}

TEST_CASE("hermes: a cut-off block is refused on repair's truncated signal, sloppy JSON is not") {
  // Each of these only parses by completing cut-off text: never executed.
  for (const char* body :
       {R"({"name": "f", "arguments": {"a": "b)", R"({"name": "f", "arguments": {"a": [1, 2)",
        R"({"name": "f", "arguments": {"a": 1)", R"({"name": "f", "arguments": {"a": -)"}) {
    INFO(body);
    auto r = run_parser("hermes", std::string("<tool_call>") + body, {}, 1);
    CHECK(r.calls.empty());
    CHECK(r.incomplete.size() == 1);
  }
  // Sloppy but whole (single quotes, Python literal, trailing comma): still a call at the end.
  auto sloppy = run_parser("hermes", "<tool_call>{'name': 'f', 'arguments': {'a': True,}}", {}, 1);
  CHECK(sloppy.calls == nlohmann::json::parse(R"([{"name":"f","arguments":{"a":true}}])"));
  // A closed block is not cut off: the same truncated JSON is repaired and executed.
  auto closed =
      run_parser("hermes", R"(<tool_call>{"name": "f", "arguments": {"a": 1</tool_call>)");
  CHECK(closed.calls == nlohmann::json::parse(R"([{"name":"f","arguments":{"a":1}}])"));
}

TEST_CASE("qwen3-coder: object parameters take spelling repairs only, by repair kind") {
  llmwire::ParserOptions options;
  options.tools.push_back(
      ToolSpec{.name = "f",
               .parameters = nlohmann::json::parse(
                   R"({"type":"object","properties":{"o":{"type":["object","string"]}}})")});
  auto call = [&](std::string_view value) {
    auto r = run_parser("qwen3-coder",
                        "<tool_call>\n<function=f>\n<parameter=o>\n" + std::string(value) +
                            "\n</parameter>\n</function>\n</tool_call>",
                        options, 7);
    REQUIRE(r.calls.size() == 1);
    return r.calls[0]["arguments"]["o"];
  };
  CHECK(call("{'k': True, 'n': None,}") == nlohmann::json::parse(R"({"k":true,"n":null})"));
  // Structure-inventing repairs (closing, a missing colon/quote) leave the text as text.
  CHECK(call(R"({"k": 1)") == R"({"k": 1)");
  CHECK(call(R"({"k" 1})") == R"({"k" 1})");
  CHECK(call("{not valid json") == "{not valid json");
}
