#pragma once
/// @file server_info.hpp
/// What a server says about itself, read from the bodies it answers with: the models it serves
/// and their context length (`/v1/models`), llama-server's `/props`, Ollama's loaded models and
/// where they sit (`/api/ps`: GPU or partly CPU), versions (`/version`, `/api/version`),
/// Prometheus `/metrics` (vLLM, llama-server, SGLang), and vLLM's memory figures from its log.
/// The parsers do no I/O; client.hpp's build adds inspect_server(), which asks a live server.
///
///     auto ps = llmwire::parse_ollama_ps(body);
///     if (ps && !ps->empty() && ps->front().cpu_fraction() > 0)
///       warn("part of the model runs on the CPU");

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmwire/error.hpp"

namespace llmwire {

/// Which server software answered.
enum class ServerKind { unknown, vllm, sglang, llama_server, ollama, simulator };
/// "unknown", "vllm", "sglang", "llama-server", "ollama", "llmwire-sim".
[[nodiscard]] std::string_view to_string(ServerKind kind) noexcept;

/// One model of an OpenAI-style `/v1/models` list.
struct ServedModel {
  std::string id;
  std::string owned_by;  ///< "vllm", "sglang", "llamacpp", "ollama"… (who serves it).
  /// The context the server runs the model with: vLLM/SGLang `max_model_len`, llama-server
  /// `meta.n_ctx`.
  std::optional<std::int64_t> context_length;
  std::optional<std::int64_t> training_context_length;  ///< llama-server `meta.n_ctx_train`.
};

/// Parses a `/v1/models` body. Errors: ErrorKind::parse when it is not JSON with a `data` array.
[[nodiscard]] Result<std::vector<ServedModel>> parse_models_list(std::string_view body);

/// What llama-server's `/props` says.
struct LlamaServerProps {
  std::string build_info;  ///< e.g. "b6500-1a2b3c4" (or "b0-unknown" for a local build).
  std::string model_path;
  std::optional<std::int64_t> context_per_slot;  ///< default_generation_settings.n_ctx
  std::optional<std::int64_t> total_slots;       ///< Requests decoded at once (`--parallel`).
  std::optional<bool> vision;                    ///< modalities.vision
  std::optional<bool> audio;                     ///< modalities.audio
};

/// Parses a `/props` body. Errors: ErrorKind::parse when it is not a JSON object.
[[nodiscard]] Result<LlamaServerProps> parse_llama_props(std::string_view body);

/// One model Ollama has loaded (`/api/ps`).
struct OllamaLoadedModel {
  std::string name;
  std::uint64_t size_bytes = 0;       ///< The model in memory: weights, KV cache and graph.
  std::uint64_t size_vram_bytes = 0;  ///< Of which on the GPU; the rest runs on the CPU.
  std::optional<std::int64_t> context_length;  ///< The `num_ctx` it was loaded with.
  std::string expires_at;                      ///< When Ollama unloads it (RFC 3339).

  /// The share of the model on the CPU, 0 to 1 (`ollama ps` shows "66%/34% CPU/GPU").
  [[nodiscard]] double cpu_fraction() const noexcept;
};

/// Parses an `/api/ps` body. Errors: ErrorKind::parse when it is not JSON with a `models` array,
/// or a size is negative or not an integer.
[[nodiscard]] Result<std::vector<OllamaLoadedModel>> parse_ollama_ps(std::string_view body);

/// What SGLang's `/server_info` (older versions: `/get_server_info`) says: its launch arguments,
/// the scheduler's figures and its version, in one flat object.
struct SglangServerInfo {
  std::string version;
  std::string model_path;
  /// `--mem-fraction-static`: the share of GPU memory SGLang reserves for the weights and the
  /// KV pool together, so the GPU's used memory is about this share of the card whatever the
  /// model's size (as vLLM's `gpu_memory_utilization`).
  std::optional<double> mem_fraction_static;
  std::optional<std::int64_t> max_total_num_tokens;  ///< The KV pool, in tokens.
  /// `--max-running-requests`: requests decoded at once (nullopt: SGLang chose).
  std::optional<std::int64_t> max_running_requests;
  std::optional<std::int64_t> context_length;  ///< `--context-length`, when it was given.
};

/// Parses a `/server_info` body. Errors: ErrorKind::parse when it is not a JSON object or
/// names no version.
[[nodiscard]] Result<SglangServerInfo> parse_sglang_server_info(std::string_view body);

/// Parses `{"version": "…"}` (vLLM `/version`, Ollama `/api/version`).
[[nodiscard]] Result<std::string> parse_version_body(std::string_view body);

/// One sample of a Prometheus exposition.
struct MetricSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;

