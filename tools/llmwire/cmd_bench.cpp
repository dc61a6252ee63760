// `llmwire bench`: the seeds' benchmark matrix and decision framework in one command. With no
// --endpoint it starts the model simulator in-process and benchmarks that (about a minute).

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "args.hpp"
#include "bench/report.hpp"
#include "bench/runner.hpp"
#include "bench/server_delta.hpp"
#include "bench/suite.hpp"
#include "cli_io.hpp"
#include "commands.hpp"
#include "connection_args.hpp"
#include "llmwire/client.hpp"
#include "llmwire/json_parse.hpp"
#include "llmwire/printable.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/server_info.hpp"
#include "llmwire_sim/model_simulator.hpp"

namespace llmwire::cli {
namespace {

constexpr const char* usage_head =
    "usage: llmwire bench [--endpoint URL] [--api openai|ollama] [--model M] [--profile P]\n"
    "                     [--suite FILE] [--out DIR] [--baseline RESULTS.json]\n"
    "                     [--server-pid PID] [--server-log FILE] [--only TEST,...]\n"
    "                     [--api-key-file FILE] [--ca-file PEM] [--insecure]\n"
    "                     [--sim-tok-s 500] [--sim-ttft-ms 80] [--sim-profile gemma4]\n"
    "       llmwire bench compare A.json B.json ...\n\n"
    "Runs the suite (default: the seeds' matrix) and writes results.json, report.md, chart.svg,\n"
    "samples.csv and summary.csv to --out (default ./bench-results). Without an endpoint\n"
    "(--endpoint or the environment variables below) the built-in model simulator is started on\n"
    "a free loopback port and benchmarked (\"simulated endpoint\").\n"
    "Tests: throughput, ttft, concurrency, long_context, vram, entities, tools, vision, kannada.\n"
    "\n"
    "  --model M          model id as the server knows it (required with an endpoint)\n"
    "  --profile P        model profile (default: picked by model id)\n"
    "  --suite FILE       a suite JSON merged key by key over the default (docs/BENCH.md)\n"
    "  --out DIR          where the outputs go (proven writable before any request)\n"
    "  --baseline FILE    a results.json to compare against (the swap decision)\n"
    "  --server-pid PID   the server's process: its process tree's GPU memory is sampled\n"
    "  --server-log FILE  vLLM's log: \"Model loading took X GiB\" is the model's memory, which\n"
    "                     the VRAM threshold judges by default (tests.vram.measure)\n"
    "  --only T,...       run only these tests\n"
    "  --sim-tok-s, --sim-ttft-ms, --sim-profile   the simulator's pacing and model\n";
constexpr const char* usage_tail =
    "exit codes: 0 ok (the decision is in report.md), 1 a file could not be read or written,\n"
    "            2 usage error, 3 the server could not be reached or the warm-up failed\n";

/// A results.json written by `llmwire bench` (a JSON object), or why it is not one.
Result<nlohmann::json> read_results(const std::string& path) {
  auto text = read_input(path, "results file", std::size_t{256} << 20);
  if (!text) return tl::unexpected(text.error());
  auto doc = llmwire::json::parse(*text);
  if (!doc) return fail(ErrorKind::parse, path + " is not valid JSON: " + doc.error().message);
  // Without metrics there is nothing to compare or judge: never a table of dashes and exit 0.
  if (!doc->is_object() || !doc->contains("metrics") || !(*doc)["metrics"].is_object()) {
    return fail(ErrorKind::parse, path +
                                      " is not a bench results file (a JSON object with "
                                      "\"metrics\")");
  }
  return doc;
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

int run_compare(const std::vector<std::string>& files, const bench::Suite& suite) {
  if (files.empty()) {
    std::fprintf(stderr, "llmwire bench compare: name one or more results.json files\n");
    return exit_usage;
  }
  std::vector<nlohmann::json> results;
  for (const auto& file : files) {
    auto doc = read_results(file);
    if (!doc) {
      print_error("bench compare", doc.error().message);
      return exit_failure;
    }
    // A file holding only metrics (recorded figures) is judged here, by the suite given.
    try {
      if (!doc->contains("decision")) bench::decide_results(*doc, suite, nullptr);
    } catch (const nlohmann::json::exception& e) {
      print_error("bench compare", file + " is not a bench results file: " + e.what());
      return exit_failure;
    }
    results.push_back(std::move(*doc));
  }
  try {
    std::fputs(bench::compare_table(results).c_str(), stdout);
  } catch (const nlohmann::json::exception& e) {
    // A field of the wrong type somewhere in one of the files.
    print_error("bench compare",
                std::string("a results file has a field of the wrong type: ") + e.what());
    return exit_failure;
  }
  return exit_ok;
}

const ProfileSet& builtin_profile_set() {
  static const ProfileSet set = ProfileSet::builtin();
  return set;
}

/// Creates `dir` if needed and proves a file can be written there, before the run.
Result<void> check_writable(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(ErrorKind::io, "cannot create --out " + dir.string() + ": " + ec.message());
  const auto probe = dir / ".llmwire-write-check";
  {
    std::ofstream test(probe, std::ios::binary);
    test << "ok";
    if (!test) return fail(ErrorKind::io, "cannot write to --out " + dir.string());
  }
  std::filesystem::remove(probe, ec);
  return {};
}

// A URL as messages show it: any "user:password@" left out.
std::string shown_url(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto host = scheme + 3;
  const auto at = url.find('@', host);
  if (at == std::string::npos || at > url.find('/', host)) return url;
  return url.substr(0, host) + url.substr(at + 1);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  std::stringstream stream(text);
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

int run_bench(std::span<char* const> args) {
  static constexpr OptionSpec specs[] = {{"endpoint"},
                                         {"api"},
                                         {"model"},
                                         {"profile"},
                                         {"suite"},
                                         {"out"},
                                         {"baseline"},
                                         {"server-pid"},
                                         {"server-log"},
                                         {"only"},
                                         {"sim-tok-s"},
                                         {"sim-ttft-ms"},
                                         {"sim-profile"},
                                         {"api-key"},
                                         {"api-key-file"},
                                         {"ca-file"},
                                         {"insecure", false},
                                         {"timeout-ms"},
                                         {"first-byte-timeout-ms"},
                                         {"idle-timeout-ms"}};
  auto parsed = parse_args(args, specs);
  if (!parsed) {
    print_error("bench", parsed.error().message);
    std::fprintf(stderr, "(llmwire bench --help lists the options)\n");
    return exit_usage;
  }
  if (parsed->has("help")) {
    std::fputs(usage_head, stdout);
    std::fputs(connection_options_help, stdout);
    std::fputs(usage_tail, stdout);
    return exit_ok;
  }
  bench::Suite suite = bench::default_suite();
  if (auto path = parsed->get("suite")) {
    auto loaded = bench::load_suite(*path);
    if (!loaded) {
      print_error("bench", loaded.error().message);
      return exit_failure;  // an unreadable or invalid file, as for every command
    }
    suite = std::move(*loaded);
  }
  const auto& positionals = parsed->positionals();
  if (!positionals.empty()) {
    if (positionals.front() == "compare") {
      return run_compare(std::vector<std::string>(positionals.begin() + 1, positionals.end()),
                         suite);
    }
    print_error("bench", "unexpected argument '" + positionals.front() + "'");
    return exit_usage;
  }

  bench::RunOptions run;
  if (auto only = parsed->get("only")) {
    run.only = split_list(*only);
    for (const auto& name : run.only) {
      const auto& names = bench::test_names();
      if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::fprintf(stderr, "llmwire bench: unknown test '%s' in --only\n", name.c_str());
        return exit_usage;
      }
    }
  }
  if (auto pid = parsed->get_int_in("server-pid", 1, 4'194'304); !pid) {
    std::fprintf(stderr, "llmwire bench: %s\n", pid.error().message.c_str());
    return exit_usage;
  } else if (*pid) {
    run.server_pid = static_cast<std::uint32_t>(**pid);
  }
  std::optional<nlohmann::json> baseline;
  if (auto path = parsed->get("baseline")) {
    auto doc = read_results(*path);
    if (!doc) {
      print_error("bench", doc.error().message);
      return exit_failure;
    }
    // Judged once now, so a malformed baseline is found before the run, not after it.
    try {
      nlohmann::json probe = *doc;
      bench::decide_results(probe, suite, &*doc);  // read as a baseline, as after the run
    } catch (const nlohmann::json::exception& e) {
      print_error("bench", *path + " is not a bench results file: " + e.what());
      return exit_failure;
    }
    baseline = std::move(*doc);
  }

  // Everything that can be checked before a request is sent is checked now, not after a run.
  std::filesystem::path out = parsed->get_or("out", "bench-results");
  if (auto writable = check_writable(out); !writable) {
    print_error("bench", writable.error().message);
    return exit_failure;
  }
  if (auto name = parsed->get("profile")) {
    const ProfileSet& profiles = builtin_profile_set();
    if (profiles.by_name(*name) == nullptr) {
      std::string known;
      for (const Profile& p : profiles.profiles()) known += (known.empty() ? "" : ", ") + p.name;
      print_error("bench", "unknown profile '" + *name + "' (known: " + known + ")");
      return exit_usage;
    }
  }

  auto connection = connection_options(*parsed, "bench", false);
  if (!connection) {
    print_error("bench", connection.error().message);
    return connection.error().kind == ErrorKind::io ? exit_failure : exit_usage;
  }
  std::optional<VllmLogMemory> server_log;
  if (auto path = parsed->get("server-log")) {
    auto text = read_input(*path, "--server-log", std::size_t{1} << 30);
    if (!text) {
      print_error("bench", text.error().message);
      return exit_failure;
    }
    server_log = parse_vllm_log(*text);
    if (server_log->lines_matched == 0) {
      std::fprintf(stderr,
                   "llmwire bench: warning: --server-log %s holds none of vLLM's memory lines "
                   "(\"Model loading took\", \"Available KV cache memory\")\n",
                   path->c_str());
    }
    run.server_log_path = *path;
  }
  run.server_log = server_log;

  bench::Endpoint endpoint;
  endpoint.api = connection->options.api;
  endpoint.profile = parsed->get_or("profile", "");

  // No endpoint: benchmark the simulator, paced fast so the whole suite takes about a minute.
  std::unique_ptr<sim::ModelSimulator> simulator;
  // An endpoint from the environment ($OPENAI_BASE_URL is often set for other tools) is taken
  // only with --model: a bare `llmwire bench` benchmarks the built-in simulator, as the README
  // promises.
  if (!connection->options.endpoints.empty() && connection->endpoint_source != "--endpoint" &&
      !parsed->has("model")) {
    std::fprintf(stderr,
                 "llmwire bench: %s is set but no --model was given: benchmarking the built-in "
                 "simulator (give --model to benchmark that server)\n",
                 connection->endpoint_source.c_str());
    connection->options.endpoints.clear();
  }
  if (!connection->options.endpoints.empty()) {
    if (connection->options.endpoints.size() > 1) {
      print_error("bench", "bench measures one server: give one endpoint, not " +
                               std::to_string(connection->options.endpoints.size()));
      return exit_usage;
    }
    endpoint.url = connection->options.endpoints.front();
    endpoint.model = parsed->get_or("model", "");
    if (endpoint.model.empty()) {
      print_error("bench",
                  "--model is required with an endpoint (" + connection->endpoint_source + ")");
      return exit_usage;
    }
    if (connection->endpoint_source != "--endpoint") {
      std::fprintf(stderr, "llmwire bench: benchmarking %s (from %s)\n",
                   printable(shown_url(endpoint.url)).c_str(), connection->endpoint_source.c_str());
    }
  } else {
    sim::SimulatorOptions options;
    options.profile = parsed->get_or("sim-profile", "gemma4");
    options.tok_s = 500;
    options.ttft_ms = 80;
    for (auto [name, target] :
         {std::pair{"sim-tok-s", &options.tok_s}, std::pair{"sim-ttft-ms", &options.ttft_ms}}) {
      auto value = parsed->get_double_in(name, 0, 1e6);
      if (!value) {
        std::fprintf(stderr, "llmwire bench: %s\n", value.error().message.c_str());
        return exit_usage;
      }
      if (*value) *target = **value;
    }
    if (options.tok_s <= 0 || options.ttft_ms < 0) {
      std::fprintf(stderr, "llmwire bench: --sim-tok-s must be > 0 and --sim-ttft-ms >= 0\n");
      return exit_usage;
    }
    options.model = parsed->get_or(
        "model", options.profile == "gemma4" ? options.model : options.profile + "-sim");
    simulator = std::make_unique<sim::ModelSimulator>(options);
    auto port = simulator->start();
    if (!port) {
      print_error("bench", port.error().message);
      return port.error().kind == ErrorKind::invalid_argument ? exit_usage : exit_failure;
    }
    endpoint.url = simulator->base_url();
    endpoint.model = options.model;
    if (endpoint.profile.empty() && options.profile != "plain")
      endpoint.profile = options.profile == "nemotron" ? "nemotron3" : options.profile;
    endpoint.simulated = true;
    endpoint.simulator = {{"profile", options.profile},
                          {"tok_s", options.tok_s},
                          {"ttft_ms", options.ttft_ms},
                          {"context_tokens", options.context_tokens},
                          {"server_parser", "auto"}};
    run.vram_unavailable_reason = "simulated endpoint: no model is loaded on a GPU";
    std::fprintf(stderr,
                 "llmwire bench: no --endpoint, so benchmarking the built-in simulator at %s "
                 "(simulated endpoint, %.0f tok/s, TTFT %.0f ms)\n",
                 endpoint.url.c_str(), options.tok_s, options.ttft_ms);
  }

  ClientOptions client_options = std::move(connection->options);
  client_options.endpoints = {endpoint.url};
  auto client = Client::create(std::move(client_options));
  if (!client) {
    print_error("bench", client.error().message);
    return exit_usage;
  }
  // What the server says about itself, before any timed request: provenance for the results,
  // the runtime context for long_context, Ollama's GPU/CPU split and vLLM's reservation for
  // the VRAM test. A server that cannot be reached stops the bench here.
  auto server = inspect_server(*client, {.model = endpoint.model});
  if (!server) {
    print_error("bench", server.error().message);
    return exit_connection;
  }
  for (const auto& m : server->ollama_loaded) {
    if ((m.name == endpoint.model || server->ollama_loaded.size() == 1) && m.cpu_fraction() > 0) {
      std::fprintf(stderr,
                   "llmwire bench: warning: %.0f%% of %s runs on the CPU (Ollama /api/ps); "
                   "tok/s will be cut accordingly\n",
                   m.cpu_fraction() * 100, m.name.c_str());
    }
  }
  run.server = std::move(*server);
  // A live progress line only on a terminal; logs and pipes get none of it.
  const bool live = isatty(STDERR_FILENO) != 0;
  if (live) {
    run.on_progress = [](const bench::Progress& p) {
      std::fprintf(stderr, "\r\033[K[%s %d/%d]  run %d/%d  ETA %.0f s", p.test.c_str(), p.test_done,
                   p.test_total, p.done, p.total, p.eta_s);
      std::fflush(stderr);
    };
  }
  auto results = bench::run_suite(suite, endpoint, bench::client_chat(*client),
                                  bench::client_parallel_chat(*client), run);
  if (live) std::fprintf(stderr, "\r\033[K");
  // The server's own counters over the run, when it serves /metrics (vLLM, SGLang,
  // llama-server): read again now, compared with the reading taken before.
  if (run.server && run.server->metrics && !results.contains("aborted")) {
    if (auto after = inspect_server(*client, {.model = endpoint.model}); after && after->metrics)
      results["server_metrics_over_run"] =
          bench::server_metrics_delta(*run.server->metrics, *after->metrics);
  }
  if (simulator) simulator->stop();
  if (baseline) {
    try {
      bench::decide_results(results, suite, &*baseline);
    } catch (const nlohmann::json::exception& e) {
      print_error("bench", "--baseline is not a bench results file: " + std::string(e.what()));
      return exit_failure;
    }
  }
  if (results.contains("aborted")) {
    // Nothing was measured: say why and write no report that could be read as a result.
    print_error("bench", results["aborted"].get<std::string>());
    return exit_connection;
  }

  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  std::vector<nlohmann::json> charted = {results};
  if (baseline) {
    charted.push_back(*baseline);
    charted.back()["chart_role"] = "baseline";
  }
  auto markdown = bench::markdown_report(results);
  if (ec || !write_file(out / "results.json", results.dump(2) + "\n") ||
      !write_file(out / "report.md", markdown) ||
      !write_file(out / "chart.svg", bench::svg_chart(charted)) ||
      !write_file(out / "samples.csv", bench::samples_csv(results)) ||
      !write_file(out / "summary.csv", bench::summary_csv(results))) {
    std::fprintf(stderr, "llmwire bench: cannot write to %s\n", out.string().c_str());
    return exit_failure;
  }
  std::fputs(markdown.c_str(), stdout);
  std::fprintf(stderr, "llmwire bench: wrote %s, %s, %s, samples.csv and summary.csv\n",
               (out / "results.json").string().c_str(), (out / "report.md").string().c_str(),
               (out / "chart.svg").string().c_str());
  // Nothing got through at all: say so in the exit code, as `chat` does for connection errors.
  const auto& requests = results["requests"];
  if (requests.value("total", 0) > 0 && requests.value("failed", 0) == requests.value("total", 0) &&
      !results["warmup"]["error"].is_null()) {
    return exit_connection;
  }
  return exit_ok;
}

}  // namespace llmwire::cli
