// Client-side timings (src/client/transfer_timings.cpp).

#include <doctest/doctest.h>

#include "client/transfer_timings.hpp"

using namespace llmwire;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("percentile is nearest-rank") {
  std::vector<float> v{5, 1, 4, 2, 3};
  CHECK(*detail::percentile(v, 50) == doctest::Approx(3));
  CHECK(*detail::percentile(v, 90) == doctest::Approx(5));
  CHECK(*detail::percentile(v, 0) == doctest::Approx(1));
  std::vector<float> empty;
  CHECK_FALSE(detail::percentile(empty, 50));
}

TEST_CASE("TTFT, gaps and tok/s from deltas or server usage") {
  detail::TransferTimings timings;
  const auto sent = Clock::now();
  // A tool-call fragment does not count for TTFT; reasoning does. Each fragment also arrived
  // on the wire at the same moment (no parser in between).
  for (auto at : {50ms, 100ms, 110ms, 150ms}) timings.on_wire_delta(sent + at);
  timings.on_event(Event{ToolCallArgumentsDelta{0, "{"}}, sent + 50ms);
  timings.on_event(Event{ReasoningDelta{"hm"}}, sent + 100ms);
  timings.on_event(Event{ContentDelta{"a"}}, sent + 110ms);
  timings.on_event(Event{Finish{"stop"}}, sent + 115ms);  // not a delta
  timings.on_event(Event{ContentDelta{"b"}}, sent + 150ms);

  SUBCASE("counted deltas") {
    ChatResult result;
    timings.fill(result, sent, sent + 200ms);
    CHECK(*result.timings.ttft_ms == doctest::Approx(100).epsilon(0.01));
    CHECK(*result.timings.total_ms == doctest::Approx(200).epsilon(0.01));
    CHECK(result.timings.token_count_source == TokenCountSource::counted_deltas);
    // 4 deltas over 100 ms: 3 after the first / 0.1 s.
    CHECK(*result.timings.decode_tok_s == doctest::Approx(30).epsilon(0.01));
    CHECK(*result.timings.gap_p50_ms == doctest::Approx(40).epsilon(0.01));  // gaps 50,10,40
    CHECK(*result.timings.gap_p99_ms == doctest::Approx(50).epsilon(0.01));
  }
  SUBCASE("server usage wins") {
    ChatResult result;
    result.usage = Usage{.prompt_tokens = 3, .completion_tokens = 11};
    timings.fill(result, sent, sent + 200ms);
    CHECK(result.timings.token_count_source == TokenCountSource::server_usage);
    CHECK(*result.timings.decode_tok_s == doctest::Approx(100).epsilon(0.01));
  }
}

TEST_CASE("no deltas: no TTFT, no rate") {
  detail::TransferTimings timings;
  ChatResult result;
  const auto sent = Clock::now();
  timings.fill(result, sent, sent + 5ms);
  CHECK_FALSE(result.timings.ttft_ms);
  CHECK_FALSE(result.timings.decode_tok_s);
  CHECK(result.timings.token_count_source == TokenCountSource::none);
  CHECK_FALSE(result.timings.gap_p50_ms);
}

