#pragma once
// The slice of NVML's C ABI llmwire uses, declared by hand so that no NVIDIA header or library is
// needed to build (FORMATS.md §7). Layouts are checked by static_assert against the sizes the
// driver expects, since a wrong size is exactly the bug NVML's version fields exist to catch.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace llmwire::detail::nvml {

using Return = int;                   // nvmlReturn_t
using Device = struct DeviceOpaque*;  // nvmlDevice_t

inline constexpr Return success = 0;
inline constexpr Return error_not_supported = 3;
inline constexpr Return error_insufficient_size = 7;
inline constexpr Return error_driver_not_loaded = 9;
inline constexpr Return error_library_not_found = 12;
inline constexpr Return error_function_not_found = 13;
inline constexpr Return error_argument_version_mismatch = 25;
inline constexpr Return error_unknown = 999;

/// nvmlMemory_t (v1): `used` includes memory the driver reserves.
struct MemoryV1 {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

/// nvmlMemory_v2_t: `used` matches nvidia-smi.
struct MemoryV2 {
  unsigned int version;
  unsigned long long total;
  unsigned long long reserved;
  unsigned long long free;
  unsigned long long used;
};
static_assert(sizeof(MemoryV2) == 40);
/// NVML_STRUCT_VERSION(Memory, 2) = sizeof | 2 << 24. Passing plain 2 gets error 25.
inline constexpr unsigned int memory_v2_version =
    static_cast<unsigned int>(sizeof(MemoryV2)) | (2U << 24);
static_assert(memory_v2_version == 0x02000028);

/// nvmlProcessInfo_t as nvmlDeviceGetComputeRunningProcesses_v3 fills it (24 bytes).
struct ProcessInfo {
  unsigned int pid;
  unsigned long long used_gpu_memory;
  unsigned int gpu_instance_id;
  unsigned int compute_instance_id;
};
static_assert(sizeof(ProcessInfo) == 24);
/// R535 drivers wrote entries with one more 64-bit field under the same symbol.
inline constexpr std::size_t process_info_stride_r535 = 32;
/// usedGpuMemory when the driver cannot say (NVML_VALUE_NOT_AVAILABLE).
inline constexpr unsigned long long value_not_available = ~0ULL;

inline constexpr unsigned int device_name_buffer_size = 96;  // NVML_DEVICE_NAME_V2_BUFFER_SIZE
inline constexpr unsigned int device_uuid_buffer_size = 96;  // NVML_DEVICE_UUID_V2_BUFFER_SIZE
inline constexpr unsigned int driver_version_buffer_size =
    80;  // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

using InitFn = Return (*)();
using ShutdownFn = Return (*)();
using ErrorStringFn = const char* (*)(Return);
using SystemGetDriverVersionFn = Return (*)(char*, unsigned int);
using DeviceGetCountFn = Return (*)(unsigned int*);
using DeviceGetHandleByIndexFn = Return (*)(unsigned int, Device*);
using DeviceGetStringFn = Return (*)(Device, char*, unsigned int);
using DeviceGetMemoryInfoFn = Return (*)(Device, MemoryV1*);
using DeviceGetMemoryInfoV2Fn = Return (*)(Device, MemoryV2*);
using DeviceGetProcessesFn = Return (*)(Device, unsigned int*, void*);

/// One decoded process-list entry; nullopt memory for "not available".
struct DecodedProcess {
  unsigned int pid;
  std::optional<unsigned long long> used;
};

/// Decodes `count` entries laid out `stride` bytes apart (24 or 32); pid and usedGpuMemory sit at
/// the same offsets in both layouts.
[[nodiscard]] inline std::vector<DecodedProcess> decode_processes(const std::byte* data,
                                                                  std::size_t count,
                                                                  std::size_t stride) {
  std::vector<DecodedProcess> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::byte* entry = data + i * stride;
    unsigned int pid = 0;
    unsigned long long used = 0;
    std::memcpy(&pid, entry + offsetof(ProcessInfo, pid), sizeof pid);
    std::memcpy(&used, entry + offsetof(ProcessInfo, used_gpu_memory), sizeof used);
    out.push_back({pid, used == value_not_available ? std::nullopt : std::optional(used)});
  }
  return out;
}

}  // namespace llmwire::detail::nvml
