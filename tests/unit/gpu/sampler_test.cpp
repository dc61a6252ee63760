// GpuSampler against the fake NVML: baseline, peak and delta over a window.

#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "gpu_test_support.hpp"
#include "llmwire/gpu.hpp"

using namespace llmwire;
using gpu_test::gib;
using gpu_test::ScopedEnv;

namespace {

// Waits (bounded) until the sampler has taken more rounds than `after`.
void wait_for_samples(const GpuSampler& sampler, std::size_t after) {
  for (int i = 0; i < 400 && sampler.report().samples <= after; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

TEST_CASE("the sampler sees a rise and a fall: baseline, peak, last and delta") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  ScopedEnv devices("FAKE_NVML_DEVICES", "2");
  ScopedEnv procs("FAKE_NVML_PROCS", "");
  gpu_test::FakeHooks hooks(FAKE_NVML_FULL_PATH);
  auto probe = GpuProbe::open({.library_path = FAKE_NVML_FULL_PATH});
  REQUIRE(probe.has_value());
  hooks.set_used(0, 2 * gib);
  hooks.set_used(1, 1 * gib);

  GpuSampler sampler(*probe, {.interval = std::chrono::milliseconds(5)});
  sampler.start();
  auto after_start = sampler.report();
  CHECK(after_start.samples == 1);  // the baseline is taken synchronously
  CHECK(after_start.device.baseline_bytes == 3 * gib);

  hooks.set_used(0, 9 * gib);
  wait_for_samples(sampler, sampler.report().samples);
  wait_for_samples(sampler, sampler.report().samples);
  hooks.set_used(0, 4 * gib);
  auto report = sampler.stop();
  CHECK(report.samples >= 3);
  CHECK(report.failed_samples == 0);
  CHECK(report.device.baseline_bytes == 3 * gib);
  CHECK(report.device.peak_bytes == 10 * gib);
  CHECK(report.device.last_bytes == 5 * gib);
  CHECK(report.device.delta_bytes() == 7 * gib);
  CHECK_FALSE(report.process_tree.baseline_bytes.has_value());

  // stop() is idempotent and the window stays readable.
  auto again = sampler.stop();
  CHECK(again.samples == report.samples);
}

TEST_CASE("the sampler follows one device and a process tree") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  ScopedEnv procs("FAKE_NVML_PROCS", "101:1073741824");
  auto proc = gpu_test::scratch_dir("sampler-tree") / "proc";
  gpu_test::add_process(proc, 100, 1, "server");
  gpu_test::add_process(proc, 101, 100, "engine");
  auto probe = GpuProbe::open({.library_path = FAKE_NVML_FULL_PATH, .proc_root = proc.string()});
  REQUIRE(probe.has_value());
  GpuSampler sampler(*probe,
                     {.interval = std::chrono::milliseconds(5), .pid = 100, .device_index = 1});
  sampler.start();
  wait_for_samples(sampler, 1);
  auto report = sampler.stop();
  CHECK(report.failed_samples == 0);
  CHECK(report.device.peak_bytes == 1 * gib);  // device 1 alone
  CHECK(report.process_tree.baseline_bytes == 1 * gib);
  CHECK(report.process_tree.delta_bytes() == 0);
}

TEST_CASE("sampling failures are counted with the last error, and the sampler stops promptly") {
  ScopedEnv mode("FAKE_NVML_MODE", "mismatch");
  auto probe = GpuProbe::open({.library_path = FAKE_NVML_FULL_PATH});
  REQUIRE(probe.has_value());
  // A long interval: stop() must not wait for it.
  GpuSampler sampler(*probe, {.interval = std::chrono::milliseconds(60'000)});
  auto begin = std::chrono::steady_clock::now();
  sampler.start();
  auto report = sampler.stop();
  CHECK(std::chrono::steady_clock::now() - begin < std::chrono::seconds(5));
  CHECK(report.samples == 2);
  CHECK(report.failed_samples == 2);
  REQUIRE(report.last_error.has_value());
  CHECK(report.last_error->kind == ErrorKind::gpu_unavailable);
  CHECK_FALSE(report.device.peak_bytes.has_value());
  CHECK_FALSE(report.device.delta_bytes().has_value());
}

TEST_CASE("start and stop race safely from several threads, and a stopped sampler restarts") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  gpu_test::FakeHooks hooks(FAKE_NVML_FULL_PATH);
  auto probe = GpuProbe::open({.library_path = FAKE_NVML_FULL_PATH});
  REQUIRE(probe.has_value());
  GpuSampler sampler(*probe, {.interval = std::chrono::milliseconds(1)});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&sampler, t] {
      for (int i = 0; i < 50; ++i) {
        if ((i + t) % 2 == 0)
          sampler.start();
        else
          sampler.stop();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  sampler.stop();

  // A new window starts from scratch.
  hooks.set_used(0, 7 * gib);
  hooks.set_used(1, 0);
  sampler.start();
  auto report = sampler.stop();
  CHECK(report.samples >= 2);  // baseline and the final reading, plus any 1 ms ticks between
  CHECK(report.device.baseline_bytes == 7 * gib);
  CHECK(report.device.peak_bytes == 7 * gib);
}
