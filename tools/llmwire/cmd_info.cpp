// `llmwire info`: what a server says about itself (inspect_server): which server and version,
// the models and their runtime context, Ollama's GPU/CPU split, /metrics highlights, health.

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "args.hpp"
#include "cli_io.hpp"
#include "commands.hpp"
#include "connection_args.hpp"
#include "llmwire/client.hpp"
#include "llmwire/printable.hpp"
#include "llmwire/server_info.hpp"

namespace llmwire::cli {
namespace {

constexpr const char* usage_head =
    "usage: llmwire info [--endpoint URL] [--api openai|ollama] [--model M] [--json]\n"
    "                    [--no-metrics] [--api-key-file FILE] [--ca-file PEM] [--insecure]\n"
    "\n"
    "Asks the server what it is and prints it: server and version, the models served and the\n"
    "context each runs with, llama-server's slots, Ollama's loaded models (with the share on\n"
    "the CPU), /metrics highlights and /health. What the server does not serve is listed as a\n"
    "note, not an error.\n"
    "  --model M          the model whose context length to report (default: the only one)\n"
    "  --json             print everything as JSON (the shape bench records as provenance)\n"
    "  --no-metrics       do not read /metrics\n";
constexpr const char* usage_tail =
    "exit codes: 0 ok, 1 bad key file, 2 usage error, 3 the server cannot be reached\n";

void print_text(const ServerInfo& info) {
  std::printf("server:   %s%s%s\n", std::string(to_string(info.kind)).c_str(),
              info.version.empty() ? "" : " ", info.version.c_str());
  std::printf("url:      %s\n", printable(info.url).c_str());
  for (const auto& m : info.models) {
    std::printf("model:    %s", printable(m.id).c_str());
    if (m.context_length)
      std::printf("  (context %lld)", static_cast<long long>(*m.context_length));
    std::printf("\n");
  }
  if (info.context_length) {
    std::printf("context:  %lld tokens (from %s)\n", static_cast<long long>(*info.context_length),
                info.context_source.c_str());
  }
  if (info.llama_props && info.llama_props->total_slots) {
    std::printf("slots:    %lld\n", static_cast<long long>(*info.llama_props->total_slots));
  }
  if (info.sglang) {
    const auto& g = *info.sglang;
    if (g.mem_fraction_static)
      std::printf("memory:   SGLang reserves %.0f%% of the GPU (mem_fraction_static)\n",
                  *g.mem_fraction_static * 100);
    if (g.max_total_num_tokens)
      std::printf("kv pool:  %lld tokens\n", static_cast<long long>(*g.max_total_num_tokens));
    if (g.max_running_requests)
      std::printf("slots:    %lld\n", static_cast<long long>(*g.max_running_requests));
  }
  for (const auto& m : info.ollama_loaded) {
    const double cpu = m.cpu_fraction();
    std::printf("loaded:   %s  %.2f GB, %.0f%% GPU / %.0f%% CPU\n", printable(m.name).c_str(),
                static_cast<double>(m.size_bytes) / 1e9, (1 - cpu) * 100, cpu * 100);
    if (cpu > 0) {
      std::printf("WARNING:  %.0f%% of %s runs on the CPU: decode speed is cut accordingly\n",
                  cpu * 100, printable(m.name).c_str());
    }
  }
  if (info.metrics) std::printf("metrics:  %zu samples\n", info.metrics->samples.size());
  if (info.healthy) std::printf("health:   %s\n", *info.healthy ? "ok" : "not ok");
  for (const auto& note : info.notes) std::printf("note:     %s\n", printable(note).c_str());
}

}  // namespace

int run_info(std::span<char* const> args) {
  static constexpr OptionSpec specs[] = {{"endpoint", true},        {"api", true},
                                         {"api-key", true},         {"api-key-file", true},
                                         {"ca-file", true},         {"insecure", false},
                                         {"timeout-ms", true},      {"first-byte-timeout-ms", true},
                                         {"idle-timeout-ms", true}, {"model", true},
                                         {"json", false},           {"no-metrics", false}};
  auto parsed = parse_args(args, specs);
  if (!parsed) {
    print_error("info", parsed.error().message);
    std::fprintf(stderr, "(llmwire info --help lists the options)\n");
    return exit_usage;
  }
  if (parsed->has("help")) {
    std::fputs(usage_head, stdout);
    std::fputs(connection_options_help, stdout);
    std::fputs(usage_tail, stdout);
    return exit_ok;
  }
  if (!parsed->positionals().empty()) {
    print_error("info", "unexpected argument '" + parsed->positionals().front() + "'");
    return exit_usage;
  }
  auto connection = connection_options(*parsed, "info", true);
  if (!connection) {
    print_error("info", connection.error().message);
    return connection.error().kind == ErrorKind::io ? exit_failure : exit_usage;
  }
  auto client = Client::create(std::move(connection->options));
  if (!client) {
    print_error("info", client.error().message);
    return exit_usage;
  }
  InspectOptions inspect{.model = parsed->get_or("model", ""),
                         .metrics = !parsed->has("no-metrics")};
  auto info = inspect_server(*client, inspect);
  if (!info) {
    print_error("info", info.error().message);
    return exit_connection;
  }
  if (parsed->has("json")) {
    std::printf("%s\n", server_info_json(*info, 2).c_str());
  } else {
    print_text(*info);
  }
  return stdout_ok("info") ? exit_ok : exit_failure;
}

}  // namespace llmwire::cli
