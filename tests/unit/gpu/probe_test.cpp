// GpuProbe against the fake libnvidia-ml.so.1 variants built by tests/unit/gpu/CMakeLists.txt.

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "gpu/nvml_api.hpp"
#include "gpu_test_support.hpp"
#include "llmwire/gpu.hpp"

using namespace llmwire;
using gpu_test::gib;
using gpu_test::ScopedEnv;

namespace {

Result<std::shared_ptr<GpuProbe>> open_fake(const char* path, GpuProbeOptions options = {}) {
  options.library_path = path;
  return GpuProbe::open(std::move(options));
}

const GpuProcess* find_pid(const std::vector<GpuProcess>& list, std::uint32_t pid) {
  auto it =
      std::find_if(list.begin(), list.end(), [&](const GpuProcess& p) { return p.pid == pid; });
  return it == list.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("a discrete GPU: devices, v2 memory, processes, driver version") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  ScopedEnv procs("FAKE_NVML_PROCS", "4242:1073741824,4343:2147483648");
  gpu_test::FakeHooks hooks(FAKE_NVML_FULL_PATH);
  REQUIRE(hooks.loaded());
  auto probe = open_fake(FAKE_NVML_FULL_PATH);
  REQUIRE_MESSAGE(probe.has_value(), probe.error().message);
  CHECK((*probe)->library_path() == FAKE_NVML_FULL_PATH);
  CHECK_FALSE((*probe)->uses_memory_v1());
  CHECK_FALSE((*probe)->uses_32_byte_process_entries());

  auto snapshot = (*probe)->snapshot();
  REQUIRE_MESSAGE(snapshot.has_value(), snapshot.error().message);
  CHECK(snapshot->driver_version == "999.99.99-fake");
  REQUIRE(snapshot->devices.size() == 2);
  const auto& gpu0 = snapshot->devices[0];
  CHECK(gpu0.index == 0);
  CHECK(gpu0.name == "Fake GPU 0");
  CHECK(gpu0.uuid == "GPU-fake-0000-0");
  CHECK(gpu0.memory.kind == GpuMemoryKind::dedicated);
  CHECK(gpu0.memory.total_bytes == 80 * gib);
  // v2's `used` excludes the driver's 0.5 GiB reservation; free is what is left after both.
  CHECK(gpu0.memory.used_bytes == 10 * gib);
  CHECK(gpu0.memory.free_bytes == 80 * gib - gib / 2 - 10 * gib);
  REQUIRE(gpu0.processes.size() == 2);
  CHECK(gpu0.processes[0].pid == 4242);
  CHECK(gpu0.processes[0].used_bytes == gib);
  CHECK(gpu0.processes[1].pid == 4343);
  CHECK(gpu0.processes[1].used_bytes == 2 * gib);
  CHECK(snapshot->devices[1].memory.used_bytes == gib);
  CHECK(snapshot->devices[1].processes.empty());
}

TEST_CASE("the probe sends nvmlMemory_v2_t version 0x02000028, and a mismatch is an error") {
  gpu_test::FakeHooks hooks(FAKE_NVML_FULL_PATH);
  REQUIRE(hooks.loaded());
  SUBCASE("the right version value is what reaches the driver") {
    ScopedEnv mode("FAKE_NVML_MODE", "discrete");
    auto probe = open_fake(FAKE_NVML_FULL_PATH);
    REQUIRE(probe.has_value());
    auto memory = (*probe)->memory(0);
    REQUIRE_MESSAGE(memory.has_value(), memory.error().message);
    CHECK(hooks.last_memory_version() == 0x02000028U);
    CHECK(detail::nvml::memory_v2_version == 0x02000028U);
  }
  SUBCASE("a driver expecting another version answers 25: reported, not papered over with v1") {
    ScopedEnv mode("FAKE_NVML_MODE", "mismatch");
    auto probe = open_fake(FAKE_NVML_FULL_PATH);
    REQUIRE(probe.has_value());
    auto memory = (*probe)->memory(0);
    REQUIRE_FALSE(memory.has_value());
    CHECK(memory.error().kind == ErrorKind::gpu_unavailable);
    CHECK(memory.error().message ==
          "nvmlDeviceGetMemoryInfo_v2(0): Argument version mismatch (NVML error 25)");
    CHECK(hooks.last_memory_version() == 0x02000028U);
    auto snapshot = (*probe)->snapshot();
    REQUIRE_FALSE(snapshot.has_value());
    CHECK(snapshot.error().message.find("version mismatch") != std::string::npos);
  }
}

TEST_CASE("GB10-like unified memory: NOT_SUPPORTED memory falls back to /proc/meminfo") {
  ScopedEnv mode("FAKE_NVML_MODE", "gb10");
  ScopedEnv devices("FAKE_NVML_DEVICES", "1");
  ScopedEnv procs("FAKE_NVML_PROCS", "777:3221225472");
  auto dir = gpu_test::scratch_dir("gb10");
  gpu_test::write_file(dir / "meminfo",
                       "MemTotal:       125000000 kB\nMemFree:         1000000 kB\n"
                       "MemAvailable:    25000000 kB\nBuffers:           1000 kB\n");
  SUBCASE("meminfo readable") {
    auto probe = open_fake(FAKE_NVML_FULL_PATH, {.meminfo_path = (dir / "meminfo").string()});
    REQUIRE(probe.has_value());
    auto snapshot = (*probe)->snapshot();
    REQUIRE_MESSAGE(snapshot.has_value(), snapshot.error().message);
    REQUIRE(snapshot->devices.size() == 1);
    const auto& device = snapshot->devices[0];
    CHECK(device.name == "NVIDIA GB10");
    CHECK(device.memory.kind == GpuMemoryKind::unified);
    CHECK(device.memory.total_bytes == 125000000ULL * 1024);
    CHECK(device.memory.used_bytes == 100000000ULL * 1024);
    CHECK(device.memory.free_bytes == 25000000ULL * 1024);
    // Per-process accounting still works there.
    REQUIRE(device.processes.size() == 1);
    CHECK(device.processes[0].pid == 777);
    CHECK(device.processes[0].used_bytes == 3 * gib);
  }
  SUBCASE("meminfo unreadable: unified with no values, never zeros") {
    auto probe = open_fake(FAKE_NVML_FULL_PATH, {.meminfo_path = (dir / "missing").string()});
    REQUIRE(probe.has_value());
    auto memory = (*probe)->memory(0);
    REQUIRE(memory.has_value());
    CHECK(memory->kind == GpuMemoryKind::unified);
    CHECK_FALSE(memory->total_bytes.has_value());
    CHECK_FALSE(memory->used_bytes.has_value());
    CHECK_FALSE(memory->free_bytes.has_value());
  }
}

TEST_CASE("process-list INSUFFICIENT_SIZE protocol: processes appearing between calls") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  ScopedEnv procs("FAKE_NVML_PROCS", "1:1024");
  // Each of the first two calls adds 20 processes: more than the slack, so the probe must retry.
  ScopedEnv grow("FAKE_NVML_GROW", "20");
  gpu_test::FakeHooks hooks(FAKE_NVML_FULL_PATH);
  auto probe = open_fake(FAKE_NVML_FULL_PATH);
  REQUIRE(probe.has_value());
  auto list = (*probe)->processes(0);
  REQUIRE_MESSAGE(list.has_value(), list.error().message);
  CHECK(list->size() == 41);
  CHECK(hooks.process_calls() >= 3);
  REQUIRE(find_pid(*list, 1) != nullptr);
  CHECK(find_pid(*list, 1)->used_bytes == 1024);
  for (const auto& process : *list) {
    if (process.pid != 1) CHECK(process.used_bytes == (1ULL << 20));
  }
}

