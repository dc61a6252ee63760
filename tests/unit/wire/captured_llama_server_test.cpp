// What a real llama-server 0.5.0 sent (tests/transcripts/captured/llama-server-0.5.0/, see its
// README): every captured stream decodes to the same aggregate at 1-byte, 7-byte and whole
// reads, matches an independent line-by-line reading of its chunks, and keeps the server's
// usage and timings; raw Gemma 4 tool-call and thought text is recovered by the gemma4
// parser; recorded failures replay as the errors they were.

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "captured.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/result_json.hpp"
#include "llmwire/stream.hpp"
#include "llmwire/transcript.hpp"

using namespace llmwire;

namespace {

const std::string& dir = llmwire_test::captured_dir;

ChatResult decode(std::string_view body, std::size_t chunk, const char* parser = nullptr) {
  ResponseDecoder decoder(Dialect::openai);
  if (parser != nullptr) decoder.set_output_parser(*make_output_parser(parser));
  EventSink sink = [](const Event&) { return true; };
  for (std::size_t at = 0; at < body.size(); at += chunk)
    decoder.feed(body.substr(at, chunk), sink);
  decoder.finish(sink);
  return decoder.take_result();
}

// The reference: each `data:` line parsed on its own, content deltas concatenated.
struct Reference {
  std::string content;
  std::optional<std::string> finish_reason;
  nlohmann::json usage, timings;
};

Reference reference_of(const std::string& body) {
  Reference r;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("data: ") || line == "data: [DONE]") continue;
    auto chunk = nlohmann::json::parse(line.substr(6));
    for (const auto& choice : chunk["choices"]) {
      const auto& delta = choice["delta"];
      if (delta.contains("content") && delta["content"].is_string())
        r.content += delta["content"].get<std::string>();
      if (choice["finish_reason"].is_string()) r.finish_reason = choice["finish_reason"];
    }
    if (chunk.contains("usage")) r.usage = chunk["usage"];
    if (chunk.contains("timings")) r.timings = chunk["timings"];
  }
  return r;
}

}  // namespace

TEST_CASE(
    "every captured stream decodes alike at 1, 7 and whole-body reads, as read line by line") {
  for (const char* name : {"stream1.sse", "stream_500.sse", "stream_tpt.sse", "stream_progress.sse",
                           "stream_logprobs.sse", "stream_stop.sse"}) {
    CAPTURE(name);
    const std::string body = llmwire_test::read_captured(name);
    const ChatResult whole = decode(body, body.size());
    const std::string expected = dump_json(to_json(whole));
    CHECK(dump_json(to_json(decode(body, 1))) == expected);
    CHECK(dump_json(to_json(decode(body, 7))) == expected);

    const Reference ref = reference_of(body);
    CHECK(whole.done);
    CHECK_FALSE(whole.error);
    REQUIRE(whole.content);
    CHECK(*whole.content == ref.content);  // byte-exact, Arabic and Devanagari included
    CHECK(whole.finish_reason == ref.finish_reason);
    REQUIRE(whole.usage);
    CHECK(whole.usage->completion_tokens == ref.usage["completion_tokens"].get<std::int64_t>());
    CHECK(whole.usage->prompt_tokens == ref.usage["prompt_tokens"].get<std::int64_t>());
    // The prefix-cache count llama-server nests in prompt_tokens_details is kept, and printed.
    REQUIRE(ref.usage.contains("prompt_tokens_details"));
    CHECK(whole.usage->cached_tokens ==
          ref.usage["prompt_tokens_details"]["cached_tokens"].get<std::int64_t>());
    CHECK(to_json(whole)["usage"]["cached_tokens"] ==
          ref.usage["prompt_tokens_details"]["cached_tokens"]);
    REQUIRE(whole.server_timings);
    CHECK(*whole.server_timings->predicted_n == ref.timings["predicted_n"].get<double>());
    CHECK(*whole.server_timings->predicted_per_second ==
          doctest::Approx(ref.timings["predicted_per_second"].get<double>()));
    CHECK(*whole.server_timings->prompt_ms ==
          doctest::Approx(ref.timings["prompt_ms"].get<double>()));
    // Counts print as integers (they were floats: "predicted_n": 64.0).
    auto json = to_json(whole);
    CHECK(json["server_timings"]["predicted_n"].is_number_integer());
    CHECK(json["server_timings"]["prompt_n"].is_number_integer());
  }
}

