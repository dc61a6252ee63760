// The server's /metrics over the run (see server_delta.hpp).

#include "bench/server_delta.hpp"

#include <optional>
#include <string>

namespace llmwire::bench {
namespace {

std::optional<double> grew(const ServerMetrics& before, const ServerMetrics& after,
                           const std::string& name, bool& restarted) {
  auto a = before.sum(name), b = after.sum(name);
  if (!a || !b) return std::nullopt;
  if (*b < *a) {
    restarted = true;
    return std::nullopt;
  }
  return *b - *a;
}

}  // namespace

nlohmann::json server_metrics_delta(const ServerMetrics& before, const ServerMetrics& after) {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json counters = nlohmann::json::object();
  bool restarted = false;
  for (const char* name :
       {"llamacpp:prompt_tokens_total", "llamacpp:prompt_tokens_cached_total",
        "llamacpp:prompt_seconds_total", "llamacpp:tokens_predicted_total",
        "llamacpp:tokens_predicted_seconds_total", "vllm:prompt_tokens_total",
        "vllm:generation_tokens_total", "vllm:num_preemptions_total", "vllm:request_success_total",
        "sglang:prompt_tokens_total", "sglang:generation_tokens_total"}) {
    if (auto d = grew(before, after, name, restarted)) counters[name] = *d;
  }
  out["counters"] = counters;
  auto ratio = [&](const char* numerator, const char* denominator) -> std::optional<double> {
    if (!counters.contains(numerator) || !counters.contains(denominator)) return std::nullopt;
    const double den = counters[denominator].get<double>();
    if (!(den > 0)) return std::nullopt;
    return counters[numerator].get<double>() / den;
  };
  if (auto v = ratio("llamacpp:tokens_predicted_total", "llamacpp:tokens_predicted_seconds_total"))
    out["decode_tok_s"] = *v;
  if (auto v = ratio("llamacpp:prompt_tokens_total", "llamacpp:prompt_seconds_total"))
    out["prompt_tok_s"] = *v;
  // Histograms: Δsum / Δcount is the mean over the observations made during the run.
  const std::pair<const char*, const char*> histograms[] = {
      {"mean_ttft_ms", "vllm:time_to_first_token_seconds"},
      {"mean_queue_ms", "vllm:request_queue_time_seconds"},
      {"mean_e2e_ms", "vllm:e2e_request_latency_seconds"},
      {"mean_itl_ms", "vllm:inter_token_latency_seconds"},
      {"mean_ttft_ms", "sglang:time_to_first_token_seconds"},
      {"mean_e2e_ms", "sglang:e2e_request_latency_seconds"}};
  for (const auto& [key, family] : histograms) {
    if (out.contains(key)) continue;
    auto sum = grew(before, after, std::string(family) + "_sum", restarted);
    auto count = grew(before, after, std::string(family) + "_count", restarted);
    if (sum && count && *count > 0) out[key] = *sum / *count * 1000.0;
  }
  if (restarted) out["note"] = "a counter went down between the readings: the server restarted";
  return out;
}

}  // namespace llmwire::bench