TEST_CASE("process list: no processes is an empty list after the sizing call") {
  ScopedEnv procs("FAKE_NVML_PROCS", "");
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  auto probe = open_fake(FAKE_NVML_FULL_PATH);
  REQUIRE(probe.has_value());
  auto list = (*probe)->processes(0);
  REQUIRE(list.has_value());
  CHECK(list->empty());
}

TEST_CASE("\"not available\" per-process values are nullopt, not a huge number or 0") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  ScopedEnv procs("FAKE_NVML_PROCS", "10:na,11:4096");
  auto probe = open_fake(FAKE_NVML_FULL_PATH);
  REQUIRE(probe.has_value());
  auto list = (*probe)->processes(0);
  REQUIRE(list.has_value());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].pid == 10);
  CHECK_FALSE((*list)[0].used_bytes.has_value());
  CHECK((*list)[1].used_bytes == 4096);
}

TEST_CASE("R535 drivers: 32-byte process entries when ConfCompute exists and DetailList does not") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  ScopedEnv procs("FAKE_NVML_PROCS", "501:1000,502:2000,503:na");
  auto probe = open_fake(FAKE_NVML_R535_PATH);
  REQUIRE_MESSAGE(probe.has_value(), probe.error().message);
  CHECK((*probe)->uses_32_byte_process_entries());
  auto list = (*probe)->processes(0);
  REQUIRE(list.has_value());
  REQUIRE(list->size() == 3);
  CHECK((*list)[0].pid == 501);
  CHECK((*list)[0].used_bytes == 1000);
  CHECK((*list)[1].pid == 502);
  CHECK((*list)[1].used_bytes == 2000);
  CHECK((*list)[2].pid == 503);
  CHECK_FALSE((*list)[2].used_bytes.has_value());
}

