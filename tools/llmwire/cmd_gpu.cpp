// `llmwire gpu [--json] [--pid PID] [--watch MS] [--nvml PATH]`: GPU memory as llmwire's probe
// reads it in-process (NVML loaded at run time; unified memory from /proc/meminfo).

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "args.hpp"
#include "commands.hpp"
#include "llmwire/gpu.hpp"

namespace llmwire::cli {

namespace {

constexpr OptionSpec gpu_options[] = {
    {"json", false},
    {"pid", true},
    {"watch", true},
    {"nvml", true},
};

constexpr const char* gpu_usage =
    "usage: llmwire gpu [--json] [--pid PID] [--watch MS] [--nvml PATH]\n\n"
    "  --json        print JSON instead of a table\n"
    "  --pid PID     also sum the GPU memory of PID and all its descendants\n"
    "  --watch MS    sample every MS milliseconds until Ctrl-C, then print baseline/peak/delta\n"
    "  --nvml PATH   load NVML from PATH (default: $LLMWIRE_NVML_PATH, libnvidia-ml.so.1)\n\n"
    "exit codes: 0 ok, 1 failure, 2 usage error, 3 no NVIDIA GPU / NVML unusable\n";

volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_interrupt(int) {
  interrupted = 1;
}

nlohmann::json optional_bytes(const std::optional<std::uint64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string human(const std::optional<std::uint64_t>& bytes) {
  if (!bytes) return "n/a";
  return fmt::format("{:.2f} GiB", static_cast<double>(*bytes) / (1024.0 * 1024.0 * 1024.0));
}

int report_error(bool json, const Error& error, int code) {
  if (json) {
    std::printf("%s\n", nlohmann::json{{"error", error.message}}.dump().c_str());
  } else {
    std::fprintf(stderr, "llmwire gpu: %s\n", error.message.c_str());
  }
  return code;
}

nlohmann::json tree_json(const std::optional<ProcessTreeUsage>& tree) {
  if (!tree) return nullptr;
  return {{"pid", tree->pid}, {"used_bytes", optional_bytes(tree->used_bytes)}};
}

nlohmann::json snapshot_json(const GpuSnapshot& snapshot,
                             const std::optional<ProcessTreeUsage>& tree) {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& device : snapshot.devices) {
    nlohmann::json processes = nlohmann::json::array();
    for (const auto& process : device.processes) {
      processes.push_back(
          {{"pid", process.pid}, {"used_bytes", optional_bytes(process.used_bytes)}});
    }
    devices.push_back({{"index", device.index},
                       {"name", device.name},
                       {"uuid", device.uuid},
                       {"memory",
                        {{"total_bytes", optional_bytes(device.memory.total_bytes)},
                         {"used_bytes", optional_bytes(device.memory.used_bytes)},
                         {"free_bytes", optional_bytes(device.memory.free_bytes)},
                         {"kind", std::string(to_string(device.memory.kind))}}},
                       {"processes", std::move(processes)}});
  }
  return {{"devices", std::move(devices)},
          {"driver_version", snapshot.driver_version},
          {"process_tree", tree_json(tree)}};
}

void print_table(const GpuSnapshot& snapshot, const std::optional<ProcessTreeUsage>& tree) {
  fmt::print("driver {}\n", snapshot.driver_version.empty() ? "unknown" : snapshot.driver_version);
  for (const auto& device : snapshot.devices) {
    fmt::print("GPU {}  {}  {}\n", device.index, device.name, device.uuid);
    fmt::print("  memory ({}): used {} / total {}, free {}\n", to_string(device.memory.kind),
               human(device.memory.used_bytes), human(device.memory.total_bytes),
               human(device.memory.free_bytes));
    for (const auto& process : device.processes) {
      fmt::print("  pid {:>8}  {}\n", process.pid, human(process.used_bytes));
    }
  }
  if (tree) {
    fmt::print("process tree {} ({} processes, {} on a GPU): {}\n", tree->pid, tree->tree.size(),
               tree->gpu_processes.size(), human(tree->used_bytes));
  }
}

nlohmann::json window_json(const MemoryWindow& window) {
  return {{"baseline_bytes", optional_bytes(window.baseline_bytes)},
          {"peak_bytes", optional_bytes(window.peak_bytes)},
          {"last_bytes", optional_bytes(window.last_bytes)},
          {"delta_bytes", optional_bytes(window.delta_bytes())}};
}

int watch(const std::shared_ptr<GpuProbe>& probe, long long interval_ms,
          std::optional<std::uint32_t> pid, bool json) {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  GpuSampler sampler(probe, {.interval = std::chrono::milliseconds(interval_ms), .pid = pid});
  sampler.start();
  // On stderr, so stdout stays one JSON document; it also tells a supervising program that the
  // handler is in place and the baseline taken.
  std::fprintf(stderr, "llmwire gpu: sampling every %lld ms; Ctrl-C prints the peak\n",
               interval_ms);
  std::fflush(stderr);
  std::size_t printed = 0;
  while (interrupted == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<long long>(interval_ms, 20)));
    if (json) continue;
    auto so_far = sampler.report();
    if (so_far.samples == printed) continue;
    printed = so_far.samples;
    fmt::print(
        "used {}  peak {}{}\n", human(so_far.device.last_bytes), human(so_far.device.peak_bytes),
        pid ? fmt::format("  tree {}", human(so_far.process_tree.last_bytes)) : std::string{});
    std::fflush(stdout);
  }
  auto report = sampler.stop();
  if (report.samples > 0 && report.failed_samples == report.samples && report.last_error) {
    return report_error(json, *report.last_error, exit_connection);
  }
  if (json) {
    nlohmann::json out{{"interval_ms", interval_ms},
                       {"samples", report.samples},
                       {"failed_samples", report.failed_samples},
                       {"device", window_json(report.device)},
                       {"process_tree", nullptr}};
    if (pid) {
      out["process_tree"] = window_json(report.process_tree);
      out["process_tree"]["pid"] = *pid;
    }
    std::printf("%s\n", out.dump().c_str());
  } else {
    fmt::print("{} samples every {} ms: baseline {}, peak {}, delta {}\n", report.samples,
               interval_ms, human(report.device.baseline_bytes), human(report.device.peak_bytes),
               human(report.device.delta_bytes()));
    if (pid) {
      fmt::print("process tree {}: baseline {}, peak {}, delta {}\n", *pid,
                 human(report.process_tree.baseline_bytes), human(report.process_tree.peak_bytes),
                 human(report.process_tree.delta_bytes()));
    }
  }
  return exit_ok;
}

}  // namespace

