// The qwen3-coder output parser (Qwen3-Coder, Nemotron 3, Qwen3.5): FORMATS.md §5, and the
// non-strict vectors pinned.

#include <doctest/doctest.h>

#include "parse_helpers.hpp"

using llmwire::ParserOptions;
using llmwire::Thinking;
using llmwire::test::run_parser;

namespace {

llmwire::test::Parsed parse_all_ways(std::string_view input, const ParserOptions& options = {}) {
  auto whole = run_parser("qwen3-coder", input, options);
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 7u, 13u}) {
    auto part = run_parser("qwen3-coder", input, options, chunk);
    INFO("chunk ", chunk);
    CHECK(part.summary() == whole.summary());
    CHECK(part.incomplete.size() == whole.incomplete.size());
  }
  return whole;
}

const char* weather_call =
    "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n"
    "<parameter=days>\n3\n</parameter>\n</function>\n</tool_call>";

}  // namespace

TEST_CASE("qwen3-coder: values are text schema-free and typed by the schema") {
  auto raw = parse_all_ways(weather_call);
  CHECK(raw.calls == nlohmann::json::parse(
                         R"([{"name":"get_weather","arguments":{"city":"Paris","days":"3"}}])"));
  CHECK(raw.all_recovered);
  ParserOptions typed;
  typed.tools.push_back(llmwire::ToolSpec{
      .name = "get_weather",
      .parameters =
          nlohmann::json::parse(R"({"type":"object","properties":{"days":{"type":"integer"}}})")});
  auto r = parse_all_ways(weather_call, typed);
  CHECK(r.calls ==
        nlohmann::json::parse(R"([{"name":"get_weather","arguments":{"city":"Paris","days":3}}])"));
}

TEST_CASE("qwen3-coder: a prefilled <think> starts inside reasoning; <tool_call> ends it") {
  auto r = parse_all_ways(std::string("Check the weather.\n\n") + weather_call + "\nDone.",
                          ParserOptions{.thinking = Thinking::on, .starts_in_reasoning = true});
  CHECK(llmwire::test::trim_copy(r.reasoning) == "Check the weather.");
  CHECK(llmwire::test::trim_copy(r.content) == "Done.");
  CHECK(r.calls.size() == 1);
  auto closed =
      parse_all_ways("<think>\nhmm</think>\nanswer",
                     ParserOptions{.thinking = Thinking::on, .starts_in_reasoning = true});
  CHECK(llmwire::test::trim_copy(closed.reasoning) == "hmm");
  CHECK(llmwire::test::trim_copy(closed.content) == "answer");
  // Default thinking: an explicit <think> block still opens reasoning.
  auto explicit_block = parse_all_ways("<think>why</think>because");
  CHECK(explicit_block.reasoning == "why");
  CHECK(explicit_block.content == "because");
}

TEST_CASE("qwen3-coder: calls cut off at the end are incomplete; a closed function is complete") {
  auto cut = parse_all_ways("<tool_call>\n<function=write>\n<parameter=text>\nhalf");
  CHECK(cut.calls.empty());
  REQUIRE(cut.incomplete.size() == 1);
  CHECK(cut.incomplete[0].name == "write");
  CHECK(cut.incomplete[0].raw_text.find("half") != std::string::npos);
  auto no_closer =
      parse_all_ways("<tool_call>\n<function=f>\n<parameter=a>\nx\n</parameter>\n</function>");
  CHECK(no_closer.calls == nlohmann::json::parse(R"([{"name":"f","arguments":{"a":"x"}}])"));
  CHECK(no_closer.incomplete.empty());
}

TEST_CASE(
    "qwen3-coder: a missing </parameter> closes at </function>; </function> missing at "
    "</tool_call>") {
  auto r = parse_all_ways(
      "<tool_call>\n<function=f>\n<parameter=a>\nx\n</function>\n</tool_call>"
      "<tool_call>\n<function=g>\n<parameter=b>\ny\n</parameter>\n</tool_call>");
  CHECK(r.calls ==
        nlohmann::json::parse(
            R"([{"name":"f","arguments":{"a":"x"}},{"name":"g","arguments":{"b":"y"}}])"));
}

// ---- non-strict vectors --------------------------------------------------------------------

TEST_CASE("qc-012: a block with a malformed function tag is incomplete, not a call") {
  // It cannot be executed, but silently dropping it would hide that the model tried: it is
  // reported as incomplete with its raw text, and the well-formed block after it still counts.
  auto r = parse_all_ways(
      "<tool_call>\n<function=bad_func_no_gt\n</function>\n</"
      "tool_call>\n<tool_call>\n<function=get_current_weather>\n"
      "<parameter=city>Dallas</parameter>\n<parameter=state>TX</parameter>\n</function>\n</"
      "tool_call>");
  CHECK(r.calls ==
        nlohmann::json::parse(
            R"([{"name":"get_current_weather","arguments":{"city":"Dallas","state":"TX"}}])"));
  REQUIRE(r.incomplete.size() == 1);
  CHECK(r.incomplete[0].raw_text.find("bad_func_no_gt") != std::string::npos);
  CHECK(llmwire::test::trim_copy(r.content).empty());
}

TEST_CASE("qc-015: schema-free literal null is null; a string schema keeps the text \"null\"") {
  // The schema is the caller's statement of intent: a string parameter gets a string.
  const char* input =
      "<tool_call>\n<function=search>\n<parameter=query>null</parameter>\n</function>\n</"
      "tool_call>";
  CHECK(parse_all_ways(input).calls ==
        nlohmann::json::parse(R"([{"name":"search","arguments":{"query":null}}])"));
  ParserOptions typed;
  typed.tools.push_back(llmwire::ToolSpec{
      .name = "search",
      .parameters =
          nlohmann::json::parse(R"({"type":"object","properties":{"query":{"type":"string"}}})")});
  CHECK(parse_all_ways(input, typed).calls ==
        nlohmann::json::parse(R"([{"name":"search","arguments":{"query":"null"}}])"));
}