TEST_CASE("a tool-call-only response: TTFT is its first tool event, tok/s from the first byte") {
  // What llama-server did with a parsed tool call: the role chunk at once, then nothing while it
  // generated the call, then the whole call in two deltas. The deltas' own window (2 ms) gave
  // 895 tok/s against the server's 219; timings.ttft_ms was null.
  detail::TransferTimings timings;
  const auto sent = Clock::now();
  timings.on_event(Event{ToolCallBegin{0, "call_1", "get_weather"}}, sent + 200ms);
  timings.on_event(Event{ToolCallArgumentsDelta{0, "{\"city\":"}}, sent + 200ms);
  timings.on_event(Event{ToolCallArgumentsDelta{0, "\"Paris\"}"}}, sent + 202ms);
  timings.on_wire_delta(sent + 200ms);
  timings.on_wire_delta(sent + 202ms);
  ChatResult result;
  result.usage = Usage{.prompt_tokens = 30, .completion_tokens = 41};
  timings.fill(result, sent, sent + 210ms, sent + 10ms);
  CHECK(*result.timings.ttft_ms == doctest::Approx(200).epsilon(0.01));
  CHECK(result.timings.output_held_back);
  // 40 tokens after the first over 192 ms (first byte at 10 ms → last delta at 202 ms).
  CHECK(*result.timings.decode_tok_s == doctest::Approx(40 / 0.192).epsilon(0.01));
  CHECK_FALSE(result.timings.first_sentence_ms);

  SUBCASE("streamed token by token, the deltas' window stands") {
    detail::TransferTimings streamed;
    for (int i = 0; i < 10; ++i) {
      streamed.on_event(Event{ToolCallArgumentsDelta{0, "x"}},
                        sent + std::chrono::milliseconds(20 + 10 * i));
      streamed.on_wire_delta(sent + std::chrono::milliseconds(20 + 10 * i));
    }
    ChatResult r;
    r.usage = Usage{.prompt_tokens = 30, .completion_tokens = 10};
    streamed.fill(r, sent, sent + 120ms, sent + 10ms);
    CHECK_FALSE(r.timings.output_held_back);
    CHECK(*r.timings.decode_tok_s == doctest::Approx(9 / 0.09).epsilon(0.01));
  }
}

TEST_CASE("text a profile's parser holds back: TTFT as delivered, tok/s as the server sent it") {
  // The gemma4 parser holds text while it could be the start of a tool call and releases it
  // later, several fragments at once. The rate and the gaps come from the wire fragments, so
  // they stay the server's; TTFT is when the caller got the text.
  detail::TransferTimings timings;
  const auto sent = Clock::now();
  for (int i = 0; i < 10; ++i)
    timings.on_wire_delta(sent + std::chrono::milliseconds(100 + 10 * i));
  timings.on_event(Event{ContentDelta{"released at once"}}, sent + 190ms);
  ChatResult result;
  result.usage = Usage{.prompt_tokens = 5, .completion_tokens = 10};
  timings.fill(result, sent, sent + 200ms, sent + 95ms);
  CHECK(*result.timings.ttft_ms == doctest::Approx(190).epsilon(0.01));  // what the caller saw
  CHECK(*result.timings.decode_tok_s == doctest::Approx(9 / 0.09).epsilon(0.01));
  CHECK(*result.timings.gap_p99_ms == doctest::Approx(10).epsilon(0.01));
  CHECK_FALSE(result.timings.output_held_back);  // the server did not hold anything back
}

TEST_CASE("time to first sentence: the first '.', '!', '?', danda or newline in the content") {
  const auto sent = Clock::now();
  auto first_sentence = [&](std::vector<std::pair<std::string, int>> deltas) {
    detail::TransferTimings timings;
    timings.on_event(Event{ReasoningDelta{"Think. Hard."}}, sent + 5ms);  // reasoning: not spoken
    for (const auto& [text, ms] : deltas)
      timings.on_event(Event{ContentDelta{text}}, sent + std::chrono::milliseconds(ms));
    ChatResult result;
    timings.fill(result, sent, sent + 500ms);
    return result.timings.first_sentence_ms;
  };
  CHECK(*first_sentence({{"Hello", 100}, {" there", 120}, {". How", 140}}) ==
        doctest::Approx(140).epsilon(0.01));
  CHECK(*first_sentence({{"Really", 100}, {"?", 130}}) == doctest::Approx(130).epsilon(0.01));
  CHECK(*first_sentence({{"line one", 100}, {"\nline two", 160}}) ==
        doctest::Approx(160).epsilon(0.01));
  // Kannada ends a sentence with the danda (U+0964, "\xE0\xA5\xA4").
  CHECK(*first_sentence({{"ನಮಸ್ಕಾರ", 100}, {"\xE0\xA5\xA4", 180}}) ==
        doctest::Approx(180).epsilon(0.01));
  CHECK_FALSE(first_sentence({{"no end yet", 100}}));
}
