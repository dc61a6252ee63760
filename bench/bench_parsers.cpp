// Output-parser cost per token at 1k and at 32k tokens of output, for each parser, side by side
// in one run. A parser that re-scanned its accumulated output would cost more per token as the
// output grows; the ratio (32k / 1k per-token time) printed at the end must stay <= 1.5.
//
//     build/bench/bench_parsers --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "llmwire/profile.hpp"

namespace {

/// Splits text into token-sized pieces (1-6 bytes, as BPE tokens of English and code are),
/// keeping each special marker whole, as a server streams them.
void tokenize(std::string_view text, std::vector<std::string>& out, unsigned& seed) {
  while (!text.empty()) {
    if (text.front() == '<') {
      const std::size_t close = text.find('>');
      if (close != std::string_view::npos && close < 20) {
        out.emplace_back(text.substr(0, close + 1));
        text.remove_prefix(close + 1);
        continue;
      }
    }
    seed = seed * 1103515245u + 12345u;
    std::size_t n = 1 + (seed >> 16) % 6;
    const std::size_t lt = text.find('<', 1);
    if (lt != std::string_view::npos) n = std::min(n, lt);
    n = std::min(n, text.size());
    out.emplace_back(text.substr(0, n));
    text.remove_prefix(n);
  }
}

const char* prose =
    "The quick analysis shows that the function reads the file, checks every record and "
    "writes a summary; nothing here needs a second pass, so we can answer directly. ";

/// One "turn" of output in the parser's own format: reasoning, content and a tool call.
std::string segment(std::string_view parser, int i) {
  const std::string n = std::to_string(i);
  if (parser == "gemma4") {
    return "<|channel>thought\n" + std::string(prose) + "<channel|>" + prose +
           "<|tool_call>call:read_file{path:<|\"|>/src/file" + n +
           ".cpp<|\"|>,lines:[1,200],opts:{follow:true}}" + "<tool_call|>";
  }
  if (parser == "qwen3-coder") {
    return "<think>\n" + std::string(prose) + "</think>\n" + prose +
           "<tool_call>\n<function=read_file>\n<parameter=path>\n/src/file" + n +
           ".cpp\n</parameter>\n<parameter=lines>\n200\n</parameter>\n</function>\n</tool_call>\n";
  }
  return "<think>\n" + std::string(prose) + "</think>\n" + prose +
         "<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"/src/file" + n +
         ".cpp\", \"lines\": [1, 200]}}\n</tool_call>\n";
}

std::vector<std::string> make_tokens(std::string_view parser, std::size_t count) {
  std::vector<std::string> tokens;
  unsigned seed = 7;
  for (int i = 0; tokens.size() < count; ++i) tokenize(segment(parser, i), tokens, seed);
  tokens.resize(count);
  return tokens;
}

/// One call whose single argument is the whole output (a file written by a tool call): the
/// case where a parser that re-reads its call buffer per token would go quadratic.
std::vector<std::string> make_long_call(std::string_view parser, std::size_t count) {
  std::string open, close;
  if (parser == "gemma4") {
    open = "<|tool_call>call:write_file{path:<|\"|>a.md<|\"|>,content:<|\"|>";
    close = "<|\"|>}<tool_call|>";
  } else if (parser == "qwen3-coder") {
    open = "<tool_call>\n<function=write_file>\n<parameter=content>\n";
    close = "\n</parameter>\n</function>\n</tool_call>";
  } else {
    open = "<tool_call>\n{\"name\": \"write_file\", \"arguments\": {\"content\": \"";
    close = "\"}}\n</tool_call>";
  }
  std::vector<std::string> tokens;
  unsigned seed = 11;
  tokenize(open, tokens, seed);
  std::vector<std::string> tail;
  tokenize(close, tail, seed);
  while (tokens.size() + tail.size() < count) {
    std::vector<std::string> more;
    tokenize(prose, more, seed);
    for (auto& t : more) {
      if (tokens.size() + tail.size() < count) tokens.push_back(std::move(t));
    }
  }
  tokens.insert(tokens.end(), tail.begin(), tail.end());
  return tokens;
}

void run_tokens(benchmark::State& state, const char* parser,
                const std::vector<std::string>& tokens);

void parse_tokens(benchmark::State& state, const char* parser) {
  run_tokens(state, parser, make_tokens(parser, static_cast<std::size_t>(state.range(0))));
}

void parse_long_call(benchmark::State& state, const char* parser) {
  run_tokens(state, parser, make_long_call(parser, static_cast<std::size_t>(state.range(0))));
}

void run_tokens(benchmark::State& state, const char* parser,
                const std::vector<std::string>& tokens) {
  std::size_t events = 0;
  const llmwire::EventSink sink = [&](const llmwire::Event&) {
    ++events;
    return true;
  };
  for (auto _ : state) {
    auto p = llmwire::make_output_parser(parser);
    for (const auto& t : tokens) (*p)->feed(t, sink);
    (*p)->finish(sink);
  }
  benchmark::DoNotOptimize(events);
  state.counters["tokens"] = static_cast<double>(tokens.size());
  state.counters["per_token"] = benchmark::Counter(
      static_cast<double>(tokens.size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

BENCHMARK_CAPTURE(parse_tokens, gemma4, "gemma4")
    ->Arg(1000)
    ->Arg(32000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(parse_tokens, qwen3_coder, "qwen3-coder")
    ->Arg(1000)
    ->Arg(32000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(parse_tokens, hermes, "hermes")
    ->Arg(1000)
    ->Arg(32000)
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_CAPTURE(parse_long_call, gemma4, "gemma4")
    ->Arg(1000)
    ->Arg(32000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(parse_long_call, qwen3_coder, "qwen3-coder")
    ->Arg(1000)
    ->Arg(32000)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(parse_long_call, hermes, "hermes")
    ->Arg(1000)
    ->Arg(32000)
    ->Unit(benchmark::kMicrosecond);

/// Prints the 32k/1k per-token ratio of each parser after the normal console output.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.error_occurred || run.iterations == 0) continue;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
      const std::string name = run.run_name.function_name + "/" + run.run_name.args;
      const double tokens = run.counters.count("tokens") ? run.counters.at("tokens").value : 0;
      // CPU time: the build machine is shared, and wall time there measures the neighbours.
      if (tokens > 0) per_token_ns_[name] = run.GetAdjustedCPUTime() * 1000.0 / tokens;  // µs → ns
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const char* shape : {"parse_tokens", "parse_long_call"}) {
      for (const char* parser : {"gemma4", "qwen3_coder", "hermes"}) {
        const std::string base = std::string(shape) + "/" + parser;
        auto small = per_token_ns_.find(base + "/1000"),
             large = per_token_ns_.find(base + "/32000");
        if (small == per_token_ns_.end() || large == per_token_ns_.end()) continue;
        std::printf(
            "ratio %-28s per token (CPU): 1k %.1f ns, 32k %.1f ns, 32k/1k = %.2f (target <= 1.5)\n",
            base.c_str(), small->second, large->second, large->second / small->second);
      }
    }
  }

 private:
  std::map<std::string, double> per_token_ns_;
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
