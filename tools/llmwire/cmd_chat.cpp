// `llmwire chat`: streams one reply from an endpoint (issue 3). Content goes to stdout as it
// arrives, reasoning to stderr; --json prints the aggregate ChatResult instead.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>

#include "args.hpp"
#include "cli_io.hpp"
#include "commands.hpp"
#include "connection_args.hpp"
#include "llmwire/client.hpp"
#include "llmwire/result_json.hpp"

namespace llmwire::cli {
namespace {

constexpr const char* usage =
    "usage: llmwire chat --endpoint URL [--api openai|ollama] --model M [--system TEXT]\n"
    "                    [--max-tokens N] [--temperature T] [--json] [--record FILE]\n"
    "                    [--hide-reasoning] [--api-key-file FILE] [--profile NAME]\n"
    "                    [--no-profile] [--timeout-ms N] [--first-byte-timeout-ms N]\n"
    "                    [--idle-timeout-ms N] [--ca-file PEM] [--insecure] PROMPT\n"
    "\n"
    "Streams the answer to stdout and the model's reasoning to stderr.\n"
    "  --endpoint URL     base URL, e.g. http://127.0.0.1:8000 (a trailing /v1 is fine);\n"
    "                     several comma-separated URLs form a pool of replicas; when absent:\n"
    "                     $LLMWIRE_ENDPOINT, then $OPENAI_BASE_URL (openai) or $OLLAMA_HOST\n"
    "  --api A            openai (/v1/chat/completions, SSE; default) or ollama (/api/chat)\n"
    "  --model M          model id as the server knows it\n"
    "  --system TEXT      a system message before the prompt\n"
    "  --max-tokens N     upper bound on generated tokens\n"
    "  --temperature T    sampling temperature\n"
    "  --json             print the aggregate result as JSON (the `llmwire replay --aggregate`\n"
    "                     shape plus \"timings\") instead of streaming text\n"
    "  --record FILE      record the exchange as a transcript (docs/TRANSCRIPTS.md); replay it\n"
    "                     with `llmwire replay --aggregate FILE`\n"
    "  --hide-reasoning   do not print reasoning to stderr\n"
    "  --api-key-file F   read the bearer token from file F (first line)\n"
    "  --api-key KEY      the token itself; other users of this machine can see it in the\n"
    "                     process list: prefer --api-key-file, $LLMWIRE_API_KEY or\n"
    "                     $OPENAI_API_KEY (tried in that order). Never printed or recorded\n"
    "  --profile NAME     model profile to use (default: picked by model id)\n"
    "  --no-profile       send the request as is, parse no raw tool calls\n"
    "  --timeout-ms N     total time limit in ms (default: none)\n"
    "  --first-byte-timeout-ms N  longest wait for the response to begin (default 120000)\n"
    "  --idle-timeout-ms N        longest silence once it began (default 30000)\n"
    "  --ca-file PEM      verify TLS with this CA bundle instead of the system's\n"
    "  --insecure         do not verify TLS certificates (a warning is printed)\n"
    "exit codes: 0 ok, 2 usage error, 3 connection or HTTP error before streaming,\n"
    "            4 stream broke (partial output already printed), 5 timeout or cancelled "
    "(Ctrl-C)\n";

std::atomic<bool> interrupted{false};

extern "C" void on_sigint(int /*signal*/) {
  interrupted.store(true);
}

int exit_for(const Error& error, bool streaming) {
  switch (error.kind) {
    case ErrorKind::timeout:
    case ErrorKind::cancelled: return exit_timeout;
    case ErrorKind::invalid_argument: return streaming ? exit_stream_broken : exit_usage;
    case ErrorKind::io: return exit_failure;
    default: return streaming ? exit_stream_broken : exit_connection;
  }
}

std::string_view source_name(TokenCountSource source) {
  switch (source) {
    case TokenCountSource::server_usage: return "server_usage";
    case TokenCountSource::counted_deltas: return "counted_deltas";
    case TokenCountSource::none: break;
  }
  return "none";
}

nlohmann::json timings_json(const ChatResult& result) {
  const Timings& t = result.timings;
  auto opt = [](const std::optional<double>& v) -> nlohmann::json {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json out = {{"ttft_ms", opt(t.ttft_ms)},
                        {"total_ms", opt(t.total_ms)},
                        {"decode_tok_s", opt(t.decode_tok_s)},
                        {"token_count_source", source_name(t.token_count_source)},
                        {"gap_p50_ms", opt(t.gap_p50_ms)},
                        {"gap_p90_ms", opt(t.gap_p90_ms)},
                        {"gap_p99_ms", opt(t.gap_p99_ms)},
                        {"server", nullptr}};
  if (result.server_timings) {
    nlohmann::json server = to_json(Event{ServerTimingsReport{&*result.server_timings}});
    server.erase("type");
    out["server"] = std::move(server);
  }
  return out;
}

int usage_error(const std::string& message) {
  print_error("chat", message);
  std::fprintf(stderr, "(llmwire chat --help lists the options)\n");
  return exit_usage;
}

}  // namespace

int run_chat(std::span<char* const> args) {
  static constexpr OptionSpec specs[] = {{"endpoint", true},        {"api", true},
                                         {"model", true},           {"system", true},
                                         {"max-tokens", true},      {"temperature", true},
                                         {"json", false},           {"record", true},
                                         {"hide-reasoning", false}, {"api-key", true},
                                         {"profile", true},         {"no-profile", false},
                                         {"timeout-ms", true},      {"first-byte-timeout-ms", true},
                                         {"idle-timeout-ms", true}, {"ca-file", true},
                                         {"insecure", false},       {"api-key-file", true}};
  auto parsed = parse_args(args, specs);
  if (!parsed) return usage_error(parsed.error().message);
  if (parsed->has("help")) {
    std::fputs(usage, stdout);
    return exit_ok;
  }
  if (!parsed->has("model")) return usage_error("--model is required");
  if (parsed->positionals().size() != 1) return usage_error("expected one PROMPT");
  auto max_tokens = parsed->get_int_in("max-tokens", 1, std::numeric_limits<int>::max());
  if (!max_tokens) return usage_error(max_tokens.error().message);
  auto temperature = parsed->get_double_in("temperature", 0, 100);
  if (!temperature) return usage_error(temperature.error().message);
  auto connection = connection_options(*parsed, "chat", true);
  if (!connection) {
    if (connection.error().kind != ErrorKind::io) return usage_error(connection.error().message);
    print_error("chat", connection.error().message);
    return exit_failure;
  }
  ClientOptions options = std::move(connection->options);
  options.use_profiles = !parsed->has("no-profile");
  auto client = Client::create(std::move(options));
  if (!client) return usage_error(client.error().message);

  ChatRequest request{.model = *parsed->get("model")};
  if (auto system = parsed->get("system")) request.messages.push_back(Message::system(*system));
  request.messages.push_back(Message::user(parsed->positionals()[0]));
  if (*max_tokens) request.max_tokens = static_cast<int>(**max_tokens);  // range-checked above
  if (*temperature) request.temperature = **temperature;
  request.profile = parsed->get_or("profile", "");

  const bool json_output = parsed->has("json");
  const bool show_reasoning = !parsed->has("hide-reasoning");
  bool printed_any = false;
  bool reasoning_open = false;  // reasoning printed without a final newline yet
  // Runs on the client's event-loop thread; the main thread only waits, so output from here is
  // never interleaved with anything else.
  EventSink sink = [&](const Event& event) {
    if (json_output) return true;
    if (const auto* d = std::get_if<ContentDelta>(&event)) {
      if (reasoning_open) {
        std::fputc('\n', stderr);
        reasoning_open = false;
      }
      std::fwrite(d->text.data(), 1, d->text.size(), stdout);
      std::fflush(stdout);
      printed_any = true;
    } else if (const auto* r = std::get_if<ReasoningDelta>(&event); r && show_reasoning) {
      std::fwrite(r->text.data(), 1, r->text.size(), stderr);
      reasoning_open = !r->text.empty() && r->text.back() != '\n';
    } else if (const auto* c = std::get_if<ToolCallComplete>(&event); c && c->call) {
      std::fprintf(stderr, "[tool call] %s %s\n", c->call->name.c_str(),
                   dump_json(c->call->arguments).c_str());
    }
    return true;
  };

  std::signal(SIGINT, on_sigint);
  CallOptions call{.record_path = parsed->get_or("record", "")};
  ChatHandle handle = client->start(request, sink, call);
  while (!handle.ready()) {
    if (interrupted.load()) handle.cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto result = handle.wait();
  std::signal(SIGINT, SIG_DFL);

  if (!result) {
    print_error("chat", result.error());
    return exit_for(result.error(), false);
  }
  if (json_output) {
    nlohmann::json out = to_json(*result);
    out["cancelled"] = result->cancelled;
    out["timings"] = timings_json(*result);
    const std::string text = dump_json(out, 2);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    if (reasoning_open) std::fputc('\n', stderr);
    if (printed_any) std::fputc('\n', stdout);
  }
  if (result->cancelled) {
    std::fprintf(stderr, "llmwire chat: cancelled\n");
    return exit_timeout;
  }
  if (result->error) {
    print_error("chat", *result->error);
    return exit_for(*result->error, true);
  }
  return exit_ok;
}

}  // namespace llmwire::cli
