// The gemma4 output parser: FORMATS.md §4, and the non-strict parse vectors pinned to the
// behaviour chosen (each with why).

#include <doctest/doctest.h>

#include <string>

#include "parse_helpers.hpp"

using llmwire::ParserOptions;
using llmwire::Thinking;
using llmwire::test::run_parser;

namespace {

nlohmann::json calls(std::initializer_list<std::pair<const char*, const char*>> list) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, args] : list)
    out.push_back({{"name", name}, {"arguments", nlohmann::json::parse(args)}});
  return out;
}

/// Runs at chunk sizes 0 (whole), 1, 2, 3, 5, 7 and 13; they must agree; returns the whole run.
llmwire::test::Parsed parse_all_ways(std::string_view input, const ParserOptions& options = {}) {
  auto whole = run_parser("gemma4", input, options);
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 7u, 13u}) {
    auto part = run_parser("gemma4", input, options, chunk);
    INFO("chunk ", chunk);
    CHECK(part.summary() == whole.summary());
    CHECK(part.incomplete.size() == whole.incomplete.size());
  }
  return whole;
}

}  // namespace

TEST_CASE("gemma4: canonical calls, values and several calls in a row") {
  auto r = parse_all_ways(
      "Sure.<|tool_call>call:mcp.fs:read-file{path:<|\"|>a \"b\", "
      "{c}\\n<|\"|>,n:-3.5e2,big:48838483920,"
      "d:108.,ok:true,no:false,none:null,list:[1,<|\"|>x<|\"|>,{k:[]}],obj:{}}<tool_call|>"
      "<|tool_call>call:g{}<tool_call|>");
  CHECK(r.content == "Sure.");
  CHECK(r.calls ==
        calls({{"mcp.fs:read-file",
                R"({"path":"a \"b\", {c}\\n","n":-350.0,"big":48838483920,"d":108.0,"ok":true,
                               "no":false,"none":null,"list":[1,"x",{"k":[]}],"obj":{}})"},
               {"g", "{}"}}));
  CHECK(r.begin_indexes == std::vector<int>{0, 1});
  CHECK(r.complete_indexes == std::vector<int>{0, 1});
  CHECK(r.all_recovered);
  CHECK(r.incomplete.empty());
}

