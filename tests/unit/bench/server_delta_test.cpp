// The server's own /metrics over a run: the captured llama-server readings before and after a
// real `llmwire bench` run, and vLLM-shaped histograms.

#include "bench/server_delta.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "captured.hpp"

using namespace llmwire;
using namespace llmwire::bench;

namespace {

ServerMetrics captured(const std::string& name) {
  auto metrics = parse_prometheus(llmwire_test::read_captured(name));
  REQUIRE(metrics);
  return *metrics;
}

}  // namespace

TEST_CASE("captured llama-server /metrics before and after a bench run") {
  auto delta =
      server_metrics_delta(captured("metrics_before.txt"), captured("metrics_after_bench.txt"));
  CHECK(delta["counters"]["llamacpp:tokens_predicted_total"] == 16968.0);
  CHECK(delta["counters"]["llamacpp:prompt_tokens_total"] == 28731.0);
  CHECK(delta["decode_tok_s"].get<double>() == doctest::Approx(16968.0 / 49.4308));
  CHECK(delta["prompt_tok_s"].get<double>() == doctest::Approx(28731.0 / 24.178));
  CHECK_FALSE(delta.contains("note"));
  // The other way round the counters went down: a restart, never a negative figure.
  auto backwards =
      server_metrics_delta(captured("metrics_after_bench.txt"), captured("metrics_before.txt"));
  CHECK(backwards.contains("note"));
  CHECK_FALSE(backwards.contains("decode_tok_s"));
}

TEST_CASE("vLLM histograms: the server-side mean TTFT and queue time over the run") {
  auto before = *parse_prometheus(
      "vllm:time_to_first_token_seconds_sum{engine=\"0\"} 10.0\n"
      "vllm:time_to_first_token_seconds_count{engine=\"0\"} 100\n"
      "vllm:request_queue_time_seconds_sum{engine=\"0\"} 1.0\n"
      "vllm:request_queue_time_seconds_count{engine=\"0\"} 100\n"
      "vllm:generation_tokens_total{engine=\"0\"} 5000\n");
  auto after = *parse_prometheus(
      "vllm:time_to_first_token_seconds_sum{engine=\"0\"} 12.4\n"
      "vllm:time_to_first_token_seconds_count{engine=\"0\"} 130\n"
      "vllm:request_queue_time_seconds_sum{engine=\"0\"} 1.3\n"
      "vllm:request_queue_time_seconds_count{engine=\"0\"} 130\n"
      "vllm:generation_tokens_total{engine=\"0\"} 20000\n");
  auto delta = server_metrics_delta(before, after);
  CHECK(delta["mean_ttft_ms"].get<double>() == doctest::Approx(2.4 / 30 * 1000));   // 80 ms
  CHECK(delta["mean_queue_ms"].get<double>() == doctest::Approx(0.3 / 30 * 1000));  // 10 ms
  CHECK(delta["counters"]["vllm:generation_tokens_total"] == 15000.0);
  CHECK_FALSE(delta.contains("decode_tok_s"));  // vLLM exports no decode seconds counter
}