  /// The value of label `key`, or nullopt.
  [[nodiscard]] std::optional<std::string_view> label(std::string_view key) const;
};

/// A parsed `/metrics` body.
struct ServerMetrics {
  std::vector<MetricSample> samples;
  /// `# TYPE` lines: metric family name → "counter", "gauge", "histogram", "summary"…
  std::vector<std::pair<std::string, std::string>> types;

  /// The first sample named `name` that has every label of `labels`.
  [[nodiscard]] const MetricSample* find(
      std::string_view name,
      const std::vector<std::pair<std::string, std::string>>& labels = {}) const;
  /// The sum of every sample named `name` (across engines, models…); nullopt when none.
  [[nodiscard]] std::optional<double> sum(std::string_view name) const;
  /// The q-quantile (0..1) of histogram `family` (its `_bucket` samples, summed across other
  /// labels), interpolated linearly within the bucket as Prometheus's histogram_quantile does.
  /// nullopt without buckets or observations.
  [[nodiscard]] std::optional<double> histogram_quantile(double q, std::string_view family) const;
  /// The observation count of histogram `family` (`_count`, summed), nullopt when absent.
  [[nodiscard]] std::optional<double> histogram_count(std::string_view family) const;
};

/// Parses the Prometheus text format (what vLLM, SGLang and llama-server serve): comments,
/// `# TYPE` lines, samples with labels (escaped quotes, backslashes and newlines), NaN and
/// ±Inf, optional timestamps. Errors: ErrorKind::parse naming the first bad line.
[[nodiscard]] Result<ServerMetrics> parse_prometheus(std::string_view text);

/// Everything inspect_server() (client.hpp) learned about one server.
struct ServerInfo {
  ServerKind kind = ServerKind::unknown;
  std::string url;  ///< The server root asked (no userinfo).
  /// vLLM /version, Ollama /api/version, llama-server build_info, SGLang /server_info.
  std::string version;
  std::vector<ServedModel> models;
  /// The runtime context of the model asked about (or the only one served), and where it
  /// came from ("/v1/models max_model_len", "/props n_ctx", "/api/ps context_length"…).
  std::optional<std::int64_t> context_length;
  std::string context_source;
  std::optional<LlamaServerProps> llama_props;
  std::optional<SglangServerInfo> sglang;
  std::vector<OllamaLoadedModel> ollama_loaded;
  std::optional<ServerMetrics> metrics;
  std::optional<bool> healthy;  ///< GET /health answered 2xx (nullopt: not asked / no route).
  /// What was asked and not learned, and why ("/metrics: HTTP 501"…), in asking order.
  std::vector<std::string> notes;
};

/// The server info as JSON for results files and `llmwire info --json`: every field above, the
/// metrics as a count and a summary of the series a bench reads (token counters, queue and
/// running gauges, KV-cache use and configuration, TTFT/ITL/e2e histogram p50/p90/p99).
[[nodiscard]] std::string server_info_json(const ServerInfo& info, int indent = -1);

/// vLLM's own memory figures, as its log states them at start-up.
struct VllmLogMemory {
  /// "Model loading took 15.76 GiB" (or older "Loading model weights took … GB"): the weights
  /// in GPU memory, summed over tensor-parallel ranks when each logs its own.
  std::optional<double> model_gib;
  /// "Available KV cache memory: 81.8 GiB": the KV-cache pool reserved, summed over ranks.
  std::optional<double> kv_cache_gib;
  /// "GPU KV cache size: 1,234,567 tokens".
  std::optional<std::int64_t> kv_cache_tokens;
  int lines_matched = 0;
};

/// Reads vLLM's figures from its log text. When the log holds several start-ups, the last one
/// counts. Never fails: figures it cannot find stay nullopt.
[[nodiscard]] VllmLogMemory parse_vllm_log(std::string_view text);

}  // namespace llmwire
