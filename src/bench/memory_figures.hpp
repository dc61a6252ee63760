#pragma once
// The VRAM test's figures, decided in one place: the model's own memory (vLLM's log, Ollama's
// /api/ps), the KV-cache reservation (vLLM's log or its gpu_memory_utilization), what the
// server's process tree and the device held, and which of them the threshold judges. vLLM
// reserves gpu_memory_utilization × the card up front, so the process tree of a 15.76 GiB
// model can hold ~102 GB: judging that as "the model's memory" would fail the very
// configuration a team chose for its small weights.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bench/suite.hpp"
#include "llmwire/gpu.hpp"
#include "llmwire/server_info.hpp"

namespace llmwire::bench {

struct MemoryInputs {
  MemoryMeasure measure = MemoryMeasure::model;
  std::string model;  ///< The model benchmarked (to find it in Ollama's /api/ps).
  std::optional<VllmLogMemory> vllm_log;  ///< From --server-log.
  std::string vllm_log_path;
  const ServerInfo* server = nullptr;  ///< Introspection (Ollama /api/ps, vLLM /metrics).
  /// Why the GPU was not sampled (simulated endpoint, no NVML); nullopt when it was.
  std::optional<std::string> probe_unavailable;
  std::optional<std::uint64_t> device_total_bytes;
  GpuMemoryKind device_kind = GpuMemoryKind::dedicated;
  MemoryWindow device;
  MemoryWindow process_tree;
  std::optional<std::uint32_t> server_pid;
  std::optional<std::string> sampler_error;
};

/// The VRAM test's result: `status` "ok" with `vram_gb` (the judged figure, with `source`) or
/// "unavailable" with `reason`; `measure`; every figure found under `figures`; `warnings`
/// (part of an Ollama model on the CPU).
[[nodiscard]] nlohmann::json vram_result(const MemoryInputs& in);

}  // namespace llmwire::bench