int run_gpu(std::span<char* const> args) {
  auto parsed = parse_args(args, gpu_options);
  if (!parsed) {
    std::fprintf(stderr, "llmwire gpu: %s\n\n%s", parsed.error().message.c_str(), gpu_usage);
    return exit_usage;
  }
  if (parsed->has("help")) {
    std::printf("%s", gpu_usage);
    return exit_ok;
  }
  const bool json = parsed->has("json");
  auto pid_arg = parsed->get_int("pid");
  auto watch_arg = parsed->get_int("watch");
  std::string bad;
  if (!pid_arg)
    bad = pid_arg.error().message;
  else if (*pid_arg && (**pid_arg <= 0 || **pid_arg > 0x7fffffff))
    bad = "--pid expects a process id";
  else if (!watch_arg)
    bad = watch_arg.error().message;
  else if (*watch_arg && (**watch_arg < 1 || **watch_arg > 3'600'000))
    bad = "--watch expects 1..3600000 ms";
  else if (!parsed->positionals().empty())
    bad = "unexpected argument '" + parsed->positionals().front() + "'";
  if (!bad.empty()) {
    std::fprintf(stderr, "llmwire gpu: %s\n\n%s", bad.c_str(), gpu_usage);
    return exit_usage;
  }
  std::optional<std::uint32_t> pid;
  if (*pid_arg) pid = static_cast<std::uint32_t>(**pid_arg);

  auto probe = GpuProbe::open({.library_path = parsed->get_or("nvml", "")});
  if (!probe) return report_error(json, probe.error(), exit_connection);
  if (*watch_arg) return watch(*probe, **watch_arg, pid, json);

  auto snapshot = (*probe)->snapshot();
  if (!snapshot) return report_error(json, snapshot.error(), exit_connection);
  std::optional<ProcessTreeUsage> tree;
  if (pid) {
    auto usage = (*probe)->process_tree_usage(*pid);
    if (!usage) {
      return report_error(
          json, usage.error(),
          usage.error().kind == ErrorKind::gpu_unavailable ? exit_connection : exit_failure);
    }
    tree = std::move(*usage);
  }
  if (json) {
    std::printf("%s\n", snapshot_json(*snapshot, tree).dump().c_str());
  } else {
    print_table(*snapshot, tree);
  }
  return exit_ok;
}

}  // namespace llmwire::cli
