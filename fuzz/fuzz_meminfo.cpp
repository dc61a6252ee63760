// /proc/meminfo as unified GPU memory (DGX Spark): any file content gives a reading or an
// error, never a crash, and a reading never has used > total.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "llmwire/gpu.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/llmwire_fuzz_meminfo_" + std::to_string(::getpid());
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  std::fwrite(data, 1, size, file);
  std::fclose(file);
  auto memory = llmwire::read_unified_memory(path);
  if (memory && memory->used_bytes && memory->total_bytes &&
      *memory->used_bytes > *memory->total_bytes)
    std::abort();
  return 0;
}
