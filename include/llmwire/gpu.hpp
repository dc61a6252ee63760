#pragma once
/// @file gpu.hpp
/// In-process GPU memory probe: NVML loaded at run time (no link-time NVIDIA dependency),
/// per-process accounting, process-tree sums from /proc, and a unified-memory fallback for
/// devices whose memory calls say NOT_SUPPORTED (DGX Spark / GB10).
///
///     auto probe = llmwire::GpuProbe::open();
///     if (!probe) return report(probe.error());          // ErrorKind::gpu_unavailable
///     auto snapshot = (*probe)->snapshot();
///     for (const auto& device : snapshot->devices)
///       if (device.memory.used_bytes) use(*device.memory.used_bytes);
///
///     llmwire::GpuSampler sampler(*probe, {.interval = std::chrono::milliseconds(50), .pid =
///     server_pid}); sampler.start(); run_benchmark(); auto window = sampler.stop(); // baseline,
///     peak, delta
///
/// Every reading is optional: a value NVML did not give is std::nullopt, never 0.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "llmwire/error.hpp"

namespace llmwire {

/// Where a device's memory figures come from.
enum class GpuMemoryKind {
  dedicated,  ///< NVML's own memory info (v2 where the driver has it; v1 includes reserved memory).
  unified,    ///< NVML said NOT_SUPPORTED: system RAM in use (MemTotal − MemAvailable,
              ///< /proc/meminfo).
};

/// "dedicated" or "unified".
[[nodiscard]] std::string_view to_string(GpuMemoryKind kind) noexcept;

/// One device's memory. Missing values are nullopt, never 0.
struct GpuMemory {
  std::optional<std::uint64_t> total_bytes;
  std::optional<std::uint64_t> used_bytes;
  std::optional<std::uint64_t> free_bytes;
  GpuMemoryKind kind = GpuMemoryKind::dedicated;
};

/// A compute process on a device, as NVML lists it.
struct GpuProcess {
  std::uint32_t pid = 0;
  std::optional<std::uint64_t> used_bytes;  ///< nullopt when NVML says "not available".
};

struct GpuDevice {
  unsigned index = 0;
  std::string name;  ///< e.g. "NVIDIA H100 80GB HBM3".
  std::string uuid;  ///< e.g. "GPU-6e3c…".
  GpuMemory memory;
  std::vector<GpuProcess> processes;
};

/// Every device at one moment.
struct GpuSnapshot {
  std::string driver_version;  ///< Empty if NVML would not say.
  std::vector<GpuDevice> devices;
};

/// A process tree's use of every device.
struct ProcessTreeUsage {
  std::uint32_t pid = 0;                  ///< The root you asked about.
  std::vector<std::uint32_t> tree;        ///< The root and all its descendants (from /proc).
  std::vector<GpuProcess> gpu_processes;  ///< Entries of the tree found on any device.
  /// Sum of the known values in `gpu_processes`; nullopt when none of the tree was found with a
  /// known value (in a container NVML may list host PIDs, so "none found" is not a reading of 0).
  std::optional<std::uint64_t> used_bytes;
};

/// Where the probe looks. Defaults suit a normal Linux host.
struct GpuProbeOptions {
  /// NVML library to load. Empty: $LLMWIRE_NVML_PATH if set, else libnvidia-ml.so.1, then
  /// libnvidia-ml.so. An explicit path (either way) is the only one tried.
  std::string library_path;
  std::string proc_root = "/proc";  ///< Process tree and default meminfo location.
  std::string meminfo_path;         ///< Empty: `<proc_root>/meminfo`.
};

/// A loaded, initialised NVML. Thread-safe: every query may be called from any thread.
/// Copying is not allowed; share it through the shared_ptr `open` returns.
class GpuProbe {
 public:
  /// Loads NVML and calls nvmlInit_v2 once. Errors (no library, missing symbol, init failed)
  /// are ErrorKind::gpu_unavailable with a one-line reason.
  [[nodiscard]] static Result<std::shared_ptr<GpuProbe>> open(GpuProbeOptions options = {});

  /// The process-wide probe with default options, opened once on first use (also its error).
  [[nodiscard]] static Result<std::shared_ptr<GpuProbe>> shared();

