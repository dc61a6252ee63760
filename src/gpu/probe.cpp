// GpuProbe: NVML loaded with dlopen, so llmwire runs (and says why not) on machines without the
// NVIDIA driver, and builds on machines without its headers.

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <unordered_set>
#include <utility>

#include "gpu/nvml_api.hpp"
#include "llmwire/gpu.hpp"

namespace llmwire {

namespace nvml = detail::nvml;

std::string_view to_string(GpuMemoryKind kind) noexcept {
  switch (kind) {
    case GpuMemoryKind::dedicated: return "dedicated";
    case GpuMemoryKind::unified: return "unified";
  }
  return "unknown";
}

struct GpuProbe::Impl {
  void* handle = nullptr;
  std::string path;
  GpuProbeOptions options;
  bool stride32 = false;

  nvml::InitFn init = nullptr;
  nvml::ShutdownFn shutdown = nullptr;
  nvml::ErrorStringFn error_string = nullptr;
  nvml::SystemGetDriverVersionFn driver_version = nullptr;
  nvml::DeviceGetCountFn device_count = nullptr;
  nvml::DeviceGetHandleByIndexFn handle_by_index = nullptr;
  nvml::DeviceGetStringFn name = nullptr;
  nvml::DeviceGetStringFn uuid = nullptr;
  nvml::DeviceGetMemoryInfoFn memory_v1 = nullptr;
  nvml::DeviceGetMemoryInfoV2Fn memory_v2 = nullptr;
  nvml::DeviceGetProcessesFn processes = nullptr;

  ~Impl() {
    if (handle != nullptr) {
      if (shutdown != nullptr) shutdown();
      dlclose(handle);
    }
  }

  template <class Fn>
  Fn symbol(const char* name) const {
    // POSIX guarantees a data pointer from dlsym converts to a function pointer.
    return reinterpret_cast<Fn>(dlsym(handle, name));
  }

  std::string describe(nvml::Return code) const {
    const char* text = error_string != nullptr ? error_string(code) : nullptr;
    std::string out = text != nullptr && *text != '\0' ? text : "unknown NVML error";
    return out + " (NVML error " + std::to_string(code) + ")";
  }

  tl::unexpected<Error> failure(const std::string& call, nvml::Return code) const {
    return fail(ErrorKind::gpu_unavailable, call + ": " + describe(code));
  }

  Result<nvml::Device> device(unsigned index) const {
    nvml::Device device = nullptr;
    nvml::Return code = handle_by_index(index, &device);
    if (code != nvml::success) {
      return failure("nvmlDeviceGetHandleByIndex_v2(" + std::to_string(index) + ")", code);
    }
    return device;
  }

  Result<unsigned> count() const {
    unsigned n = 0;
    nvml::Return code = device_count(&n);
    if (code != nvml::success) return failure("nvmlDeviceGetCount_v2", code);
    return n;
  }

  std::string device_string(nvml::DeviceGetStringFn fn, nvml::Device device, unsigned size) const {
    if (fn == nullptr) return {};
    std::string buffer(size, '\0');
    if (fn(device, buffer.data(), size) != nvml::success) return {};
    buffer.resize(buffer.find('\0') == std::string::npos ? size : buffer.find('\0'));
    return buffer;
  }

  std::string meminfo_path() const {
    return options.meminfo_path.empty() ? options.proc_root + "/meminfo" : options.meminfo_path;
  }

  Result<GpuMemory> memory(unsigned index, nvml::Device device) const {
    nvml::Return code = nvml::error_function_not_found;
    std::string call;
    if (memory_v2 != nullptr) {
      nvml::MemoryV2 m{};
      m.version = nvml::memory_v2_version;
      code = memory_v2(device, &m);
      call = "nvmlDeviceGetMemoryInfo_v2";
      if (code == nvml::success) {
        return GpuMemory{.total_bytes = m.total,
                         .used_bytes = m.used,
                         .free_bytes = m.free,
                         .kind = GpuMemoryKind::dedicated};
      }
    }
    // v1 only stands in when v2 is missing or not supported; a v2 error such as a version
    // mismatch is a real failure and must not be papered over with v1's larger `used`.
    if (memory_v1 != nullptr && (memory_v2 == nullptr || code == nvml::error_not_supported)) {
      nvml::MemoryV1 m{};
      code = memory_v1(device, &m);
      call = "nvmlDeviceGetMemoryInfo";
      if (code == nvml::success) {
        return GpuMemory{.total_bytes = m.total,
                         .used_bytes = m.used,
                         .free_bytes = m.free,
                         .kind = GpuMemoryKind::dedicated};
      }
    }
    if (code == nvml::error_not_supported) {
      // GB10 / DGX Spark: GPU and CPU share system RAM, which /proc/meminfo accounts for.
      auto unified = read_unified_memory(meminfo_path());
      if (unified) return *unified;
      return GpuMemory{.kind = GpuMemoryKind::unified};
    }
    return failure(call + "(" + std::to_string(index) + ")", code);
  }

