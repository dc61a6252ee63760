// The hermes output parser (Qwen3 and fine-tunes): FORMATS.md §6, and the non-strict vector.

#include <doctest/doctest.h>

#include "parse_helpers.hpp"

using llmwire::ParserOptions;
using llmwire::Thinking;
using llmwire::test::run_parser;

namespace {

llmwire::test::Parsed parse_all_ways(std::string_view input, const ParserOptions& options = {}) {
  auto whole = run_parser("hermes", input, options);
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 7u, 13u}) {
    auto part = run_parser("hermes", input, options, chunk);
    INFO("chunk ", chunk);
    CHECK(part.summary() == whole.summary());
    CHECK(part.incomplete.size() == whole.incomplete.size());
  }
  return whole;
}

}  // namespace

TEST_CASE("hermes: blocks, reasoning and content around them") {
  auto r = parse_all_ways(
      "I will look.</think>\n\nOK.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": [1, "
      "\"</b>\"]}}\n</tool_call>\n"
      "<tool_call>{\"name\": \"b\", \"parameters\": {}}</tool_call>",
      ParserOptions{.thinking = Thinking::on, .starts_in_reasoning = true});
  CHECK(llmwire::test::trim_copy(r.reasoning) == "I will look.");
  CHECK(llmwire::test::trim_copy(r.content) == "OK.");
  CHECK(r.calls ==
        nlohmann::json::parse(
            R"([{"name":"a","arguments":{"x":[1,"</b>"]}},{"name":"b","arguments":{}}])"));
  CHECK(r.begin_indexes == std::vector<int>{0, 1});
  CHECK(r.all_recovered);
}

TEST_CASE("hermes: a final block without </tool_call> counts if its JSON is whole") {
  auto whole = parse_all_ways("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}\n");
  CHECK(whole.calls == nlohmann::json::parse(R"([{"name":"f","arguments":{"a":1}}])"));
  auto cut = parse_all_ways("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": ");
  CHECK(cut.calls.empty());
  REQUIRE(cut.incomplete.size() == 1);
  CHECK(cut.incomplete[0].raw_text.find("\"a\"") != std::string::npos);
}

TEST_CASE("hermes: a block that is not a call is reported incomplete, not executed") {
  auto r =
      parse_all_ways("<tool_call>{\"arguments\": {}}</tool_call><tool_call>[1]</tool_call>after");
  CHECK(r.calls.empty());
  CHECK(r.incomplete.size() == 2);
  CHECK(r.content == "after");
}

TEST_CASE("hermes: a new <tool_call> ends a block missing its closer") {
  auto r = parse_all_ways(
      "<tool_call>{\"name\": \"a\", \"arguments\": {}}<tool_call>{\"name\": \"b\", \"arguments\": "
      "{}}</tool_call>");
  CHECK(r.calls ==
        nlohmann::json::parse(R"([{"name":"a","arguments":{}},{"name":"b","arguments":{}}])"));
}

TEST_CASE("he-009: arguments serialized as a JSON string are decoded once") {
  // Granite-style output; vLLM decodes it, and an object is what a tool runner needs.
  auto r = parse_all_ways(
      "<tool_call>\n{\"name\": \"get_db_config\", \"arguments\": \"{\\\"param\\\": "
      "\\\"max_connections\\\"}\"}\n</tool_call>");
  CHECK(r.calls == nlohmann::json::parse(
                       R"([{"name":"get_db_config","arguments":{"param":"max_connections"}}])"));
}

TEST_CASE("hermes: sloppy JSON inside a closed block is repaired") {
  // Models write Python literals, single quotes and trailing commas; the closer says the block
  // is whole, so the lenient repair may fix it.
  auto r = parse_all_ways(
      "<tool_call>{'name': 'f', 'arguments': {'a': True, 'b': [1, 2,],}}</tool_call>");
  CHECK(r.calls == nlohmann::json::parse(R"([{"name":"f","arguments":{"a":true,"b":[1,2]}}])"));
}

TEST_CASE("hermes: with thinking off, think tags are text; by default they mark reasoning") {
  // Ollama's rule: with thinking off nothing the model writes is reasoning, so the tags stay
  // visible instead of silently hiding text (the same choice as qc-042).
  auto off = parse_all_ways("<think>a</think>b", ParserOptions{.thinking = Thinking::off});
  CHECK(off.content == "<think>a</think>b");
  CHECK(off.reasoning.empty());
  auto by_default = parse_all_ways("<think>a</think>b");
  CHECK(by_default.reasoning == "a");
  CHECK(by_default.content == "b");
}