  ~GpuProbe();
  GpuProbe(const GpuProbe&) = delete;
  GpuProbe& operator=(const GpuProbe&) = delete;

  /// Devices, memory and processes.
  [[nodiscard]] Result<GpuSnapshot> snapshot() const;
  /// Devices and memory only (cheaper: no process lists).
  [[nodiscard]] Result<std::vector<GpuDevice>> devices() const;
  /// Number of devices.
  [[nodiscard]] Result<unsigned> device_count() const;
  /// One device's memory.
  [[nodiscard]] Result<GpuMemory> memory(unsigned index) const;
  /// One device's compute processes.
  [[nodiscard]] Result<std::vector<GpuProcess>> processes(unsigned index) const;
  /// `pid` and its descendants, summed over every device's process list.
  [[nodiscard]] Result<ProcessTreeUsage> process_tree_usage(std::uint32_t pid) const;
  /// Driver version string, e.g. "580.159.04".
  [[nodiscard]] Result<std::string> driver_version() const;

  /// The library path that was actually loaded.
  [[nodiscard]] const std::string& library_path() const noexcept;
  /// True when process lists are read with the R535 32-byte entry stride.
  [[nodiscard]] bool uses_32_byte_process_entries() const noexcept;
  /// True when memory is read with nvmlDeviceGetMemoryInfo (v1) because v2 is missing.
  [[nodiscard]] bool uses_memory_v1() const noexcept;

  struct Impl;

 private:
  explicit GpuProbe(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// `pid` and every descendant, read from `<proc_root>/<n>/stat` (root first, then breadth-first).
/// An error (ErrorKind::io) when the root itself does not exist.
[[nodiscard]] Result<std::vector<std::uint32_t>> process_tree(
    std::uint32_t pid, const std::string& proc_root = "/proc");

/// System memory as unified GPU memory: total = MemTotal, used = MemTotal − MemAvailable,
/// free = MemAvailable. An error (ErrorKind::io / parse) if the file is unreadable or lacks them.
[[nodiscard]] Result<GpuMemory> read_unified_memory(
    const std::string& meminfo_path = "/proc/meminfo");

/// Baseline, peak and last of one quantity over a sampling window; all nullopt without a reading.
struct MemoryWindow {
  std::optional<std::uint64_t> baseline_bytes;  ///< First successful reading.
  std::optional<std::uint64_t> peak_bytes;      ///< Largest reading.
  std::optional<std::uint64_t> last_bytes;      ///< Most recent reading.
  /// peak − baseline (never negative, since the peak includes the baseline).
  [[nodiscard]] std::optional<std::uint64_t> delta_bytes() const;
};

struct GpuSamplerOptions {
  std::chrono::milliseconds interval{50};
  std::optional<std::uint32_t> pid;      ///< Also sample this process tree's use.
  std::optional<unsigned> device_index;  ///< Only this device; default: the sum over all devices.
};

struct GpuSamplerReport {
  std::size_t samples = 0;         ///< Sampling rounds taken.
  std::size_t failed_samples = 0;  ///< Rounds where a reading (device or tree) failed.
  MemoryWindow device;             ///< Used memory (of the device, or summed over devices).
  MemoryWindow process_tree;       ///< The tree's use, when `pid` was given.
  std::optional<Error> last_error;
};

/// Samples used memory on a background thread during a window (a benchmark run).
/// start() takes the baseline synchronously, so a window always has one if NVML answers.
/// start(), stop() and report() may be called from any thread.
class GpuSampler {
 public:
  GpuSampler(std::shared_ptr<const GpuProbe> probe, GpuSamplerOptions options = {});
  ~GpuSampler();  ///< Stops the thread if still running.
  GpuSampler(const GpuSampler&) = delete;
  GpuSampler& operator=(const GpuSampler&) = delete;

  void start();                                   ///< Baseline now, then every `interval`.
  GpuSamplerReport stop();                        ///< Stops (with one last reading); idempotent.
  [[nodiscard]] GpuSamplerReport report() const;  ///< The window so far.

 private:
  void sample_once();
  void loop();

  std::shared_ptr<const GpuProbe> probe_;
  GpuSamplerOptions options_;
  std::mutex control_;  // serialises start() and stop() with each other
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool running_ = false;
  GpuSamplerReport report_;
  std::thread thread_;
};

}  // namespace llmwire