TEST_CASE("captured: the stop string and the 500-token stream keep their finish and counts") {
  auto stop = decode(llmwire_test::read_captured("stream_stop.sse"), 3);
  CHECK(stop.finish_reason == "stop");
  auto long_stream = decode(llmwire_test::read_captured("stream_500.sse"), 64);
  CHECK(long_stream.usage->completion_tokens == 500);
  CHECK(long_stream.finish_reason == "length");
}

TEST_CASE("captured: grammar-forced raw Gemma 4 tool-call text becomes a tool call") {
  const std::string body = llmwire_test::read_captured("grammar_toolcall.sse");
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, body.size()}) {
    CAPTURE(chunk);
    auto result = decode(body, chunk, "gemma4");
    REQUIRE(result.tool_calls.size() == 1);
    CHECK(result.tool_calls[0].name == "get_weather");
    CHECK(result.tool_calls[0].arguments == nlohmann::json{{"city", "Paris"}});
    CHECK(result.tool_calls[0].origin == ToolCallOrigin::recovered);
    CHECK((!result.content || result.content->find("<|tool_call>") == std::string::npos));
  }
  // Without the parser the raw text is all there is: what the team saw as 0/8 tool calls.
  auto raw = decode(body, body.size());
  CHECK(raw.tool_calls.empty());
  CHECK(raw.content->find("<|tool_call>call:get_weather{") != std::string::npos);
}

TEST_CASE("captured: a forced thought channel is reasoning, not content") {
  const std::string body = llmwire_test::read_captured("grammar_reasoning.sse");
  auto result = decode(body, 5, "gemma4");
  REQUIRE(result.reasoning);
  CHECK_FALSE(result.reasoning->empty());
  CHECK((!result.content || result.content->find("<|channel>") == std::string::npos));
}

TEST_CASE("captured failures replay as the errors they were") {
  SUBCASE("the context overflow (HTTP 400) surfaces n_prompt_tokens and n_ctx") {
    auto transcript = read_transcript(dir + "error_context_overflow.transcript.jsonl");
    REQUIRE(transcript);
    CHECK(transcript->status == 400);
    ResponseDecoder decoder(transcript->dialect);
    ChatResult result = replay_result(*transcript, decoder);
    REQUIRE(result.error);
    CHECK(result.error->http_status == 400);
    CHECK(result.error->prompt_tokens == 6015);
    CHECK(result.error->context_tokens == 4096);
    CHECK(result.error->provider_type == "exceed_context_size_error");
    auto json = to_json(result);
    CHECK(
        json["error"]["message"].get<std::string>().starts_with("HTTP 400: request (6015 tokens)"));
    CHECK(json["error_detail"]["context_tokens"] == 4096);
  }
  SUBCASE("the type error (HTTP 400)") {
    auto transcript = read_transcript(dir + "error_bad_type.transcript.jsonl");
    REQUIRE(transcript);
    ResponseDecoder decoder(transcript->dialect);
    ChatResult result = replay_result(*transcript, decoder);
    REQUIRE(result.error);
    CHECK(result.error->http_status == transcript->status);
  }
  SUBCASE("the server killed mid-stream keeps every byte it sent and says it broke") {
    auto transcript = read_transcript(dir + "killed_mid_stream.transcript.jsonl");
    REQUIRE(transcript);
    for (std::size_t rechunk : {std::size_t{0}, std::size_t{7}}) {
      CAPTURE(rechunk);
      ResponseDecoder decoder(transcript->dialect);
      ChatResult result = replay_result(*transcript, decoder, {}, rechunk);
      REQUIRE(result.error);
      CHECK(result.error->kind == ErrorKind::stream_broken);
      CHECK(result.error->message.find("transfer closed with outstanding read data") !=
            std::string::npos);
      CHECK_FALSE(result.done);
      REQUIRE(result.content);
      CHECK(*result.content == reference_of(transcript->body()).content);
    }
  }
}
