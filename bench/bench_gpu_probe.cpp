// Cost of one GPU memory reading, and the sampler's CPU use at 20 Hz.
//
// Runs against whatever NVML the probe finds: the real driver on a GPU machine, or the test
// suite's fake library on CI/dev machines:
//   LLMWIRE_NVML_PATH=build/tests/unit_gpu/full/libnvidia-ml.so.1 build/bench/bench_gpu_probe
// Without any NVML every benchmark is skipped with the probe's error.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <ctime>
#include <thread>

#include "llmwire/gpu.hpp"

namespace {

std::shared_ptr<llmwire::GpuProbe> probe_or_skip(benchmark::State& state) {
  auto probe = llmwire::GpuProbe::shared();
  if (!probe) {
    state.SkipWithError(probe.error().message.c_str());
    return nullptr;
  }
  return *probe;
}

void BM_memory_one_device(benchmark::State& state) {
  auto probe = probe_or_skip(state);
  if (!probe) return;
  for (auto _ : state) {
    auto memory = probe->memory(0);
    benchmark::DoNotOptimize(memory);
  }
}
BENCHMARK(BM_memory_one_device)->Unit(benchmark::kMicrosecond);

void BM_devices_all(benchmark::State& state) {
  auto probe = probe_or_skip(state);
  if (!probe) return;
  for (auto _ : state) {
    auto devices = probe->devices();
    benchmark::DoNotOptimize(devices);
  }
}
BENCHMARK(BM_devices_all)->Unit(benchmark::kMicrosecond);

void BM_snapshot_with_processes(benchmark::State& state) {
  auto probe = probe_or_skip(state);
  if (!probe) return;
  for (auto _ : state) {
    auto snapshot = probe->snapshot();
    benchmark::DoNotOptimize(snapshot);
  }
}
BENCHMARK(BM_snapshot_with_processes)->Unit(benchmark::kMicrosecond);

void BM_process_tree_usage_self(benchmark::State& state) {
  auto probe = probe_or_skip(state);
  if (!probe) return;
  const auto self = static_cast<std::uint32_t>(getpid());
  for (auto _ : state) {
    auto usage = probe->process_tree_usage(self);
    benchmark::DoNotOptimize(usage);
  }
}
BENCHMARK(BM_process_tree_usage_self)->Unit(benchmark::kMicrosecond);

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// The main thread sleeps through the window, so the process's CPU time is the sampler's.
// Arg 0: devices only; arg 1: also the process tree of this process (a /proc walk per tick).
void BM_sampler_20hz_cpu(benchmark::State& state) {
  auto probe = probe_or_skip(state);
  if (!probe) return;
  const bool with_tree = state.range(0) == 1;
  const auto window = std::chrono::seconds(2);
  double cpu = 0;
  double wall = 0;
  std::size_t samples = 0;
  for (auto _ : state) {
    llmwire::GpuSamplerOptions options{.interval = std::chrono::milliseconds(50)};
    if (with_tree) options.pid = static_cast<std::uint32_t>(getpid());
    llmwire::GpuSampler sampler(probe, options);
    double cpu_before = process_cpu_seconds();
    auto wall_before = std::chrono::steady_clock::now();
    sampler.start();
    std::this_thread::sleep_for(window);
    samples += sampler.stop().samples;
    cpu += process_cpu_seconds() - cpu_before;
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  }
  state.counters["cpu_percent"] = 100.0 * cpu / wall;
  state.counters["cpu_us_per_sample"] = 1e6 * cpu / static_cast<double>(samples);
  state.counters["samples"] = static_cast<double>(samples);
}
BENCHMARK(BM_sampler_20hz_cpu)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