TEST_CASE("qc-018: closing tags quoted inside a value stay text") {
  // A closing tag is structural only when markup follows it (vLLM's rule), so code that
  // mentions </parameter> or </function> survives intact.
  auto r = parse_all_ways(
      "<tool_call>\n<function=write_file>\n<parameter=content>\nx = \"</parameter>\\n\"\ny = "
      "\"</function>\"\n"
      "</parameter>\n</function>\n</tool_call>\n");
  CHECK(
      r.calls ==
      nlohmann::json::parse(
          R"([{"name":"write_file","arguments":{"content":"x = \"</parameter>\\n\"\ny = \"</function>\""}}])"));
}

TEST_CASE("qc-042: with thinking off a spurious </think> stays in content") {
  // Ollama's choice: with thinking off nothing is reasoning, so text before it cannot be
  // reclassified after it was streamed as content.
  auto r = parse_all_ways("</think>\nSome content after spurious tag.",
                          ParserOptions{.thinking = Thinking::off});
  CHECK(llmwire::test::trim_copy(r.content) == "</think>\nSome content after spurious tag.");
  CHECK(r.reasoning.empty());
}

TEST_CASE("qwen3-coder: object/array parameters accept Python literals, never invented structure") {
  // vLLM falls back to ast.literal_eval; a value that is not a literal at all stays text.
  ParserOptions typed;
  typed.tools.push_back(llmwire::ToolSpec{
      .name = "f",
      .parameters = nlohmann::json::parse(
          R"({"type":"object","properties":{"o":{"type":"object"},"a":{"type":"array"},"s":{"type":["string","object"]}}})")});
  auto r = parse_all_ways(
      "<tool_call>\n<function=f>\n<parameter=o>\n{'k': True, 'n': "
      "None}\n</parameter>\n<parameter=a>\n['x', 1,]\n"
      "</parameter>\n<parameter=s>\n{not valid json\n</parameter>\n</function>\n</tool_call>",
      typed);
  CHECK(
      r.calls ==
      nlohmann::json::parse(
          R"([{"name":"f","arguments":{"o":{"k":true,"n":null},"a":["x",1],"s":"{not valid json"}}])"));
}

TEST_CASE("qwen3-coder: a <function=…> block without <tool_call> is still a call") {
  // vLLM's parser accepts the bare function block; the markup is unambiguous.
  auto r = parse_all_ways(
      "Checking.\n<function=get_weather>\n<parameter=city>\nDallas\n</parameter>\n</"
      "function>\nDone.");
  CHECK(r.calls ==
        nlohmann::json::parse(R"([{"name":"get_weather","arguments":{"city":"Dallas"}}])"));
  CHECK(llmwire::test::trim_copy(r.content) == "Checking.\nDone.");
  // Hermes does not read XML calls: there it stays text.
  auto hermes = run_parser("hermes", "<function=f>\n</function>");
  CHECK(hermes.calls.empty());
  CHECK(hermes.content == "<function=f>\n</function>");
}

TEST_CASE("qwen3-coder: thinking on without a known prefill reads plain text as content") {
  // The server may have a reasoning parser that already took the reasoning out; assuming a
  // prefilled <think> would then file the whole answer as reasoning.
  auto r = parse_all_ways("The answer is 4.", ParserOptions{.thinking = Thinking::on});
  CHECK(r.content == "The answer is 4.");
  CHECK(r.reasoning.empty());
  auto tagged = parse_all_ways("<think>hmm</think>4", ParserOptions{.thinking = Thinking::on});
  CHECK(tagged.reasoning == "hmm");
  CHECK(tagged.content == "4");
}

TEST_CASE("qwen3-coder: an integer parameter beyond int64 stays a number, without UB") {
  // Found by fuzz_parser_qwen3_coder under UBSan: "5.0 is still 5" converted 4.4e55 to int64
  // (undefined behaviour). In range, an integral float still becomes an integer.
  ParserOptions typed;
  typed.tools.push_back(llmwire::ToolSpec{
      .name = "f",
      .parameters =
          nlohmann::json::parse(R"({"type":"object","properties":{"n":{"type":"integer"}}})")});
  const std::string huge(56, '4');
  auto big = parse_all_ways("<tool_call>\n<function=f>\n<parameter=n>\n" + huge +
                                "\n</parameter>\n</function>\n</tool_call>",
                            typed);
  REQUIRE(big.calls.size() == 1);
  const auto& n = big.calls[0]["arguments"]["n"];
  CHECK(n.is_number_float());
  CHECK(n.get<double>() == doctest::Approx(4.444444444444444e55));
  auto five = parse_all_ways(
      "<tool_call>\n<function=f>\n<parameter=n>\n5.0\n</parameter>\n</function>\n</tool_call>",
      typed);
  CHECK(five.calls[0]["arguments"]["n"] == 5);
  CHECK(five.calls[0]["arguments"]["n"].is_number_integer());
  auto edge = parse_all_ways(
      "<tool_call>\n<function=f>\n<parameter=n>\n9223372036854775808.0\n</parameter>\n"
      "</function>\n</tool_call>",
      typed);
  CHECK(edge.calls[0]["arguments"]["n"].is_number_float());  // 2^63: one past int64
}
