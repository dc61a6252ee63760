#pragma once
/// @file runner.hpp
/// Runs a bench suite against one endpoint and returns the results document: every raw
/// sample, summaries, metrics, threshold checks, score and decision.
///
///     llmwire::Client client({.endpoints = {url}});
///     auto results = llmwire::bench::run_suite(suite, endpoint,
///     llmwire::bench::client_chat(client),
///                                              {.only = {"throughput", "ttft"}});

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bench/decision.hpp"
#include "bench/suite.hpp"
#include "llmwire/chat.hpp"
#include "llmwire/server_info.hpp"
#include "llmwire/stream.hpp"

#ifdef LLMWIRE_HAS_CLIENT
#include "llmwire/client.hpp"
#endif

namespace llmwire::bench {

/// One request as the bench saw it. Times are milliseconds from just before the request went out.
/// Per-request figures are the result's own (ChatResult::timings); the times here only place
/// concurrent requests on one clock for the aggregate tok/s.
struct Exchange {
  Result<ChatResult> result = fail(ErrorKind::internal, "not run");
  std::optional<double> first_ms;  ///< First content, reasoning or tool-call event.
  std::optional<double> last_ms;   ///< Last such event.
  double total_ms = 0;
  int deltas = 0;  ///< Content/reasoning/tool events received.
};

/// Sends one request and times it (client_chat() makes one from a Client).
using ChatFunction = std::function<Exchange(const ChatRequest&)>;
/// Sends several requests at once (the concurrency test).
using ParallelChatFunction = std::function<std::vector<Exchange>(const std::vector<ChatRequest>&)>;

#ifdef LLMWIRE_HAS_CLIENT
/// Times requests through `client` (which must outlive the functions).
[[nodiscard]] ChatFunction client_chat(Client& client);
[[nodiscard]] ParallelChatFunction client_parallel_chat(Client& client);
#endif

/// What the bench is pointed at, as the results and report record it.
struct Endpoint {
  std::string url;
  Dialect api = Dialect::openai;
  std::string model;
  std::string profile;  ///< Empty = chosen by model id.
  bool simulated = false;
  nlohmann::json simulator = nullptr;  ///< Simulator settings when simulated.
};

struct Progress {
  std::string test;
  int test_done = 0;   ///< Requests of this test done…
  int test_total = 0;  ///< …of this many.
  int done = 0;        ///< Requests of the whole run done…
  int total = 0;       ///< …of this many.
  double eta_s = 0;
};

struct RunOptions {
  std::vector<std::string> only;  ///< Test names to run; empty = all.
  std::optional<std::uint32_t> server_pid;
  /// The model's context length when known by other means; otherwise asked of the server.
  std::optional<std::int64_t> context_tokens;
  std::function<void(const Progress&)> on_progress;
  /// nullopt = probe the GPU; set to a reason to report VRAM unavailable without probing.
  std::optional<std::string> vram_unavailable_reason;
  /// What the server said about itself (inspect_server), asked before the run: recorded as
  /// provenance, its context length used by long_context, Ollama's /api/ps and vLLM's
  /// /metrics by the VRAM test.
  std::optional<ServerInfo> server;
  /// vLLM's memory figures from its log (--server-log) and the log's path.
  std::optional<VllmLogMemory> server_log;
  std::string server_log_path;
  /// When the untimed warm-up request fails (unreachable endpoint, unknown model, bad key),
  /// stop there: the results say "aborted" with the error, and no test runs on a server that
  /// cannot answer (every test would fail, and a report would be written for nothing).
  bool stop_on_failed_warmup = true;
};

/// Runs the suite. Never fails as a whole: a test that cannot run is recorded with its reason;
/// a failed warm-up (with stop_on_failed_warmup) leaves `aborted` set to its error and no tests.
[[nodiscard]] nlohmann::json run_suite(const Suite& suite, const Endpoint& endpoint,
                                       const ChatFunction& chat,
                                       const ParallelChatFunction& parallel,
                                       const RunOptions& options = {});

/// Recomputes threshold checks, score and decision of a results document, optionally against
/// a baseline results document (`--baseline`), and stores them in it.
void decide_results(nlohmann::json& results, const Suite& suite, const nlohmann::json* baseline);

/// n, mean, median, p50/p90/p99 (nearest rank), sample standard deviation, min and max of
/// `values` ({} when empty).
[[nodiscard]] nlohmann::json summarize(const std::vector<double>& values);

/// The vision test's picture: `grid` rows of palette keys as an RGB PNG, one pixel per cell
/// (an error when the grid is empty or ragged, or the build has no image support).
[[nodiscard]] Result<std::vector<std::uint8_t>> grid_png(const VisionTest& test);

}  // namespace llmwire::bench
