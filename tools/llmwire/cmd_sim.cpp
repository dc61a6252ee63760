// `llmwire sim`: runs the loopback model simulator in the foreground until Ctrl-C.

#include <csignal>
#include <cstdio>
#include <thread>

#include "args.hpp"
#include "commands.hpp"
#include "llmwire_sim/model_simulator.hpp"

namespace llmwire::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;
void on_signal(int) {
  interrupted = 1;
}

constexpr const char* usage =
    "usage: llmwire sim [--port P] [--host 127.0.0.1] [--profile gemma4|qwen3-coder|hermes|plain]\n"
    "                   [--model ID] [--tok-s 50] [--ttft-ms 80] [--context 131072]\n"
    "                   [--server-parser auto|none|native] [--malformed-rate 0..1]\n"
    "                   [--fault none|disconnect|500|429|stall|garbage] [--fault-after N]\n\n"
    "Serves OpenAI SSE (/v1/chat/completions, /v1/models) and Ollama NDJSON (/api/chat,\n"
    "/api/tags, /api/show) on loopback, answering like a model in the profile's raw native\n"
    "format at the given pacing. A request header `x-llmwire-sim-fault: NAME` injects a fault\n"
    "into that request only. Port 0 (the default) picks a free port; the URL is printed.\n";

}  // namespace

int run_sim(std::span<char* const> args) {
  static constexpr OptionSpec specs[] = {{"port"},    {"host"},          {"profile"},
                                         {"model"},   {"tok-s"},         {"ttft-ms"},
                                         {"context"}, {"server-parser"}, {"malformed-rate"},
                                         {"fault"},   {"fault-after"},   {"prefill-tok-s"}};
  auto parsed = parse_args(args, specs);
  if (!parsed) {
    std::fprintf(stderr, "llmwire sim: %s\n\n%s", parsed.error().message.c_str(), usage);
    return exit_usage;
  }
  if (parsed->has("help")) {
    std::fputs(usage, stdout);
    return exit_ok;
  }
  sim::SimulatorOptions options;
  options.profile = parsed->get_or("profile", options.profile);
  options.model = parsed->get_or(
      "model", options.profile == "gemma4" ? options.model : options.profile + "-sim");
  auto number = [&](const char* name, double& out) -> bool {
    auto value = parsed->get_double(name);
    if (!value) {
      std::fprintf(stderr, "llmwire sim: %s\n", value.error().message.c_str());
      return false;
    }
    if (*value) out = **value;
    return true;
  };
  double port = 0, context = static_cast<double>(options.context_tokens),
         fault_after = options.fault_after_tokens;
  if (!number("port", port) || !number("tok-s", options.tok_s) ||
      !number("ttft-ms", options.ttft_ms) || !number("context", context) ||
      !number("malformed-rate", options.malformed_json_rate) ||
      !number("fault-after", fault_after) || !number("prefill-tok-s", options.prefill_tok_s)) {
    return exit_usage;
  }
  if (options.tok_s <= 0 || options.ttft_ms < 0 || port < 0 || port > 65535) {
    std::fprintf(stderr, "llmwire sim: --tok-s must be > 0, --ttft-ms >= 0, --port 0..65535\n");
    return exit_usage;
  }
  options.context_tokens = static_cast<std::int64_t>(context);
  options.fault_after_tokens = static_cast<int>(fault_after);
  if (auto fault = sim::parse_fault(parsed->get_or("fault", "none")); fault) {
    options.fault = *fault;
  } else {
    std::fprintf(stderr, "llmwire sim: %s\n", fault.error().message.c_str());
    return exit_usage;
  }
  auto parser = parsed->get_or("server-parser", "auto");
  if (parser == "auto")
    options.server_parser = sim::ServerParser::automatic;
  else if (parser == "none")
    options.server_parser = sim::ServerParser::none;
  else if (parser == "native")
    options.server_parser = sim::ServerParser::native;
  else {
    std::fprintf(stderr, "llmwire sim: --server-parser is auto, none or native\n");
    return exit_usage;
  }

  sim::ModelSimulator simulator(options);
  auto bound = simulator.start(parsed->get_or("host", "127.0.0.1"), static_cast<int>(port));
  if (!bound) {
    std::fprintf(stderr, "llmwire sim: %s\n", bound.error().message.c_str());
    return bound.error().kind == ErrorKind::invalid_argument ? exit_usage : exit_failure;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::printf(
      "llmwire sim: simulated endpoint %s (model %s, profile %s, %.0f tok/s, TTFT %.0f ms, fault "
      "%s)\n",
      simulator.base_url().c_str(), options.model.c_str(), options.profile.c_str(), options.tok_s,
      options.ttft_ms, std::string(sim::to_string(options.fault)).c_str());
  std::fflush(stdout);
  while (!interrupted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  simulator.stop();
  auto stats = simulator.stats();
  std::fprintf(stderr, "llmwire sim: served %lld requests, %lld tokens\n",
               static_cast<long long>(stats.requests),
               static_cast<long long>(stats.completion_tokens));
  return exit_ok;
}

}  // namespace llmwire::cli