  Result<std::vector<GpuProcess>> process_list(unsigned index, nvml::Device device) const {
    if (processes == nullptr) {
      return fail(ErrorKind::gpu_unavailable,
                  "nvmlDeviceGetComputeRunningProcesses_v3 is missing from " + path);
    }
    const std::string call =
        "nvmlDeviceGetComputeRunningProcesses_v3(" + std::to_string(index) + ")";
    const std::size_t stride =
        stride32 ? nvml::process_info_stride_r535 : sizeof(nvml::ProcessInfo);
    unsigned count = 0;
    nvml::Return code = processes(device, &count, nullptr);
    if (code == nvml::success) return std::vector<GpuProcess>{};  // no processes
    if (code == nvml::error_not_supported) return std::vector<GpuProcess>{};
    if (code != nvml::error_insufficient_size) return failure(call, code);
    // Processes start between the sizing call and the real one: ask with slack, and grow on
    // another INSUFFICIENT_SIZE a few times before giving up.
    std::vector<unsigned long long> buffer;  // 8-byte aligned storage for the entries
    for (int attempt = 0; attempt < 5; ++attempt) {
      unsigned capacity = count + count / 2 + 8;
      buffer.assign(
          (capacity * stride + sizeof(unsigned long long) - 1) / sizeof(unsigned long long), 0);
      unsigned got = capacity;
      code = processes(device, &got, buffer.data());
      if (code == nvml::success) {
        auto decoded = nvml::decode_processes(reinterpret_cast<const std::byte*>(buffer.data()),
                                              std::min(got, capacity), stride);
        std::vector<GpuProcess> out;
        out.reserve(decoded.size());
        for (const auto& entry : decoded)
          out.push_back({.pid = entry.pid, .used_bytes = entry.used});
        return out;
      }
      if (code != nvml::error_insufficient_size) return failure(call, code);
      count = std::max(got, capacity * 2);
    }
    return failure(call + " kept growing", code);
  }
};

GpuProbe::GpuProbe(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuProbe::~GpuProbe() = default;

Result<std::shared_ptr<GpuProbe>> GpuProbe::open(GpuProbeOptions options) {
  std::vector<std::string> candidates;
  if (!options.library_path.empty()) {
    candidates.push_back(options.library_path);
  } else if (const char* env = std::getenv("LLMWIRE_NVML_PATH"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  } else {
    candidates = {"libnvidia-ml.so.1", "libnvidia-ml.so"};
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  std::string reasons;
  for (const auto& candidate : candidates) {
    dlerror();
    impl->handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (impl->handle != nullptr) {
      impl->path = candidate;
      break;
    }
    const char* why = dlerror();
    reasons += (reasons.empty() ? "" : "; ") + std::string(why != nullptr ? why : candidate);
  }
  if (impl->handle == nullptr) {
    return fail(ErrorKind::gpu_unavailable, "no NVIDIA driver: cannot load NVML (" + reasons + ")");
  }

  impl->init = impl->symbol<nvml::InitFn>("nvmlInit_v2");
  impl->shutdown = impl->symbol<nvml::ShutdownFn>("nvmlShutdown");
  impl->error_string = impl->symbol<nvml::ErrorStringFn>("nvmlErrorString");
  impl->driver_version = impl->symbol<nvml::SystemGetDriverVersionFn>("nvmlSystemGetDriverVersion");
  impl->device_count = impl->symbol<nvml::DeviceGetCountFn>("nvmlDeviceGetCount_v2");
  impl->handle_by_index =
      impl->symbol<nvml::DeviceGetHandleByIndexFn>("nvmlDeviceGetHandleByIndex_v2");
  impl->name = impl->symbol<nvml::DeviceGetStringFn>("nvmlDeviceGetName");
  impl->uuid = impl->symbol<nvml::DeviceGetStringFn>("nvmlDeviceGetUUID");
  impl->memory_v1 = impl->symbol<nvml::DeviceGetMemoryInfoFn>("nvmlDeviceGetMemoryInfo");
  impl->memory_v2 = impl->symbol<nvml::DeviceGetMemoryInfoV2Fn>("nvmlDeviceGetMemoryInfo_v2");
  impl->processes =
      impl->symbol<nvml::DeviceGetProcessesFn>("nvmlDeviceGetComputeRunningProcesses_v3");
  // nvitop's rule: R535 (has ConfCompute, lacks RunningProcessDetailList) wrote 32-byte entries.
  impl->stride32 = impl->symbol<void*>("nvmlDeviceGetConfComputeMemSizeInfo") != nullptr &&
                   impl->symbol<void*>("nvmlDeviceGetRunningProcessDetailList") == nullptr;

  std::string missing;
  auto require = [&](const void* fn, const char* name) {
    if (fn == nullptr) missing += (missing.empty() ? "" : ", ") + std::string(name);
  };
  require(reinterpret_cast<const void*>(impl->init), "nvmlInit_v2");
  require(reinterpret_cast<const void*>(impl->shutdown), "nvmlShutdown");
  require(reinterpret_cast<const void*>(impl->device_count), "nvmlDeviceGetCount_v2");
  require(reinterpret_cast<const void*>(impl->handle_by_index), "nvmlDeviceGetHandleByIndex_v2");
  if (impl->memory_v1 == nullptr && impl->memory_v2 == nullptr) {
    require(nullptr, "nvmlDeviceGetMemoryInfo_v2");
  }
  if (!missing.empty()) {
    auto path = impl->path;
    impl->shutdown = nullptr;  // never initialised: don't shut down on the way out
    return fail(ErrorKind::gpu_unavailable,
                "NVML at " + path + " lacks " + missing + " (driver too old?)");
  }
  nvml::Return code = impl->init();
  if (code != nvml::success) {
    auto message = "nvmlInit_v2 failed: " + impl->describe(code);
    impl->shutdown = nullptr;
    return fail(ErrorKind::gpu_unavailable, message);
  }
  return std::shared_ptr<GpuProbe>(new GpuProbe(std::move(impl)));
}

Result<std::shared_ptr<GpuProbe>> GpuProbe::shared() {
  // A function-local static initialises exactly once, even with concurrent first callers.
  static const Result<std::shared_ptr<GpuProbe>> probe = open();
  return probe;
}

const std::string& GpuProbe::library_path() const noexcept {
  return impl_->path;
}
bool GpuProbe::uses_32_byte_process_entries() const noexcept {
  return impl_->stride32;
}
bool GpuProbe::uses_memory_v1() const noexcept {
  return impl_->memory_v2 == nullptr;
}

Result<unsigned> GpuProbe::device_count() const {
  return impl_->count();
}

Result<std::string> GpuProbe::driver_version() const {
  if (impl_->driver_version == nullptr) {
    return fail(ErrorKind::gpu_unavailable, "nvmlSystemGetDriverVersion is missing");
  }
  std::string buffer(nvml::driver_version_buffer_size, '\0');
  nvml::Return code = impl_->driver_version(buffer.data(), nvml::driver_version_buffer_size);
  if (code != nvml::success) return impl_->failure("nvmlSystemGetDriverVersion", code);
  buffer.resize(buffer.find('\0') == std::string::npos ? buffer.size() : buffer.find('\0'));
  return buffer;
}

Result<GpuMemory> GpuProbe::memory(unsigned index) const {
  auto device = impl_->device(index);
  if (!device) return tl::unexpected(device.error());
  return impl_->memory(index, *device);
}

Result<std::vector<GpuProcess>> GpuProbe::processes(unsigned index) const {
  auto device = impl_->device(index);
  if (!device) return tl::unexpected(device.error());
  return impl_->process_list(index, *device);
}

Result<std::vector<GpuDevice>> GpuProbe::devices() const {
  auto count = impl_->count();
  if (!count) return tl::unexpected(count.error());
  std::vector<GpuDevice> out;
  out.reserve(*count);
  for (unsigned index = 0; index < *count; ++index) {
    auto device = impl_->device(index);
    if (!device) return tl::unexpected(device.error());
    auto memory = impl_->memory(index, *device);
    if (!memory) return tl::unexpected(memory.error());
    out.push_back(
        GpuDevice{.index = index,
                  .name = impl_->device_string(impl_->name, *device, nvml::device_name_buffer_size),
                  .uuid = impl_->device_string(impl_->uuid, *device, nvml::device_uuid_buffer_size),
                  .memory = *memory,
                  .processes = {}});
  }
  return out;
}

Result<GpuSnapshot> GpuProbe::snapshot() const {
  auto devices = this->devices();
  if (!devices) return tl::unexpected(devices.error());
  GpuSnapshot snapshot;
  snapshot.driver_version = driver_version().value_or(std::string{});
  for (auto& device : *devices) {
    auto list = processes(device.index);
    if (!list) return tl::unexpected(list.error());
    device.processes = std::move(*list);
  }
  snapshot.devices = std::move(*devices);
  return snapshot;
}

Result<ProcessTreeUsage> GpuProbe::process_tree_usage(std::uint32_t pid) const {
  auto tree = process_tree(pid, impl_->options.proc_root);
  if (!tree) return tl::unexpected(tree.error());
  auto count = impl_->count();
  if (!count) return tl::unexpected(count.error());
  ProcessTreeUsage usage{.pid = pid, .tree = std::move(*tree)};
  std::unordered_set<std::uint32_t> members(usage.tree.begin(), usage.tree.end());
  for (unsigned index = 0; index < *count; ++index) {
    auto list = processes(index);
    if (!list) return tl::unexpected(list.error());
    for (const auto& process : *list) {
      if (!members.contains(process.pid)) continue;
      usage.gpu_processes.push_back(process);
      if (process.used_bytes) usage.used_bytes = usage.used_bytes.value_or(0) + *process.used_bytes;
    }
  }
  return usage;
}

}  // namespace llmwire
