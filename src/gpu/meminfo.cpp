// Unified memory (GB10 / DGX Spark): NVML's memory calls say NOT_SUPPORTED there, and the GPU's
// allocations show up as system RAM in use.

#include <charconv>
#include <fstream>
#include <string>

#include "llmwire/gpu.hpp"

namespace llmwire {

Result<GpuMemory> read_unified_memory(const std::string& meminfo_path) {
  std::ifstream in(meminfo_path);
  if (!in) return fail(ErrorKind::io, "cannot read " + meminfo_path);
  std::optional<std::uint64_t> total_kib;
  std::optional<std::uint64_t> available_kib;
  std::string line;
  // Lines look like "MemTotal:       131072000 kB".
  while (std::getline(in, line) && !(total_kib && available_kib)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string_view key(line.data(), colon);
    std::optional<std::uint64_t>* slot = key == "MemTotal"       ? &total_kib
                                         : key == "MemAvailable" ? &available_kib
                                                                 : nullptr;
    if (slot == nullptr) continue;
    auto begin = line.find_first_not_of(' ', colon + 1);
    if (begin == std::string::npos) continue;
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(line.data() + begin, line.data() + line.size(), value);
    if (ec != std::errc{} || value > UINT64_MAX / 1024) continue;
    (void)end;
    *slot = value;
  }
  if (!total_kib || !available_kib || *available_kib > *total_kib) {
    return fail(ErrorKind::parse, meminfo_path + " lacks a usable MemTotal/MemAvailable");
  }
  return GpuMemory{.total_bytes = *total_kib * 1024,
                   .used_bytes = (*total_kib - *available_kib) * 1024,
                   .free_bytes = *available_kib * 1024,
                   .kind = GpuMemoryKind::unified};
}

}  // namespace llmwire
