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
  // A tool-call fragment does not count for TTFT; reasoning does.
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
