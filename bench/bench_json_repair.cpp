// json::repair on input that is already valid JSON (the fast path) against a plain
// nlohmann::json::parse of the same bytes, side by side in one run, for a tool-call-sized
// document (~2 KB) and a large one (~1 MB). The ratio printed at the end must stay <= 1.2.
// The repair path on broken input is measured too, for reference (no target).
//
//     build/bench/bench_json_repair --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "llmwire/json.hpp"

namespace {

/// A deterministic document shaped like model output: objects of strings (some multibyte),
/// numbers, booleans and small arrays.
std::string make_document(std::size_t target_bytes) {
  std::string doc = "{\"entities\": [";
  for (std::size_t i = 0; doc.size() < target_bytes; ++i) {
    if (i) doc += ", ";
    doc += "{\"name\": \"Person " + std::to_string(i) +
           "\", \"type\": \"person\", \"city\": \"Bengaluru \xE0\xB2\xAC\xE0\xB3\x86\", "
           "\"score\": " +
           std::to_string(0.5 + static_cast<double>(i % 7) / 10.0) + ", \"mentions\": [" +
           std::to_string(i) + ", " + std::to_string(i * 3) +
           "], \"verified\": " + (i % 2 ? "true" : "false") +
           ", \"note\": \"said \\\"hi\\\" at 10:30\\nthen left\"}";
  }
  doc += "], \"count\": 0}";
  return doc;
}

const std::string& document(std::int64_t bytes) {
  static std::map<std::int64_t, std::string> docs;
  auto& doc = docs[bytes];
  if (doc.empty()) doc = make_document(static_cast<std::size_t>(bytes));
  return doc;
}

void strict_parse(benchmark::State& state) {
  const std::string& doc = document(state.range(0));
  for (auto _ : state) {
    auto value = nlohmann::json::parse(doc.data(), doc.data() + doc.size());
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
}
BENCHMARK(strict_parse)->Arg(2 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);

void repair_valid(benchmark::State& state) {
  const std::string& doc = document(state.range(0));
  for (auto _ : state) {
    auto value = llmwire::json::repair(doc);
    if (!value || !value->repairs.empty()) state.SkipWithError("fast path not taken");
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
}
BENCHMARK(repair_valid)->Arg(2 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);

/// The same document with a fence, single quotes, a trailing comma and cut off at the end.
void repair_broken(benchmark::State& state) {
  std::string doc = "```json\n" + document(state.range(0));
  for (char& ch : doc)
    if (ch == '"' && (&ch - doc.data()) % 5 == 0) ch = '\'';
  doc.resize(doc.size() - 20);
  for (auto _ : state) {
    auto value = llmwire::json::repair(doc);
    if (!value) state.SkipWithError("repair failed");
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * doc.size()));
}
BENCHMARK(repair_broken)->Arg(2 << 10)->Arg(1 << 20)->Unit(benchmark::kMicrosecond);

/// Prints repair_valid / strict_parse per size after the normal console output.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.error_occurred || run.iterations == 0) continue;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
      times_[run.run_name.function_name][run.run_name.args] = {run.GetAdjustedRealTime(),
                                                               run.GetAdjustedCPUTime()};
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const auto& [size, strict] : times_["strict_parse"]) {
      auto it = times_["repair_valid"].find(size);
      if (it == times_["repair_valid"].end()) continue;
      std::printf(
          "ratio repair_valid/strict_parse at %s bytes: real %.3f, cpu %.3f (target <= 1.2)\n",
          size.c_str(), it->second.first / strict.first, it->second.second / strict.second);
    }
  }

 private:
  // function → size → {real, cpu}; CPU time is the steadier of the two on a shared machine.
  std::map<std::string, std::map<std::string, std::pair<double, double>>> times_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
