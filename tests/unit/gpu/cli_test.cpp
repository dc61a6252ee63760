// `llmwire gpu` end to end: the built CLI run as a child process against the fake NVML.

#include <doctest/doctest.h>

#ifdef LLMWIRE_CLI_PATH

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gpu_test_support.hpp"

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string drain(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(fd, buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(n));
  close(fd);
  return text;
}

// Runs the CLI with `env` added to this process's environment; with `interrupt_after`, sends
// SIGINT after that long (for --watch).
Outcome run_cli(std::vector<std::string> args, std::vector<std::pair<std::string, std::string>> env,
                std::optional<std::chrono::milliseconds> interrupt_after = std::nullopt) {
  int out_pipe[2];
  int err_pipe[2];
  REQUIRE(pipe(out_pipe) == 0);
  REQUIRE(pipe(err_pipe) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(err_pipe[0]);
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv{const_cast<char*>(LLMWIRE_CLI_PATH), const_cast<char*>("gpu")};
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(LLMWIRE_CLI_PATH, argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  Outcome outcome;
  if (interrupt_after) {
    // Signal only once the CLI says it is sampling (its handler is in place by then), however
    // slowly it started; then give it time for a few samples.
    char c = 0;
    while (read(err_pipe[0], &c, 1) == 1) {
      outcome.err += c;
      if (c == '\n') break;
    }
    std::this_thread::sleep_for(*interrupt_after);
    kill(child, SIGINT);
  }
  // stderr is small; read stdout to the end first, then stderr.
  outcome.out = drain(out_pipe[0]);
  outcome.err += drain(err_pipe[0]);
  int status = 0;
  waitpid(child, &status, 0);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

std::string one_line(const std::string& text) {
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
  return text;
}

}  // namespace

TEST_CASE("llmwire gpu --json against a fake discrete GPU: exit 0 and the documented shape") {
  const auto self = std::to_string(getpid());
  auto result =
      run_cli({"--json", "--pid", self}, {{"LLMWIRE_NVML_PATH", FAKE_NVML_FULL_PATH},
                                          {"FAKE_NVML_MODE", "discrete"},
                                          {"FAKE_NVML_PROCS", self + ":123456789,4242:na"}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto json = nlohmann::json::parse(one_line(result.out));
  CHECK(json["driver_version"] == "999.99.99-fake");
  REQUIRE(json["devices"].is_array());
  REQUIRE(json["devices"].size() == 2);
  const auto& gpu0 = json["devices"][0];
  CHECK(gpu0["index"] == 0);
  CHECK(gpu0["name"] == "Fake GPU 0");
  CHECK(gpu0["uuid"] == "GPU-fake-0000-0");
  CHECK(gpu0["memory"]["kind"] == "dedicated");
  CHECK(gpu0["memory"]["total_bytes"] == 80 * gpu_test::gib);
  CHECK(gpu0["memory"]["used_bytes"] == 10 * gpu_test::gib);
  CHECK(gpu0["memory"]["free_bytes"] ==
        80 * gpu_test::gib - gpu_test::gib / 2 - 10 * gpu_test::gib);
  REQUIRE(gpu0["processes"].size() == 2);
  CHECK(gpu0["processes"][0]["pid"] == getpid());
  CHECK(gpu0["processes"][0]["used_bytes"] == 123456789);
  CHECK(gpu0["processes"][1]["pid"] == 4242);
  CHECK(gpu0["processes"][1]["used_bytes"].is_null());
  // The test process is the CLI's parent: its tree holds the CLI and sums this process's use.
  CHECK(json["process_tree"]["pid"] == getpid());
  CHECK(json["process_tree"]["used_bytes"] == 123456789);

  auto no_pid = run_cli(
      {"--json"}, {{"LLMWIRE_NVML_PATH", FAKE_NVML_FULL_PATH}, {"FAKE_NVML_MODE", "discrete"}});
  REQUIRE(no_pid.exit_code == 0);
  CHECK(nlohmann::json::parse(no_pid.out)["process_tree"].is_null());
}

TEST_CASE("llmwire gpu --json on a GB10-like device says unified") {
  auto result = run_cli({"--json"}, {{"LLMWIRE_NVML_PATH", FAKE_NVML_FULL_PATH},
                                     {"FAKE_NVML_MODE", "gb10"},
                                     {"FAKE_NVML_DEVICES", "1"}});
  REQUIRE(result.exit_code == 0);
  auto json = nlohmann::json::parse(result.out);
  REQUIRE(json["devices"].size() == 1);
  CHECK(json["devices"][0]["memory"]["kind"] == "unified");
  CHECK(json["devices"][0]["memory"]["total_bytes"].get<std::uint64_t>() >
        0);  // the host's MemTotal
}

TEST_CASE("llmwire gpu without NVML: exit 3 with a one-line reason") {
  SUBCASE("--json") {
    auto result = run_cli({"--json"}, {{"LLMWIRE_NVML_PATH", "/nonexistent/libnvidia-ml.so.1"}});
    CHECK(result.exit_code == 3);
    auto json = nlohmann::json::parse(one_line(result.out));
    REQUIRE(json.size() == 1);
    CHECK(json["error"].get<std::string>().rfind("no NVIDIA driver: cannot load NVML", 0) == 0);
  }
  SUBCASE("table") {
    auto result = run_cli({"--nvml", "/nonexistent/libnvidia-ml.so.1"}, {});
    CHECK(result.exit_code == 3);
    CHECK(result.out.empty());
    CHECK(one_line(result.err).rfind("llmwire gpu: no NVIDIA driver", 0) == 0);
  }
  SUBCASE("nvmlInit fails") {
    auto result = run_cli(
        {"--json"}, {{"LLMWIRE_NVML_PATH", FAKE_NVML_FULL_PATH}, {"FAKE_NVML_MODE", "init_fail"}});
    CHECK(result.exit_code == 3);
    CHECK(nlohmann::json::parse(result.out)["error"] ==
          "nvmlInit_v2 failed: Driver Not Loaded (NVML error 9)");
  }
}

TEST_CASE("llmwire gpu --watch samples until SIGINT, then prints the peak") {
  auto result = run_cli({"--json", "--watch", "10"},
                        {{"LLMWIRE_NVML_PATH", FAKE_NVML_FULL_PATH},
                         {"FAKE_NVML_MODE", "discrete"},
                         {"FAKE_NVML_DEVICES", "1"},
                         {"FAKE_NVML_USED_SEQUENCE", "1000,5000,2000"}},
                        std::chrono::milliseconds(300));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.rfind("llmwire gpu: sampling every 10 ms", 0) == 0);
  auto json = nlohmann::json::parse(one_line(result.out));
  CHECK(json["samples"].get<int>() >= 3);
  CHECK(json["device"]["baseline_bytes"] == 1000);
  CHECK(json["device"]["peak_bytes"] == 5000);
  CHECK(json["device"]["last_bytes"] == 2000);
  CHECK(json["device"]["delta_bytes"] == 4000);
  CHECK(json["process_tree"].is_null());

  auto table = run_cli({"--watch", "10"},
                       {{"LLMWIRE_NVML_PATH", FAKE_NVML_FULL_PATH},
                        {"FAKE_NVML_MODE", "discrete"},
                        {"FAKE_NVML_DEVICES", "1"},
                        {"FAKE_NVML_USED_SEQUENCE", "1073741824,3221225472"}},
                       std::chrono::milliseconds(300));
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("baseline 1.00 GiB, peak 3.00 GiB, delta 2.00 GiB") != std::string::npos);
}

TEST_CASE("llmwire gpu usage errors exit 2") {
  CHECK(run_cli({"--watch", "soon"}, {}).exit_code == 2);
  CHECK(run_cli({"--pid", "-4"}, {}).exit_code == 2);
  CHECK(run_cli({"extra"}, {}).exit_code == 2);
  CHECK(run_cli({"--help"}, {}).exit_code == 0);
}

#endif  // LLMWIRE_CLI_PATH
