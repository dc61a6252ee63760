// The VRAM test's figures (see memory_figures.hpp).

#include "bench/memory_figures.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace llmwire::bench {
namespace {

constexpr double bytes_per_gib = 1024.0 * 1024.0 * 1024.0;

double gb(double bytes) {
  return bytes / 1e9;
}
double gib_to_gb(double gib) {
  return gib * bytes_per_gib / 1e9;
}

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

const OllamaLoadedModel* ollama_model(const MemoryInputs& in) {
  if (in.server == nullptr) return nullptr;
  const auto& loaded = in.server->ollama_loaded;
  for (const auto& m : loaded)
    if (m.name == in.model) return &m;
  return loaded.size() == 1 ? &loaded.front() : nullptr;
}

std::optional<double> vllm_utilization(const MemoryInputs& in) {
  if (in.server == nullptr || !in.server->metrics) return std::nullopt;
  const MetricSample* cache = in.server->metrics->find("vllm:cache_config_info");
  if (cache == nullptr) return std::nullopt;
  auto label = cache->label("gpu_memory_utilization");
  if (!label) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(label->data(), label->data() + label->size(), value);
  if (ec != std::errc() || end != label->data() + label->size() || !(value > 0 && value <= 1))
    return std::nullopt;
  return value;
}

}  // namespace

