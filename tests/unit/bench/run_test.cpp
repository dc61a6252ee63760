// `llmwire bench` end to end against the in-process simulator, through llmwire::Client: a short
// suite with report checks, pacing accuracy (50 tok/s, 80 ms), skips, Ollama, and faults.

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#ifdef LLMWIRE_HAS_CLIENT  // the bench talks to its servers through llmwire::Client

#include "bench/report.hpp"
#include "bench/runner.hpp"
#include "llmwire/client.hpp"
#include "llmwire/version.hpp"
#include "llmwire_sim/model_simulator.hpp"
#include "sanitizers.hpp"

using namespace llmwire;
using namespace llmwire::bench;

namespace {

// The default suite, cut down so a CI run takes seconds: fewer and shorter generations.
Suite short_suite() {
  Suite s = default_suite();
  s.name = "short";
  s.throughput.runs = 1;
  s.throughput.prompts.resize(2);
  s.throughput.max_tokens = 60;
  s.ttft.max_tokens = 4;
  s.concurrency.max_tokens = 40;
  s.long_context.input_tokens = 3000;
  s.long_context.max_tokens = 40;
  s.quality_repeats = 1;  // rounds have their own test below
  return s;
}

struct Run {
  sim::ModelSimulator simulator;
  Endpoint endpoint;
  std::unique_ptr<Client> client;

  explicit Run(sim::SimulatorOptions options, Dialect api = Dialect::openai,
               ClientOptions client_options = {})
      : simulator(std::move(options)) {
    auto port = simulator.start();
    REQUIRE(port);
    endpoint.url = simulator.base_url();
    endpoint.api = api;
    endpoint.model = simulator.options().model;
    endpoint.profile = simulator.options().profile;
    endpoint.simulated = true;
    endpoint.simulator = {{"profile", simulator.options().profile},
                          {"tok_s", simulator.options().tok_s},
                          {"ttft_ms", simulator.options().ttft_ms}};
    client_options.endpoints = {endpoint.url};
    client_options.api = api;
    client = std::make_unique<Client>(std::move(client_options));
  }

