// process_tree (/proc walk) and read_unified_memory (/proc/meminfo) against constructed files.

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>

#include "gpu_test_support.hpp"
#include "llmwire/gpu.hpp"

using namespace llmwire;

TEST_CASE("process_tree: root first, then all descendants, from <proc_root>/<pid>/stat") {
  auto proc = gpu_test::scratch_dir("tree") / "proc";
  gpu_test::add_process(proc, 1, 0, "init");
  gpu_test::add_process(proc, 10, 1, "server");
  gpu_test::add_process(proc, 11, 10, "a b) S 99 (tricky");  // comm with spaces and ')'
  gpu_test::add_process(proc, 12, 11, "grandchild");
  gpu_test::add_process(proc, 13, 10, "sibling");
  gpu_test::add_process(proc, 20, 1, "unrelated");
  gpu_test::write_file(proc / "meminfo", "MemTotal: 1 kB\n");  // non-PID entries are skipped
  gpu_test::write_file(proc / "self" / "stat", "garbage");
  gpu_test::write_file(proc / "30" / "stat", "30 no parens");  // malformed: ignored

  auto tree = process_tree(10, proc.string());
  REQUIRE_MESSAGE(tree.has_value(), tree.error().message);
  REQUIRE(tree->size() == 4);
  CHECK(tree->front() == 10);
  auto sorted = *tree;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<std::uint32_t>{10, 11, 12, 13});

  auto leaf = process_tree(12, proc.string());
  REQUIRE(leaf.has_value());
  CHECK(*leaf == std::vector<std::uint32_t>{12});

  auto missing = process_tree(4242, proc.string());
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().kind == ErrorKind::io);
  CHECK(missing.error().message == "no process 4242 in " + proc.string());
}

TEST_CASE("process_tree: a parent cycle in a malformed /proc terminates") {
  auto proc = gpu_test::scratch_dir("cycle") / "proc";
  gpu_test::add_process(proc, 5, 6);
  gpu_test::add_process(proc, 6, 5);
  auto tree = process_tree(5, proc.string());
  REQUIRE(tree.has_value());
  CHECK(tree->size() == 2);
}

TEST_CASE("process_tree uses task children lists when the kernel has them") {
  auto proc = gpu_test::scratch_dir("children") / "proc";
  // The stat files say everyone's parent is 1: only the children lists link the tree, so a
  // correct answer proves they were used (and that every thread's list counts).
  for (unsigned pid : {1U, 50U, 51U, 52U, 53U, 60U}) gpu_test::add_process(proc, pid, 1);
  gpu_test::write_file(proc / "50" / "task" / "50" / "children", "51 ");
  gpu_test::write_file(proc / "50" / "task" / "57" / "children", "52 53\n");  // a thread's child
  gpu_test::write_file(proc / "51" / "task" / "51" / "children", "");
  gpu_test::write_file(proc / "52" / "task" / "52" / "children", "50 ");  // a cycle is ignored
  auto tree = process_tree(50, proc.string());
  REQUIRE(tree.has_value());
  auto sorted = *tree;
  std::sort(sorted.begin(), sorted.end());
  CHECK(tree->front() == 50);
  CHECK(sorted == std::vector<std::uint32_t>{50, 51, 52, 53});
}

TEST_CASE("process_tree on the real /proc finds this process and a child") {
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  auto tree = process_tree(static_cast<std::uint32_t>(getpid()));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  REQUIRE(tree.has_value());
  CHECK(tree->front() == static_cast<std::uint32_t>(getpid()));
  CHECK(std::find(tree->begin(), tree->end(), static_cast<std::uint32_t>(child)) != tree->end());
}

TEST_CASE("read_unified_memory: MemTotal − MemAvailable, in bytes") {
  auto dir = gpu_test::scratch_dir("meminfo");
  SUBCASE("well formed") {
    gpu_test::write_file(
        dir / "meminfo",
        "MemTotal:       131072 kB\nMemFree:          1024 kB\nMemAvailable:    65536 kB\n");
    auto memory = read_unified_memory((dir / "meminfo").string());
    REQUIRE(memory.has_value());
    CHECK(memory->kind == GpuMemoryKind::unified);
    CHECK(memory->total_bytes == 131072ULL * 1024);
    CHECK(memory->used_bytes == 65536ULL * 1024);
    CHECK(memory->free_bytes == 65536ULL * 1024);
  }
  SUBCASE("MemAvailable missing (pre-3.14 kernels) is an error, not a guess") {
    gpu_test::write_file(dir / "meminfo", "MemTotal:       131072 kB\nMemFree:          1024 kB\n");
    auto memory = read_unified_memory((dir / "meminfo").string());
    REQUIRE_FALSE(memory.has_value());
    CHECK(memory.error().kind == ErrorKind::parse);
  }
  SUBCASE("garbage numbers and available > total are rejected") {
    gpu_test::write_file(dir / "meminfo", "MemTotal: x kB\nMemAvailable: 5 kB\n");
    CHECK_FALSE(read_unified_memory((dir / "meminfo").string()).has_value());
    gpu_test::write_file(dir / "meminfo", "MemTotal: 4 kB\nMemAvailable: 5 kB\n");
    CHECK_FALSE(read_unified_memory((dir / "meminfo").string()).has_value());
  }
  SUBCASE("missing file") {
    auto memory = read_unified_memory((dir / "none").string());
    REQUIRE_FALSE(memory.has_value());
    CHECK(memory.error().kind == ErrorKind::io);
  }
  SUBCASE("the real /proc/meminfo") {
    auto memory = read_unified_memory();
    REQUIRE(memory.has_value());
    CHECK(*memory->total_bytes > 0);
    CHECK(*memory->used_bytes <= *memory->total_bytes);
  }
}