nlohmann::json vram_result(const MemoryInputs& in) {
  nlohmann::json figures = nlohmann::json::object();
  nlohmann::json warnings = nlohmann::json::array();
  std::optional<double> model_gb, tree_gb, device_gb;
  std::string model_source;

  // The model's own memory.
  if (in.vllm_log && in.vllm_log->model_gib) {
    model_gb = gib_to_gb(*in.vllm_log->model_gib);
    model_source = "vLLM log: \"Model loading took " + fixed(*in.vllm_log->model_gib, 2) +
                   " GiB\" (" + in.vllm_log_path + ")";
  }
  if (in.vllm_log && in.vllm_log->kv_cache_gib) {
    figures["kv_cache_gb"] = gib_to_gb(*in.vllm_log->kv_cache_gib);
    figures["kv_cache_source"] =
        "vLLM log: \"Available KV cache memory: " + fixed(*in.vllm_log->kv_cache_gib, 2) + " GiB\"";
  }
  if (in.vllm_log && in.vllm_log->kv_cache_tokens)
    figures["kv_cache_tokens"] = *in.vllm_log->kv_cache_tokens;
  if (const OllamaLoadedModel* loaded = ollama_model(in)) {
    figures["ollama_size_gb"] = gb(static_cast<double>(loaded->size_bytes));
    figures["ollama_vram_gb"] = gb(static_cast<double>(loaded->size_vram_bytes));
    figures["ollama_cpu_fraction"] = loaded->cpu_fraction();
    if (!model_gb) {
      model_gb = gb(static_cast<double>(loaded->size_bytes));
      model_source = "Ollama /api/ps size of " + loaded->name + " (weights, KV cache and graph)";
    }
    if (loaded->cpu_fraction() > 0) {
      warnings.push_back(fixed(loaded->cpu_fraction() * 100, 0) + "% of " + loaded->name +
                         " runs on the CPU (Ollama /api/ps: " +
                         fixed(gb(static_cast<double>(loaded->size_vram_bytes)), 2) + " of " +
                         fixed(gb(static_cast<double>(loaded->size_bytes)), 2) +
                         " GB on the GPU): decode speed is cut accordingly");
    }
  }
  if (model_gb) {
    figures["model_gb"] = *model_gb;
    figures["model_source"] = model_source;
  }

  // What the GPU held.
  if (in.device_total_bytes)
    figures["device_total_gb"] = gb(static_cast<double>(*in.device_total_bytes));
  figures["memory_kind"] = std::string(to_string(in.device_kind));
  if (in.device.peak_bytes) {
    device_gb = gb(static_cast<double>(*in.device.peak_bytes));
    figures["device_peak_gb"] = *device_gb;
    figures["device_baseline_gb"] = gb(static_cast<double>(in.device.baseline_bytes.value_or(0)));
    figures["device_delta_gb"] = gb(static_cast<double>(in.device.delta_bytes().value_or(0)));
  }
  if (in.process_tree.peak_bytes) {
    tree_gb = gb(static_cast<double>(*in.process_tree.peak_bytes));
    figures["process_tree_peak_gb"] = *tree_gb;
  }
  if (auto utilization = vllm_utilization(in)) {
    figures["vllm_gpu_memory_utilization"] = *utilization;
    if (in.device_total_bytes) {
      figures["reservation_gb"] = *utilization * gb(static_cast<double>(*in.device_total_bytes));
      figures["reservation_source"] = "vLLM gpu_memory_utilization " + fixed(*utilization, 2) +
                                      " × device total (/metrics cache_config_info)";
    }
  }

  // SGLang reserves mem_fraction_static of the card for the weights and the KV pool together.
  if (in.server != nullptr && in.server->sglang) {
    const auto& sglang = *in.server->sglang;
    if (sglang.max_total_num_tokens && !figures.contains("kv_cache_tokens"))
      figures["kv_cache_tokens"] = *sglang.max_total_num_tokens;
    if (sglang.mem_fraction_static) {
      figures["sglang_mem_fraction_static"] = *sglang.mem_fraction_static;
      if (in.device_total_bytes && !figures.contains("reservation_gb")) {
        figures["reservation_gb"] =
            *sglang.mem_fraction_static * gb(static_cast<double>(*in.device_total_bytes));
        figures["reservation_source"] = "SGLang mem_fraction_static " +
                                        fixed(*sglang.mem_fraction_static, 2) +
                                        " × device total (/server_info)";
      }
    }
  }

  nlohmann::json out = {{"measure", std::string(to_string(in.measure))},
                        {"figures", figures},
                        {"warnings", warnings}};
  auto judged = [&](std::optional<double> value, const std::string& source) {
    out["status"] = "ok";
    out["vram_gb"] = *value;
    out["source"] = source;
  };
  auto unavailable = [&](std::string reason) {
    out["status"] = "unavailable";
    out["reason"] = std::move(reason);
  };
  const std::string held =
      tree_gb ? "the server's process tree held " + fixed(*tree_gb, 2) + " GB"
              : (device_gb ? "the device held " + fixed(*device_gb, 2) + " GB" : std::string());
  switch (in.measure) {
    case MemoryMeasure::model:
      if (model_gb) {
        judged(model_gb, model_source);
      } else if (in.probe_unavailable && held.empty()) {
        unavailable(*in.probe_unavailable);
      } else {
        unavailable(
            "the model's own memory is unknown: point --server-log at vLLM's log, or "
            "benchmark through Ollama (/api/ps)" +
            (held.empty() ? std::string()
                          : "; " + held +
                                ", not judged: it includes the KV-cache "
                                "reservation (tests.vram.measure \"process_tree\" "
                                "judges that)"));
      }
      break;
    case MemoryMeasure::process_tree:
      if (tree_gb) {
        judged(tree_gb,
               "server process tree (peak, PID " + std::to_string(in.server_pid.value_or(0)) + ")");
      } else if (in.probe_unavailable) {
        unavailable(*in.probe_unavailable);
      } else if (!in.server_pid) {
        unavailable("the process tree was not sampled: pass --server-pid");
      } else {
        unavailable("no GPU memory found for the process tree of PID " +
                    std::to_string(*in.server_pid) +
                    (in.sampler_error ? ": " + *in.sampler_error : std::string()));
      }
      break;
    case MemoryMeasure::device:
      if (device_gb) {
        judged(device_gb, in.device_kind == GpuMemoryKind::unified
                              ? "device used, unified memory (peak)"
                              : "device used (peak)");
      } else {
        unavailable(in.probe_unavailable
                        ? *in.probe_unavailable
                        : (in.sampler_error ? *in.sampler_error : "no device reading"));
      }
      break;
  }
  return out;
}

}  // namespace llmwire::bench
