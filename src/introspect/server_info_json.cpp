// ServerInfo as JSON (see server_info.hpp): what results files record as provenance.

#include <cmath>
#include <nlohmann/json.hpp>

#include "llmwire/server_info.hpp"

namespace llmwire {
namespace {

nlohmann::json optional_json(const auto& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json finite_or_null(std::optional<double> value) {
  return value && std::isfinite(*value) ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// The series a bench reads, under each server's names.
nlohmann::json metrics_summary(const ServerMetrics& m) {
  nlohmann::json out = {{"samples", m.samples.size()}};
  nlohmann::json series = nlohmann::json::object();
  for (const char* name :
       {"vllm:prompt_tokens_total", "vllm:generation_tokens_total", "vllm:num_requests_running",
        "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc",
        "vllm:num_preemptions_total", "sglang:prompt_tokens_total",
        "sglang:generation_tokens_total", "sglang:num_running_reqs", "sglang:num_queue_reqs",
        "sglang:token_usage", "llamacpp:prompt_tokens_total", "llamacpp:tokens_predicted_total",
        "llamacpp:prompt_seconds_total", "llamacpp:tokens_predicted_seconds_total",
        "llamacpp:requests_processing", "llamacpp:requests_deferred",
        "llamacpp:kv_cache_usage_ratio"}) {
    if (auto v = m.sum(name)) series[name] = finite_or_null(v);
  }
  out["series"] = std::move(series);
  if (const MetricSample* cache = m.find("vllm:cache_config_info")) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [k, v] : cache->labels) labels[k] = v;
    out["vllm_cache_config"] = std::move(labels);
  }
  nlohmann::json histograms = nlohmann::json::object();
  for (const char* family :
       {"vllm:time_to_first_token_seconds", "vllm:inter_token_latency_seconds",
        "vllm:time_per_output_token_seconds", "vllm:e2e_request_latency_seconds",
        "vllm:request_queue_time_seconds", "sglang:time_to_first_token_seconds",
        "sglang:inter_token_latency_seconds", "sglang:e2e_request_latency_seconds"}) {
    auto count = m.histogram_count(family);
    if (!count) continue;
    histograms[family] = {{"count", finite_or_null(count)},
                          {"p50", finite_or_null(m.histogram_quantile(0.5, family))},
                          {"p90", finite_or_null(m.histogram_quantile(0.9, family))},
                          {"p99", finite_or_null(m.histogram_quantile(0.99, family))}};
  }
  out["histograms"] = std::move(histograms);
  return out;
}

}  // namespace

std::string server_info_json(const ServerInfo& info, int indent) {
  nlohmann::json out;
  out["server"] = std::string(to_string(info.kind));
  out["url"] = info.url;
  out["version"] = info.version.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.version);
  nlohmann::json models = nlohmann::json::array();
  for (const auto& m : info.models) {
    models.push_back({{"id", m.id},
                      {"owned_by", m.owned_by},
                      {"context_length", optional_json(m.context_length)},
                      {"training_context_length", optional_json(m.training_context_length)}});
  }
  out["models"] = std::move(models);
  out["context_length"] = optional_json(info.context_length);
  out["context_source"] = info.context_source;
  if (info.llama_props) {
    const auto& p = *info.llama_props;
    out["llama_server"] = {{"build_info", p.build_info},
                           {"model_path", p.model_path},
                           {"context_per_slot", optional_json(p.context_per_slot)},
                           {"total_slots", optional_json(p.total_slots)},
                           {"vision", optional_json(p.vision)},
                           {"audio", optional_json(p.audio)}};
  }
  if (info.sglang) {
    const auto& g = *info.sglang;
    out["sglang"] = {{"version", g.version},
                     {"model_path", g.model_path},
                     {"mem_fraction_static", optional_json(g.mem_fraction_static)},
                     {"max_total_num_tokens", optional_json(g.max_total_num_tokens)},
                     {"max_running_requests", optional_json(g.max_running_requests)},
                     {"context_length", optional_json(g.context_length)}};
  }
  nlohmann::json loaded = nlohmann::json::array();
  for (const auto& m : info.ollama_loaded) {
    loaded.push_back({{"name", m.name},
                      {"size_bytes", m.size_bytes},
                      {"size_vram_bytes", m.size_vram_bytes},
                      {"cpu_fraction", m.cpu_fraction()},
                      {"context_length", optional_json(m.context_length)},
                      {"expires_at", m.expires_at}});
  }
  out["ollama_loaded"] = std::move(loaded);
  out["metrics"] = info.metrics ? metrics_summary(*info.metrics) : nlohmann::json(nullptr);
  out["healthy"] = optional_json(info.healthy);
  out["notes"] = info.notes;
  return out.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace llmwire