  nlohmann::json run(const Suite& suite, RunOptions options = {}) {
    if (!options.vram_unavailable_reason) options.vram_unavailable_reason = "simulated endpoint";
    // As `llmwire bench` does: ask the server what it is before the run.
    if (!options.server) {
      auto info = inspect_server(*client, {.model = endpoint.model});
      REQUIRE(info);
      options.server = std::move(*info);
    }
    return run_suite(suite, endpoint, client_chat(*client), client_parallel_chat(*client), options);
  }
};

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("a short suite runs end to end against the simulator and the report says what happened") {
  Run r({.profile = "gemma4", .tok_s = 2000, .ttft_ms = 5});
  std::vector<Progress> progress;
  RunOptions options;
  options.on_progress = [&](const Progress& p) { progress.push_back(p); };
  auto results = r.run(short_suite(), options);

  // The results file keeps every raw sample and where they came from.
  CHECK(results["simulated"] == true);
  CHECK(results["endpoint"] == r.endpoint.url);
  CHECK(results["model"] == "gemma-4-26b-a4b-sim");
  CHECK(results["profile"] == "gemma4");
  CHECK(results["profile_source"] == "given");
  CHECK(has(markdown_report(results), "| Profile | gemma4 (given) |"));
  CHECK(results["llmwire_version"] == version_string);
  CHECK(!results["host"].get<std::string>().empty());
  CHECK(results["time"].get<std::string>().size() == 20);
  CHECK(results["tests"]["throughput"]["samples"].size() == 2);
  CHECK(results["tests"]["ttft"]["samples"].size() == 5);
  // The sweep runs 1, 3 and 8 streams (12 requests); the headline is the 3-stream level.
  CHECK(results["tests"]["concurrency"]["samples"].size() == 12);
  const auto& sweep = results["tests"]["concurrency"]["sweep"];
  REQUIRE(sweep.size() == 3);
  CHECK(sweep[0]["parallel"] == 1);
  CHECK(sweep[2]["parallel"] == 8);
  INFO("sweep: " << sweep.dump());  // shown when a check below fails
  for (const auto& level : sweep) {
    CHECK(level["per_request_tok_s"]["median"].get<double>() > 0);
    CHECK(level["ttft_ms"].contains("p90"));
    CHECK(level["meets_slo"] == true);  // 2000 tok/s, 5 ms TTFT: well inside 40 tok/s, 200 ms
  }
  CHECK(results["tests"]["concurrency"]["capacity"] == 8);
  // Percentiles and time to first sentence in every summary that has samples.
  const auto& ttft = results["tests"]["ttft"];
  CHECK(ttft["ttft_ms"]["p90"].get<double>() >= ttft["ttft_ms"]["p50"].get<double>());
  CHECK(ttft["ttft_ms"]["p99"].get<double>() >= ttft["ttft_ms"]["p90"].get<double>());
  CHECK(results["tests"]["throughput"]["first_sentence_ms"]["n"] == 2);
  CHECK(results["tests"]["throughput"]["first_sentence_ms"]["p50"].get<double>() >=
        results["tests"]["throughput"]["ttft_ms"]["p50"].get<double>());
  CHECK(results["tests"]["throughput"]["itl_ms"].contains("p90"));
  const auto sweep_report = markdown_report(results);
  CHECK(has(sweep_report, "## Latency"));
  CHECK(has(sweep_report, "| Time to first sentence (ms) |"));
  CHECK(has(sweep_report, "## Concurrency sweep"));
  CHECK(has(sweep_report, "Capacity under the thresholds: 8 concurrent streams."));
  {
    auto with_server = results;  // as `llmwire bench` adds it for a server with /metrics
    with_server["server_metrics_over_run"] = {{"decode_tok_s", 343.27}, {"mean_ttft_ms", 81.0}};
    CHECK(has(markdown_report(with_server),
              "| Server /metrics over the run | decode 343.3 tok/s; mean TTFT 81.0 ms |"));
  }
  const auto samples = samples_csv(results);
  CHECK(samples.starts_with("test,level,prompt,run,ttft_ms,first_sentence_ms,tok_s,"));
  long sample_rows = 0;
  for (const auto& [name, test] : results["tests"].items())
    if (test.contains("samples") && test["samples"].is_array())
      sample_rows += static_cast<long>(test["samples"].size());
  CHECK(sample_rows > 30);
  CHECK(std::count(samples.begin(), samples.end(), '\n') == 1 + sample_rows);
  const auto summary = summary_csv(results);
  CHECK(has(summary, "\nttft,,ttft_ms,5,"));
  CHECK(has(summary, "\nconcurrency,8,per_request_tok_s,8,"));
  CHECK(results["tests"]["tools"]["samples"].size() == 8);
  CHECK(results["requests"]["failed"] == 0);
  for (const auto& s : results["tests"]["throughput"]["samples"]) {
    CHECK(s["token_source"] == "server_usage");
    CHECK(s["completion_tokens"] == 60);
    CHECK(s["finish_reason"] == "length");
  }
  // Quality through the real client and the gemma4 profile: raw tool-call text recovered.
  const auto& m = results["metrics"];
  CHECK(m["tools_correct"] == 7);
  CHECK(m["tools_recovered"] == 7);
  CHECK(m["tools_structured"] == 0);
  CHECK(m["persons_found"] == 7);
  CHECK(m["places_found"] == 3);
  CHECK(m["vision_colours"] == 5);
  CHECK(m["vision_positions"] == 5);
  CHECK(m["kannada_entities"] == 6);
  CHECK(m["kannada_reply"] == true);
  CHECK(m["vram_gb"].is_null());
  CHECK(results["tests"]["long_context"]["needle_found"] == true);
  CHECK(results["tests"]["long_context"]["samples"][0]["prompt_tokens"].get<int>() > 2000);

  // Progress covers every request, ends at total, and its ETA reaches 0.
  REQUIRE(!progress.empty());
  CHECK(progress.back().done == progress.back().total);
  CHECK(progress.back().eta_s == 0);
  // Each test counts its own requests: the ttft test's last report is 5/5, the sweep's 12/12.
  std::map<std::string, Progress> last;
  for (const auto& p : progress) last[p.test] = p;
  CHECK(last["ttft"].test_done == 5);
  CHECK(last["ttft"].test_total == 5);
  CHECK(last["concurrency"].test_done == 12);
  CHECK(last["concurrency"].test_total == 12);
  for (const auto& [name, p] : last) CHECK(p.test_done == p.test_total);

  auto report = markdown_report(results);
  CHECK(report.starts_with("> **simulated endpoint**"));
  CHECK(has(report, "profile gemma4, paced at 2000 tok/s, TTFT 5 ms"));
  CHECK(has(report, "| Metric | Value | Threshold | Status |"));
  CHECK(has(report, "| tok/s | "));
  CHECK(has(report, "| Tools | 7/8 (0.66) | ≥ 6/8 | **PASS** |"));
  CHECK(has(report, "| Vision | 5/5 colours | ≥ 5 colours (working) | **PASS** |"));
  CHECK(has(report, "| Entities | 7/7 persons, 3/3 places | ≥ 5 persons | **PASS** |"));
  CHECK(has(report, "| Kannada | 6/6 entities, Kannada reply | ≥ 4 entities | **PASS** |"));
  CHECK(has(report, "| VRAM | unavailable: simulated endpoint | ≤ 25 GB | **N/A** |"));
  CHECK(has(report,
            "| What did Priya say about the product launch? | search_memory | get_entity_details | "
            "wrong"));
  CHECK(has(report,
            "## Decision\n\n**PASS** — meets every measured threshold (not measured: VRAM)."));

  auto table = compare_table({results, results});
  CHECK(has(table, "| **Tools** | 7/8 (0.66) | 7/8 (0.66) |"));
  CHECK(has(table, "simulated endpoint"));
}

TEST_CASE("a bench against the simulator at 50 tok/s and 80 ms TTFT reports both within 2%") {
  Run r({.profile = "gemma4", .tok_s = 50, .ttft_ms = 80});
  Suite suite = short_suite();
  suite.throughput.max_tokens = 100;  // 2 s a run: long enough that one late wake-up is noise
  suite.ttft.prompts = {"Say hi.",       "Name a fruit.", "Name a river.", "Name a planet.",
                        "Say a number.", "Name a city.",  "Say yes.",      "Name a bird.",
                        "Name a tree.",  "Say bye."};
  RunOptions options;
  options.only = {"throughput", "ttft"};
  auto results = r.run(suite, options);
  const auto& tok_s = results["tests"]["throughput"]["tok_s"];
  const auto& ttft = results["tests"]["ttft"]["ttft_ms"];
  INFO(results["tests"].dump());
  // Decode speed comes from the server's usage count over the span of the deltas, so the
  // simulator's deadline pacing (not sleep granularity) decides it.
  CHECK(tok_s["mean"].get<double>() == doctest::Approx(50.0).epsilon(0.02));
  CHECK(tok_s["min"].get<double>() == doctest::Approx(50.0).epsilon(0.02));
  // TTFT as the client sees it includes the loopback round trip, decoding and, on a busy
  // machine, the scheduler's wake-up latency (a 4 ms tick was seen with compilers running). The
  // fastest of ten runs is the one without that noise; the median may carry a tick or two.
  CHECK(ttft["min"].get<double>() >= 80.0);  // never faster than the server's own delay
  if constexpr (!llmwire_test::under_thread_sanitizer) {
    CHECK(ttft["min"].get<double>() == doctest::Approx(80.0).epsilon(0.02));
    CHECK(ttft["median"].get<double>() == doctest::Approx(80.0).epsilon(0.10));
  } else {
    // ThreadSanitizer's instrumentation adds a few ms to the client's side of every request
    // (82 ms was seen); the bound that still holds is that it adds, not that it is precise.
    CHECK(ttft["min"].get<double>() < 80.0 * 1.25);
  }
  // The simulator reports its own timings (llama-server's `timings` block); they are read back.
  const auto& server_tok_s = results["tests"]["throughput"]["server_tok_s"];
  const auto& server_ttft = results["tests"]["ttft"]["server_ttft_ms"];
  CHECK(server_tok_s["mean"].get<double>() == doctest::Approx(50.0).epsilon(0.02));
  CHECK(server_ttft["min"].get<double>() >= 80.0);
  CHECK(server_ttft["median"].get<double>() == doctest::Approx(80.0).epsilon(0.10));
  CHECK(markdown_report(results).find("| Server-reported | decode ") != std::string::npos);
  CHECK(results["metrics"]["tok_s"].get<double>() == doctest::Approx(50.0).epsilon(0.02));
}

TEST_CASE("long context is skipped, with the reason, when the model's context is shorter") {
  Run r({.profile = "gemma4", .tok_s = 5000, .ttft_ms = 0, .context_tokens = 8192});
  RunOptions options;
  options.only = {"long_context"};
  auto results = r.run(default_suite(), options);  // 32000 in + 500 out
  const auto& lc = results["tests"]["long_context"];
  CHECK(lc["status"] == "skipped");
  CHECK(lc["reason"] ==
        "the model's context is 8192 tokens; this test needs 32500 (32000 in + 500 out)");
  CHECK(lc["context_source"] == "/v1/models");  // learned through the Client, not a side channel
  CHECK(results["server"]["server"] == "llmwire-sim");
  CHECK(results["server"]["context_length"] == 8192);
  CHECK(
      has(markdown_report(results), "| Server | llmwire-sim, context 8192 tokens (/v1/models) |"));
  CHECK(has(markdown_report(results),
            "| Long context | skipped: the model's context is 8192 tokens"));
}

TEST_CASE("over Ollama the server parses tool calls: the seeds' 7/8 structured, weighted 0.88") {
  Run r({.profile = "gemma4", .tok_s = 5000, .ttft_ms = 0}, Dialect::ollama);
  RunOptions options;
  options.only = {"tools", "vision"};
  auto results = r.run(default_suite(), options);
  CHECK(results["metrics"]["tools_structured"] == 7);
  CHECK(results["metrics"]["tools_recovered"] == 0);
  CHECK(results["metrics"]["tools_weighted"].get<double>() == doctest::Approx(0.875));
  CHECK(results["metrics"]["vision_colours"] == 5);  // images travel as Ollama base64 too
  CHECK(has(markdown_report(results), "| Tools | 7/8 (0.88) | ≥ 6/8 | **PASS** |"));
}

TEST_CASE("quality tests run three rounds: the median round is judged, the spread is shown") {
  // Single runs swing (the seeds' tool score went 7/8 ↔ 8/8), so each quality test runs
  // quality_repeats rounds (default 3). Here the second round's answers lose their tool calls
  // on the way back, so the rounds score 7, 0 and 7: the median is 7, the spread 0 to 7.
  Run r({.profile = "gemma4", .tok_s = 5000, .ttft_ms = 0});
  RunOptions options;
  options.only = {"tools", "entities"};
  auto info = inspect_server(*r.client, {.model = r.endpoint.model});
  REQUIRE(info);
  options.server = std::move(*info);
  options.vram_unavailable_reason = "simulated endpoint";
  Suite suite = default_suite();
  REQUIRE(suite.quality_repeats == 3);
  const auto cases = static_cast<int>(suite.tools.cases.size());
  int tool_requests = 0;
  const ChatFunction chat = client_chat(*r.client);
  const ChatFunction second_round_loses_calls = [&](const ChatRequest& request) {
    Exchange exchange = chat(request);
    if (!request.tools.empty() && tool_requests++ / cases == 1 && exchange.result)
      exchange.result->tool_calls.clear();
    return exchange;
  };
  auto results = run_suite(suite, r.endpoint, second_round_loses_calls,
                           client_parallel_chat(*r.client), options);
  REQUIRE(tool_requests == 3 * cases);
  const auto& tools = results["tests"]["tools"];
  CHECK(tools["correct"] == 7);
  CHECK(results["metrics"]["tools_correct"] == 7);
  CHECK(tools["rounds"]["count"] == 3);
  CHECK(tools["rounds"]["headline_round"] == 1);  // the first of the two 7s
  CHECK(tools["rounds"]["scores"][1]["correct"] == 0);
  CHECK(tools["rounds"]["min"].get<double>() < 1);
  CHECK(tools["rounds"]["max"].get<double>() >= 7);
  REQUIRE(tools["samples"].size() == static_cast<std::size_t>(3 * cases));
  CHECK(tools["samples"][static_cast<std::size_t>(cases)]["round"] == 2);
  CHECK(tools["status"] == "ok");
  CHECK(results["tests"]["entities"]["rounds"]["count"] == 3);
  const std::string md = markdown_report(results);
  CHECK(has(md, "(median of 3 rounds: 7/8, 0/8, 7/8)"));
  CHECK(has(md, "The calls of round 1; every round's are in results.json."));
  const std::string csv = samples_csv(results);
  std::size_t tool_rows = 0;
  for (std::size_t at = csv.find("\ntools,"); at != std::string::npos;
       at = csv.find("\ntools,", at + 1))
    ++tool_rows;
  CHECK(tool_rows == static_cast<std::size_t>(3 * cases));  // every round's calls

  // quality_repeats 1 runs once, with no rounds block.
  suite.quality_repeats = 1;
  tool_requests = 0;
  auto once = run_suite(suite, r.endpoint, chat, client_parallel_chat(*r.client), options);
  CHECK_FALSE(once["tests"]["tools"].contains("rounds"));
  CHECK(once["tests"]["tools"]["samples"].size() == static_cast<std::size_t>(cases));
}

TEST_CASE("a server that fails every request: recorded, scored, never a crash") {
  Run r({.profile = "gemma4", .tok_s = 5000, .ttft_ms = 0, .fault = sim::Fault::http_500},
        Dialect::openai, {.max_retries = 0});
  RunOptions options;
  options.only = {"ttft", "tools", "vision"};
  options.stop_on_failed_warmup = false;  // how failed samples are scored, past the warm-up
  auto results = r.run(default_suite(), options);
  CHECK(results["requests"]["failed"] == results["requests"]["total"]);
  CHECK(results["metrics"]["stability"] == 0.0);
  CHECK(results["metrics"]["ttft_ms"].is_null());
  CHECK(results["metrics"]["tools_correct"] == 0);
  CHECK(has(results["tests"]["ttft"]["samples"][0]["error"].get<std::string>(), "HTTP 500"));
  CHECK(results["tests"]["ttft"]["status"] == "error");
  CHECK(has(results["tests"]["ttft"]["first_error"].get<std::string>(), "HTTP 500"));
  CHECK(results["decision"]["outcome"] == "ERROR");
  auto report = markdown_report(results);
  CHECK(has(report, "| TTFT | not measured | ≤ 200 ms | **N/A** |"));
  CHECK(has(report, "| Tools | 0/8 (0.00) | ≥ 6/8 | **FAIL** |"));
}

TEST_CASE("a test whose requests all failed is ERROR with the first error, never a PASS") {
  // The case a new user met: `--only ttft` against a server that fails every request said
  // "PASS — meets every measured threshold", the failed test being the unmeasured one.
  Run r({.profile = "gemma4", .tok_s = 5000, .ttft_ms = 0, .fault = sim::Fault::http_500},
        Dialect::openai, {.max_retries = 0});
  RunOptions options;
  options.only = {"ttft"};
  options.stop_on_failed_warmup = false;  // past the warm-up, to see how the test is judged
  auto results = r.run(default_suite(), options);
  CHECK(results["tests"]["ttft"]["status"] == "error");
  REQUIRE(results["errors"].size() == 1);
  CHECK(results["errors"][0]["test"] == "ttft");
  CHECK(results["errors"][0]["failed"] == 5);
  CHECK(results["errors"][0]["of"] == 5);
  CHECK(results["decision"]["outcome"] == "ERROR");
  const std::string reason = results["decision"]["reason"];
  CHECK(has(reason, "ttft (5 of 5 requests failed: "));
  CHECK(has(reason, "HTTP 500"));
  CHECK(has(markdown_report(results), "**ERROR**"));
}

TEST_CASE("a failed warm-up stops the run: no test, no decision, the error kept") {
  // It used to run every test against a server that could not answer, and decide PASS when
  // the failed tests were the unmeasured ones.
  Run r({.profile = "gemma4", .tok_s = 5000, .ttft_ms = 0, .fault = sim::Fault::http_500},
        Dialect::openai, {.max_retries = 0});
  RunOptions options;
  options.only = {"ttft"};
  auto results = r.run(default_suite(), options);
  REQUIRE(results.contains("aborted"));
  CHECK(has(results["aborted"].get<std::string>(), "the warm-up request failed"));
  CHECK(has(results["aborted"].get<std::string>(), "HTTP 500"));
  CHECK(results["tests"].empty());
  CHECK_FALSE(results.contains("decision"));
}

TEST_CASE("a mid-stream disconnect counts against stability") {
  Run r({.profile = "gemma4",
         .tok_s = 5000,
         .ttft_ms = 0,
         .fault = sim::Fault::disconnect,
         .fault_after_tokens = 5},
        Dialect::openai, {.max_retries = 0});
  Suite suite = short_suite();
  RunOptions options;
  options.only = {"throughput"};
  options.stop_on_failed_warmup = false;  // the warm-up breaks the same way
  auto results = r.run(suite, options);
  CHECK(results["requests"]["failed"] == 2);
  for (const auto& s : results["tests"]["throughput"]["samples"]) CHECK(!s["error"].is_null());
  CHECK(results["metrics"]["stability"] == 0.0);
  CHECK(results["tests"]["throughput"]["status"] == "error");
  CHECK(results["decision"]["outcome"] == "ERROR");
}

#endif  // LLMWIRE_HAS_CLIENT