TEST_CASE("decode_processes reads pid and memory at the same offsets for both strides") {
  for (std::size_t stride : {std::size_t{24}, std::size_t{32}}) {
    std::vector<std::byte> buffer(stride * 2, std::byte{0xCD});
    unsigned pid = 9;
    unsigned long long used = 12345, na = ~0ULL;
    std::memcpy(buffer.data(), &pid, 4);
    std::memcpy(buffer.data() + 8, &used, 8);
    std::memcpy(buffer.data() + stride, &pid, 4);
    std::memcpy(buffer.data() + stride + 8, &na, 8);
    auto decoded = detail::nvml::decode_processes(buffer.data(), 2, stride);
    REQUIRE(decoded.size() == 2);
    CHECK(decoded[0].pid == 9);
    CHECK(decoded[0].used == 12345ULL);
    CHECK_FALSE(decoded[1].used.has_value());
  }
}

TEST_CASE("v1 memory is used only when the v2 symbol is missing") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  auto probe = open_fake(FAKE_NVML_NO_MEMORY_V2_PATH);
  REQUIRE_MESSAGE(probe.has_value(), probe.error().message);
  CHECK((*probe)->uses_memory_v1());
  auto memory = (*probe)->memory(0);
  REQUIRE(memory.has_value());
  CHECK(memory->kind == GpuMemoryKind::dedicated);
  // v1's used includes the 0.5 GiB reservation.
  CHECK(memory->used_bytes == 10 * gib + gib / 2);
  CHECK(memory->total_bytes == 80 * gib);
}

TEST_CASE("a library missing a required symbol is a clear error") {
  auto probe = open_fake(FAKE_NVML_NO_INIT_PATH);
  REQUIRE_FALSE(probe.has_value());
  CHECK(probe.error().kind == ErrorKind::gpu_unavailable);
  CHECK(probe.error().message ==
        std::string("NVML at ") + FAKE_NVML_NO_INIT_PATH + " lacks nvmlInit_v2 (driver too old?)");
}

TEST_CASE("nvmlInit failing (driver not loaded) is a clear error") {
  ScopedEnv mode("FAKE_NVML_MODE", "init_fail");
  gpu_test::FakeHooks hooks(FAKE_NVML_FULL_PATH);
  int shutdowns = hooks.shutdown_calls();
  auto probe = open_fake(FAKE_NVML_FULL_PATH);
  REQUIRE_FALSE(probe.has_value());
  CHECK(probe.error().kind == ErrorKind::gpu_unavailable);
  CHECK(probe.error().message == "nvmlInit_v2 failed: Driver Not Loaded (NVML error 9)");
  CHECK(hooks.shutdown_calls() == shutdowns);  // never initialised, so never shut down
}

TEST_CASE("no library, or a file that is not a library: an error, never a crash") {
  auto dir = gpu_test::scratch_dir("broken");
  SUBCASE("missing") {
    auto probe = open_fake((dir / "nothing" / "libnvidia-ml.so.1").c_str());
    REQUIRE_FALSE(probe.has_value());
    CHECK(probe.error().kind == ErrorKind::gpu_unavailable);
    CHECK(probe.error().message.rfind("no NVIDIA driver: cannot load NVML (", 0) == 0);
  }
  SUBCASE("garbage bytes") {
    gpu_test::write_file(dir / "libnvidia-ml.so.1", std::string(4096, '\x7f'));
    auto probe = open_fake((dir / "libnvidia-ml.so.1").c_str());
    REQUIRE_FALSE(probe.has_value());
    CHECK(probe.error().kind == ErrorKind::gpu_unavailable);
    CHECK(probe.error().message.find("libnvidia-ml.so.1") != std::string::npos);
  }
  SUBCASE("LLMWIRE_NVML_PATH is the only path tried when set") {
    ScopedEnv path("LLMWIRE_NVML_PATH", (dir / "nope.so").string());
    auto probe = GpuProbe::open();
    REQUIRE_FALSE(probe.has_value());
    CHECK(probe.error().message.find("nope.so") != std::string::npos);
    CHECK(probe.error().message.find("libnvidia-ml.so.1") == std::string::npos);
  }
}