TEST_CASE("gemma4: keys with spaces, quoted keys, key=value and JSON/single-quoted strings") {
  auto r = parse_all_ways(
      "<|tool_call>call:f{first name:<|\"|>Ada<|\"|>,\"q\":\"a\\\"b\\u00e9\",'s':'it "
      "is',mode=fast}<tool_call|>");
  CHECK(r.calls ==
        calls({{"f", R"({"first name":"Ada","q":"a\"b\u00e9","s":"it is","mode":"fast"})"}}));
}

TEST_CASE("gemma4: thinking channel, labels, empty and trailing blocks") {
  auto on = parse_all_ways(
      "<|channel>thought\nLet me think.<channel|>The answer.<|channel>thought\n<channel|>",
      ParserOptions{.thinking = Thinking::on});
  CHECK(on.reasoning == "Let me think.");
  CHECK(on.content == "The answer.");
  // Thinking off: channel text is not answer text, and not reported either.
  auto off = parse_all_ways("<|channel>thought\nsecret<channel|>The answer.",
                            ParserOptions{.thinking = Thinking::off});
  CHECK(off.reasoning.empty());
  CHECK(off.content == "The answer.");
  // The template prefilled the channel (after a tool result): text up to <channel|> is reasoning.
  auto inside =
      parse_all_ways("still thinking<channel|>done",
                     ParserOptions{.thinking = Thinking::on, .starts_in_reasoning = true});
  CHECK(inside.reasoning == "still thinking");
  CHECK(inside.content == "done");
}

TEST_CASE("gemma4: stripped special tokens leak as bare call: and thought labels") {
  // skip_special_tokens stripped <|tool_call>, <tool_call|> and <|"|>: a bare call at a line
  // start is still recovered, with unquoted words as text.
  auto r = parse_all_ways("Checking.\ncall:get_weather{city:Austin,days:3}");
  CHECK(r.content == "Checking.\n");
  CHECK(r.calls == calls({{"get_weather", R"({"city":"Austin","days":3})"}}));
  // Not at a line start, or without a brace, it is just text.
  auto prose = parse_all_ways("I will call:get_weather{x} later\ncall: me maybe");
  CHECK(prose.calls.empty());
  CHECK(prose.content == "I will call:get_weather{x} later\ncall: me maybe");
}

TEST_CASE("gemma4: special-token closers and stray markers around calls") {
  // A stray <|tool_response> after a call (the model expecting the tool's answer) is dropped.
  auto r = parse_all_ways("<|tool_call>call:f{a:1}<tool_call|><|tool_response>");
  CHECK(r.calls == calls({{"f", R"({"a":1})"}}));
  CHECK(r.content.empty());
  // `:call:` opener variant, and a call without arguments.
  auto v = parse_all_ways(
      "<|tool_call>:call:f{a:<|\"|>x<|\"|>}<tool_call|><|tool_call>call:now<tool_call|>");
  CHECK(v.calls == calls({{"f", R"({"a":"x"})"}, {"now", "{}"}}));
  // The same call twice is reported twice: the model asked twice, and dropping one would hide that.
  auto twice =
      parse_all_ways("<|tool_call>call:f{a:1}<tool_call|><|tool_call>call:f{a:1}<tool_call|>");
  CHECK(twice.calls.size() == 2);
  // A special token inside an unclosed string still ends the call (special tokens are not text).
  auto unclosed = parse_all_ways("<|tool_call>call:f{a:<|\"|>oops}<tool_call|>after");
  CHECK(unclosed.calls == calls({{"f", R"({"a":"oops}"})"}}));
  CHECK(unclosed.content == "after");
}

TEST_CASE("gemma4: a call cut off at the end of output is incomplete, never complete") {
  auto r = parse_all_ways("Let me look.<|tool_call>call:search{query:<|\"|>half a str");
  CHECK(r.calls.empty());
  REQUIRE(r.incomplete.size() == 1);
  CHECK(r.incomplete[0].name == "search");
  CHECK(r.incomplete[0].raw_text.find("half a str") != std::string::npos);
  CHECK(r.begin_indexes == std::vector<int>{0});
  CHECK(r.complete_indexes.empty());
  auto header = parse_all_ways("<|tool_call>call:sea");
  REQUIRE(header.incomplete.size() == 1);
  CHECK(header.calls.empty());
}

TEST_CASE("gemma4: partial markers are held back, then given back as text") {
  auto r = parse_all_ways("a < b and <|tool x <channel <turn| and <|\"|> end <|tool_c");
  CHECK(r.content == "a < b and <|tool x <channel <turn| and <|\"|> end <|tool_c");
  CHECK(r.calls.empty());
}

TEST_CASE("gemma4: content is streamed as it arrives, holding back only a marker prefix") {
  auto parser = llmwire::make_output_parser("gemma4");
  REQUIRE(parser);
  std::string content;
  const llmwire::EventSink sink = [&](const llmwire::Event& e) {
    if (auto* c = std::get_if<llmwire::ContentDelta>(&e)) content.append(c->text);
    return true;
  };
  (*parser)->feed("Hello there, this is a long answer", sink);
  CHECK(content == "Hello there, this is a long answer");
  (*parser)->feed(" with a tail <|tool_", sink);
  CHECK(content == "Hello there, this is a long answer with a tail ");
  (*parser)->feed("x", sink);
  CHECK(content == "Hello there, this is a long answer with a tail <|tool_x");
}

TEST_CASE("gemma4: a sink returning false stops the parser") {
  auto parser = llmwire::make_output_parser("gemma4");
  REQUIRE(parser);
  int seen = 0;
  const llmwire::EventSink sink = [&](const llmwire::Event&) { return ++seen < 2; };
  CHECK((*parser)->feed("<|channel>thought\nx<channel|>y<|tool_call>call:f{}<tool_call|>", sink) ==
        false);
  CHECK(seen == 2);
  CHECK((*parser)->feed("more", sink) == false);
  CHECK((*parser)->finish(sink) == false);
  CHECK(seen == 2);
}

TEST_CASE("gemma4: tool schemas type bare values and <|\"|> strings") {
  ParserOptions options;
  options.tools.push_back(llmwire::ToolSpec{
      .name = "f", .parameters = nlohmann::json::parse(R"({"type":"object","properties":{
        "zip":{"type":"string"},"n":{"type":"integer"},"on":{"type":"boolean"},
        "nested":{"type":"object","properties":{"id":{"type":"string"}}},
        "ids":{"type":"array","items":{"type":"string"}}}})")});
  auto r = parse_all_ways(
      "<|tool_call>call:f{zip:02134,n:<|\"|>7<|\"|>,on:true,nested:{id:5},ids:[1,2]}<tool_call|>",
      options);
  CHECK(r.calls ==
        calls({{"f", R"({"zip":"02134","n":7,"on":true,"nested":{"id":"5"},"ids":["1","2"]})"}}));
}

// ---- non-strict vectors: the behaviour chosen, and why ------------------------------------

TEST_CASE("g4-024: <turn|> closing a call completes it") {
  // The model ended its turn right after the arguments; the body is whole, so the call is as
  // good as one closed by <tool_call|> (vLLM's fallback agrees; Ollama loses the call).
  auto r = parse_all_ways("<|tool_call>call:gdb{args:<|\"|>-batch -ex run /tmp/poc<|\"|>}<turn|>");
  CHECK(r.calls == calls({{"gdb", R"({"args":"-batch -ex run /tmp/poc"})"}}));
  CHECK(r.content.empty());
}

TEST_CASE("g4-027: a bare call: right after <channel|> is a call") {
  // The model dropped <|tool_call>; `call:NAME{` where a line (or the answer) starts is
  // unambiguous enough to recover, which is the point of client-side parsing.
  auto r = parse_all_ways(
      "<|channel>thought\nI need to read the entry source file to inspect the crash "
      "point.\n<channel|>"
      "call:bash{command:<|\"|>cat /work/src/entry.c<|\"|>}",
      ParserOptions{.thinking = Thinking::on});
  CHECK(r.calls == calls({{"bash", R"({"command":"cat /work/src/entry.c"})"}}));
  CHECK(llmwire::test::trim_copy(r.reasoning) ==
        "I need to read the entry source file to inspect the crash point.");
  CHECK(r.content.empty());
}

TEST_CASE("g4-030: the fragmented <call> opener starts a call") {
  // Seen with multimodal input: <call> is <|tool_call>call: broken apart, never prose.
  auto r = parse_all_ways("<call>get_weather{city:<|\"|>Paris<|\"|>}");
  CHECK(r.calls == calls({{"get_weather", R"({"city":"Paris"})"}}));
}

TEST_CASE(
    "g4-036: text before a stray <channel|> stays content unless the caller says it is prefilled") {
  // Deciding that already-streamed text was reasoning would need the whole answer held back;
  // the caller knows when the template prefilled the channel and says so with
  // starts_in_reasoning (see the thinking-channel test). The stray closer itself is dropped.
  auto r = parse_all_ways("This is a reasoning section<channel|>",
                          ParserOptions{.thinking = Thinking::on});
  CHECK(r.content == "This is a reasoning section");
  CHECK(r.reasoning.empty());
}

TEST_CASE("g4-051: <turn|> inside prose is kept, a trailing one is dropped") {
  // Holding the marker until text follows costs nothing and keeps a literal mention intact.
  auto r = parse_all_ways("the marker is <turn|> in prose<turn|>\n");
  CHECK(llmwire::test::trim_copy(r.content) == "the marker is <turn|> in prose");
}

TEST_CASE("g4-054: schema-free bare numbers are numbers; a string schema makes them strings") {
  // Legacy vLLM, Ollama and mlx-lm type bare scalars; with a schema the schema decides.
  auto bare = parse_all_ways("<|tool_call>call:update_record{zipcode:12345}<tool_call|>");
  CHECK(bare.calls == calls({{"update_record", R"({"zipcode":12345})"}}));
}

TEST_CASE("g4-057: output starting with a bare thought label is reasoning up to <channel|>") {
  // `thought\n` as the very first bytes is the channel label with its opener missing (or
  // stripped); prose does not start that way.
  auto r = parse_all_ways(
      "thought\nPlan the call.<channel|><|tool_call>call:f{city:<|\"|>Dallas<|\"|>}<tool_call|>",
      ParserOptions{.thinking = Thinking::on});
  CHECK(r.reasoning == "Plan the call.");
  CHECK(r.content.empty());
  CHECK(r.calls == calls({{"f", R"({"city":"Dallas"})"}}));
}

TEST_CASE("g4-072: a whole body without <tool_call|> at the end of output is complete") {
  // Every brace closed: nothing was cut off, only the closer token is missing (Ollama flushes
  // it the same way). A body still open at the end stays incomplete (test above).
  auto r = parse_all_ways("<|tool_call>call:search{query:<|\"|>say \"hello\" and \"bye\"<|\"|>}");
  CHECK(r.calls == calls({{"search", R"({"query":"say \"hello\" and \"bye\""})"}}));
  CHECK(r.incomplete.empty());
}

TEST_CASE("g4-081: thinking off drops channel text instead of reporting it") {
  // Ollama's choice: with thinking off the caller did not ask for reasoning; it must not reach
  // content either way.
  auto r = parse_all_ways("<|channel>this is not thinking<channel|>actual content",
                          ParserOptions{.thinking = Thinking::off});
  CHECK(r.content == "actual content");
  CHECK(r.reasoning.empty());
}

TEST_CASE("g4-096 / g4-099: unquoted words are text; commas split them only before a key") {
  // A multi-line unquoted value (ollama#15315) keeps its commas, since no `key:` follows them,
  // and ends at <tool_call|> even with its brace missing (the closer says the call is done).
  auto r = parse_all_ways(
      "<|tool_call>call:write{content:\n\n# Guide\n\nKeep code small, designed to last.<tool_call|>"
      "<|tool_call>call:write{content:hello,mode:<|\"|>fast<|\"|>}<tool_call|>");
  CHECK(r.calls ==
        calls({{"write", R"({"content":"\n\n# Guide\n\nKeep code small, designed to last."})"},
               {"write", R"({"content":"hello","mode":"fast"})"}}));
}

TEST_CASE("gemma4: end-of-turn sentinels and the Hermes spelling of the call markers") {
  // <eos> and Gemma 3's <end_of_turn> are trailing sentinels like <turn|>.
  auto r = parse_all_ways("final answer<turn|><eos>");
  CHECK(r.content == "final answer");
  auto eot = parse_all_ways("answer<end_of_turn>\n");
  CHECK(llmwire::test::trim_copy(eot.content) == "answer");
  // Some fine-tunes write <tool_call>…</tool_call> around a Gemma call.
  auto hermes_tags = parse_all_ways("<tool_call>call:f{a:1}</tool_call>after");
  CHECK(hermes_tags.calls == calls({{"f", R"({"a":1})"}}));
  CHECK(hermes_tags.content == "after");
  // A textual opener with no call after it is given back as text.
  auto prose = parse_all_ways("use the <call> tag and <tool_call> too");
  CHECK(prose.calls.empty());
  CHECK(prose.content == "use the <call> tag and <tool_call> too");
}

TEST_CASE("gemma4: an abandoned textual opener gives the same result at every chunking") {
  // Found by the instrumented gemma4 fuzzer: whole, the header after `<call>` swallowed the
  // next line (no call); at 1-byte chunks the header was given up at '>' and the bare
  // `call:` on the next line was recovered. Now the header is cut at the same byte always.
  const std::string input = "<call>n>\ncall:get_weather{city:<|\"|>Paris<|\"|>}";
  const auto whole = llmwire::test::run_parser("gemma4", input);
  REQUIRE(whole.calls.size() == 1);
  CHECK(whole.calls[0]["name"] == "get_weather");
  CHECK(whole.calls[0]["arguments"] == nlohmann::json{{"city", "Paris"}});
  CHECK(llmwire::test::trim_copy(whole.content) == "<call>n>");
  for (std::size_t chunk = 1; chunk <= input.size(); ++chunk) {
    CAPTURE(chunk);
    CHECK(llmwire::test::run_parser("gemma4", input, {}, chunk).summary() == whole.summary());
  }
  // A header over the 256-byte limit is cut at the same byte too.
  const std::string long_header = "<|tool_call>" + std::string(300, 'x') + "\ncall:f{a:1}";
  const auto long_whole = llmwire::test::run_parser("gemma4", long_header);
  for (std::size_t chunk : {1, 7, 255, 256, 257}) {
    CAPTURE(chunk);
    CHECK(llmwire::test::run_parser("gemma4", long_header, {}, chunk).summary() ==
          long_whole.summary());
  }
}

TEST_CASE("gemma4: a thought label closed at once is a label at every chunking") {
  // Found by fuzz_parser_gemma4 (seed regression-empty-thought-label-chunking): whole, the
  // "thought" of `<|channel>thought<channel|>` was the channel's label and nothing was
  // reported; when a chunk ended between "thought" and `<channel|>` it was reported as
  // reasoning. The label is decided only once the closer is known to follow or not.
  ParserOptions on;
  on.thinking = Thinking::on;
  auto r = parse_all_ways("<|channel>thought<channel|>Hi.", on);
  CHECK(r.reasoning.empty());
  CHECK(r.content == "Hi.");
  // Not followed by the closer, the word is the thought itself.
  auto s = parse_all_ways("<|channel>thoughts<channel|>Hi.", on);
  CHECK(s.reasoning == "thoughts");
  CHECK(s.content == "Hi.");
}
