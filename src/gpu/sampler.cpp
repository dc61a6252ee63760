// GpuSampler: a benchmark window's baseline, peak and delta of used memory.

#include <algorithm>

#include "llmwire/gpu.hpp"

namespace llmwire {

std::optional<std::uint64_t> MemoryWindow::delta_bytes() const {
  if (!baseline_bytes || !peak_bytes) return std::nullopt;
  return *peak_bytes - *baseline_bytes;
}

namespace {

void record(MemoryWindow& window, std::optional<std::uint64_t> reading) {
  if (!reading) return;
  if (!window.baseline_bytes) window.baseline_bytes = reading;
  window.peak_bytes = std::max(window.peak_bytes.value_or(0), *reading);
  window.last_bytes = reading;
}

}  // namespace

GpuSampler::GpuSampler(std::shared_ptr<const GpuProbe> probe, GpuSamplerOptions options)
    : probe_(std::move(probe)), options_(options) {}

GpuSampler::~GpuSampler() {
  stop();
}

void GpuSampler::start() {
  std::lock_guard control(control_);
  {
    std::lock_guard lock(mutex_);
    if (running_) return;
    report_ = {};
  }
  sample_once();
  std::lock_guard lock(mutex_);
  running_ = true;
  thread_ = std::thread([this] { loop(); });
}

GpuSamplerReport GpuSampler::stop() {
  std::lock_guard control(control_);
  {
    std::lock_guard lock(mutex_);
    if (!running_) return report_;
    running_ = false;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  sample_once();  // the window's end counts too
  std::lock_guard lock(mutex_);
  return report_;
}

GpuSamplerReport GpuSampler::report() const {
  std::lock_guard lock(mutex_);
  return report_;
}

void GpuSampler::loop() {
  std::unique_lock lock(mutex_);
  while (running_) {
    // wait_for with a predicate: stop() wakes us at once instead of after a full interval.
    if (wake_.wait_for(lock, options_.interval, [this] { return !running_; })) break;
    lock.unlock();
    sample_once();
    lock.lock();
  }
}

void GpuSampler::sample_once() {
  // Read outside the lock: NVML calls take tens of microseconds and report() must stay cheap.
  std::optional<std::uint64_t> device_used;
  std::optional<Error> error;
  if (options_.device_index) {
    auto memory = probe_->memory(*options_.device_index);
    if (memory)
      device_used = memory->used_bytes;
    else
      error = memory.error();
  } else {
    auto devices = probe_->devices();
    if (devices) {
      // A sum with a device missing would be a made-up figure: all devices or nothing.
      bool all_known = !devices->empty();
      std::uint64_t sum = 0;
      for (const auto& device : *devices) {
        all_known = all_known && device.memory.used_bytes.has_value();
        sum += device.memory.used_bytes.value_or(0);
      }
      if (all_known) device_used = sum;
    } else {
      error = devices.error();
    }
  }
  std::optional<std::uint64_t> tree_used;
  if (options_.pid) {
    auto usage = probe_->process_tree_usage(*options_.pid);
    if (usage)
      tree_used = usage->used_bytes;
    else if (!error)
      error = usage.error();
  }
  std::lock_guard lock(mutex_);
  ++report_.samples;
  if (error) {
    ++report_.failed_samples;
    report_.last_error = std::move(error);
  }
  record(report_.device, device_used);
  record(report_.process_tree, tree_used);
}

}  // namespace llmwire