TEST_CASE("LLMWIRE_NVML_PATH selects the library; shared() initialises once") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  ScopedEnv path("LLMWIRE_NVML_PATH", FAKE_NVML_FULL_PATH);
  gpu_test::FakeHooks hooks(FAKE_NVML_FULL_PATH);
  auto direct = GpuProbe::open();
  REQUIRE(direct.has_value());
  CHECK((*direct)->library_path() == FAKE_NVML_FULL_PATH);
  int before = hooks.init_calls();
  std::vector<std::thread> threads;
  std::vector<const GpuProbe*> seen(8, nullptr);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] {
      auto shared = GpuProbe::shared();
      if (shared) seen[i] = shared->get();
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(seen[0] != nullptr);
  for (const auto* probe : seen) CHECK(probe == seen[0]);
  CHECK(hooks.init_calls() - before <= 1);
}

TEST_CASE("one probe is safe to query from many threads") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  ScopedEnv procs("FAKE_NVML_PROCS", "4242:1073741824");
  auto probe = open_fake(FAKE_NVML_FULL_PATH);
  REQUIRE(probe.has_value());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto snapshot = (*probe)->snapshot();
        if (!snapshot || snapshot->devices.size() != 2 ||
            snapshot->devices[0].processes.size() != 1 ||
            snapshot->devices[0].memory.used_bytes != 10 * gib) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.load() == 0);
}

TEST_CASE("process_tree_usage sums the PID and its descendants across devices") {
  ScopedEnv mode("FAKE_NVML_MODE", "discrete");
  ScopedEnv procs("FAKE_NVML_PROCS", "101:1073741824,102:2147483648,200:4294967296,103:na");
  auto dir = gpu_test::scratch_dir("tree-usage");
  auto proc = dir / "proc";
  gpu_test::add_process(proc, 1, 0, "init");
  gpu_test::add_process(proc, 100, 1, "vllm");
  gpu_test::add_process(proc, 101, 100, "VLLM::EngineCore");
  gpu_test::add_process(proc, 102, 101, "python3 (worker) )");
  gpu_test::add_process(proc, 103, 100, "ollama runner");
  gpu_test::add_process(proc, 200, 1, "other");
  gpu_test::add_process(proc, 300, 1, "idle");
  auto probe = open_fake(FAKE_NVML_FULL_PATH, {.proc_root = proc.string()});
  REQUIRE(probe.has_value());

  auto usage = (*probe)->process_tree_usage(100);
  REQUIRE_MESSAGE(usage.has_value(), usage.error().message);
  CHECK(usage->pid == 100);
  CHECK(usage->tree.size() == 4);
  CHECK(usage->gpu_processes.size() == 3);  // 101, 102 and 103 (not available)
  CHECK(usage->used_bytes == 3 * gib);

  auto other = (*probe)->process_tree_usage(200);
  REQUIRE(other.has_value());
  CHECK(other->used_bytes == 4 * gib);

  auto unknown_only = (*probe)->process_tree_usage(103);
  REQUIRE(unknown_only.has_value());
  CHECK(unknown_only->gpu_processes.size() == 1);
  CHECK_FALSE(unknown_only->used_bytes.has_value());

  auto whole = (*probe)->process_tree_usage(1);
  REQUIRE(whole.has_value());
  CHECK(whole->tree.size() == 7);
  CHECK(whole->used_bytes == 7 * gib);

  // Nothing of the tree on any GPU: no reading (NVML may list host PIDs), rather than 0.
  auto idle = (*probe)->process_tree_usage(300);
  REQUIRE(idle.has_value());
  CHECK(idle->gpu_processes.empty());
  CHECK_FALSE(idle->used_bytes.has_value());

  auto missing = (*probe)->process_tree_usage(999);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().kind == ErrorKind::io);
}
