// The simulator's HTTP side: routes, pacing, the two wire dialects and faults.

#include "llmwire_sim/model_simulator.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

#include "listen_backlog.hpp"
#include "llmwire/json_parse.hpp"
#include "model_simulator_internal.hpp"

namespace llmwire::sim {

using Clock = std::chrono::steady_clock;

std::string_view to_string(Fault fault) noexcept {
  switch (fault) {
    case Fault::none: return "none";
    case Fault::disconnect: return "disconnect";
    case Fault::http_500: return "500";
    case Fault::rate_limit: return "429";
    case Fault::stall: return "stall";
    case Fault::garbage: return "garbage";
  }
  return "none";
}

Result<Fault> parse_fault(std::string_view name) {
  if (name == "none" || name.empty()) return Fault::none;
  if (name == "disconnect") return Fault::disconnect;
  if (name == "500" || name == "http_500") return Fault::http_500;
  if (name == "429" || name == "rate_limit") return Fault::rate_limit;
  if (name == "stall") return Fault::stall;
  if (name == "garbage") return Fault::garbage;
  return fail(ErrorKind::invalid_argument, "unknown fault '" + std::string(name) +
                                               "' (none, disconnect, 500, 429, stall, garbage)");
}

namespace {

// One paced unit of output and how it goes on the wire.
struct Piece {
  enum class Kind { content, reasoning, tool_begin, tool_arguments, tool_whole } kind;
  std::string text;
  int tool_index = 0;
};

// Go's encoding/json escapes these; Ollama's lines look like this on the wire.
std::string go_json(const nlohmann::json& value) {
  std::string text = value.dump();
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

std::string iso_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace

struct ModelSimulator::Impl {
  SimulatorOptions options;
  httplib::Server server;
  detail::ListenBacklog backlog;  // listen_backlog.hpp: why
  std::thread thread;
  int port = 0;
  std::string host = "127.0.0.1";
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable wake;
  bool stopped = false;
  SimulatorStats stats;
  std::int64_t json_replies = 0;
  std::atomic<int> active_streams{0};
  std::atomic<std::uint64_t> next_id{1};

  explicit Impl(SimulatorOptions o) : options(std::move(o)) {}

  // Sleeps until `deadline`; returns false if the simulator is stopping.
  bool sleep_until(Clock::time_point deadline) {
    std::unique_lock lock(mutex);
    return !wake.wait_until(lock, deadline, [&] { return stopping.load(); });
  }

  bool take_malformed() {
    std::lock_guard lock(mutex);
    double rate = options.malformed_json_rate;
    auto n = json_replies++;
    return std::floor(static_cast<double>(n + 1) * rate) >
           std::floor(static_cast<double>(n) * rate);
  }

  bool server_parses(bool ollama) const {
    switch (options.server_parser) {
      case ServerParser::automatic: return ollama;
      case ServerParser::none: return false;
      case ServerParser::native: return true;
    }
    return false;
  }

  // Builds the paced output: raw native text, or pieces a parsing server would send.
  std::vector<Piece> plan(const SimRequest& request, const SimReply& reply, bool ollama,
                          bool& truncated) {
    std::vector<Piece> pieces;
    const bool parses = server_parses(ollama);
    const bool think = request.thinking && !reply.reasoning.empty();
    auto add = [&](Piece::Kind kind, std::string_view text) {
      for (auto& token : split_tokens(text)) pieces.push_back({kind, std::move(token), 0});
    };
    std::string content = reply.content;
    if (reply.long_form) {
      // Keep writing until max_tokens: a long answer is cut by the budget, as real ones are.
      auto budget = static_cast<std::size_t>(request.max_tokens);
      while (split_tokens(content).size() < budget + 1) content += long_form_filler();
    }
    if (parses) {
      if (think) add(Piece::Kind::reasoning, reply.reasoning);
      add(Piece::Kind::content, content);
      for (std::size_t i = 0; i < reply.tool_calls.size(); ++i) {
        const auto& call = reply.tool_calls[i];
        if (ollama) {
          // Ollama sends each call whole; its tokens are still paced before it goes out.
          auto count = split_tokens(render_tool_calls(options.profile, {call})).size();
          for (std::size_t k = 0; k + 1 < count; ++k) {
            pieces.push_back({Piece::Kind::tool_arguments, "", static_cast<int>(i)});
          }
          pieces.push_back({Piece::Kind::tool_whole, "", static_cast<int>(i)});
        } else {
          pieces.push_back({Piece::Kind::tool_begin, call.name, static_cast<int>(i)});
          for (auto& token : split_tokens(call.arguments.dump())) {
            pieces.push_back({Piece::Kind::tool_arguments, std::move(token), static_cast<int>(i)});
          }
        }
      }
    } else {
      std::string raw;
      if (think) raw += render_reasoning(options.profile, reply.reasoning);
      raw += content;
      raw += render_tool_calls(options.profile, reply.tool_calls);
      add(Piece::Kind::content, raw);
    }
    truncated = pieces.size() > static_cast<std::size_t>(request.max_tokens);
    if (truncated) pieces.resize(static_cast<std::size_t>(request.max_tokens));
    return pieces;
  }

  void handle_chat(const httplib::Request& req, httplib::Response& res, bool ollama);
};

namespace {

nlohmann::json openai_error(std::string_view message, std::string_view type, int code) {
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
}

}  // namespace

void ModelSimulator::Impl::handle_chat(const httplib::Request& req, httplib::Response& res,
                                       bool ollama) {
  const auto received = Clock::now();
  {
    std::lock_guard lock(mutex);
    ++stats.requests;
  }
  auto send_error = [&](int status, std::string_view message, std::string_view type) {
    res.status = status;
    if (ollama) {
      res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
    } else {
      res.set_content(openai_error(message, type, status).dump(), "application/json");
    }
  };
  auto parsed_body = llmwire::json::parse(req.body);
  if (!parsed_body)
    return send_error(400, "request body is not valid JSON: " + parsed_body.error().message,
                      "BadRequestError");
  const nlohmann::json& body = *parsed_body;
  auto request = read_request(body, ollama);
  if (!request) return send_error(400, request.error().message, "BadRequestError");
  if (request->prompt_tokens + 1 > options.context_tokens) {
    return send_error(400,
                      "This model's maximum context length is " +
                          std::to_string(options.context_tokens) +
                          " tokens. However, you requested " +
                          std::to_string(request->prompt_tokens) + " tokens.",
                      "BadRequestError");
  }

  Fault fault = options.fault;
  if (req.has_header("x-llmwire-sim-fault")) {
    if (auto parsed = parse_fault(req.get_header_value("x-llmwire-sim-fault"))) fault = *parsed;
  }
  if (fault == Fault::http_500)
    return send_error(500, "simulated internal server error", "InternalServerError");
  if (fault == Fault::rate_limit) {
    res.set_header("Retry-After", std::to_string(options.retry_after_s));
    return send_error(429, "simulated rate limit: too many requests", "RateLimitError");
  }

  bool malformed =
      options.malformed_json_rate > 0 && is_extraction_request(*request) && take_malformed();
  SimReply reply = decide_reply(*request, malformed);
  bool truncated = false;
  auto pieces = std::make_shared<std::vector<Piece>>(plan(*request, reply, ollama, truncated));
  auto calls = std::make_shared<std::vector<ToolCall>>(reply.tool_calls);
  std::string finish = truncated ? "length" : (calls->empty() ? "stop" : "tool_calls");
  bool stream = body.value("stream", ollama);  // Ollama streams unless told otherwise
  bool include_usage = false;
  if (auto so = body.find("stream_options"); so != body.end() && so->is_object()) {
    include_usage = so->value("include_usage", false);
  }
  const std::int64_t prompt_tokens = request->prompt_tokens;
  double prefill_ms = 0;
  if (options.prefill_tok_s > 0 && prompt_tokens > 1024) {
    prefill_ms = 1000.0 * static_cast<double>(prompt_tokens - 1024) / options.prefill_tok_s;
  }
  const auto first_at =
      received +
      std::chrono::microseconds(static_cast<std::int64_t>((options.ttft_ms + prefill_ms) * 1000));
  const std::string id = "chatcmpl-sim-" + std::to_string(next_id++);
  const std::string model = body.value("model", options.model);
  const auto created = static_cast<std::int64_t>(std::time(nullptr));
  const bool parses = server_parses(ollama);

  // Paces the pieces, calling `emit` for each; returns false if the client went away, the
  // simulator is stopping, or a fault cut the stream (then `cut` says so).
  struct Outcome {
    bool ok = true;
    bool cut = false;
    std::int64_t sent = 0;
    Clock::time_point first{}, last{};
  };
  auto pace = [this, pieces, first_at, fault](
                  const std::function<bool(const Piece&)>& emit,
                  const std::function<bool(std::string_view)>& write_raw) {
    Outcome outcome;
    int active = ++active_streams;
    {
      std::lock_guard lock(mutex);
      stats.max_concurrent_streams = std::max(stats.max_concurrent_streams, active);
    }
    auto next = first_at;
    for (std::size_t i = 0; i < pieces->size(); ++i) {
      if (!sleep_until(next)) {
        outcome.ok = false;
        break;
      }
      if (i == static_cast<std::size_t>(options.fault_after_tokens) && fault != Fault::none) {
        if (fault == Fault::disconnect) {
          outcome.cut = true;
          break;
        }
        if (fault == Fault::stall) {
          sleep_until(Clock::now() + std::chrono::microseconds(
                                         static_cast<std::int64_t>(options.stall_ms * 1000)));
          outcome.cut = true;
          break;
        }
        if (fault == Fault::garbage) {
          if (!write_raw("\xff\xfe<<garbage bytes>>\n\ndata: {not json at all\n\n")) {
            outcome.ok = false;
            break;
          }
        }
      }
      if (!emit((*pieces)[i])) {
        outcome.ok = false;
        break;
      }
      auto now = Clock::now();
      if (outcome.sent == 0) outcome.first = now;
      outcome.last = now;
      ++outcome.sent;
      // Each token is scheduled from the previous deadline, not from "now", so pacing does not
      // drift with scheduler jitter; other streams running at once slow this one down.
      double rate = options.tok_s /
                    (1.0 + options.concurrency_slowdown * std::max(0, active_streams.load() - 1));
      next += std::chrono::microseconds(static_cast<std::int64_t>(1e6 / std::max(rate, 1e-3)));
    }
    --active_streams;
    {
      std::lock_guard lock(mutex);
      stats.completion_tokens += outcome.sent;
    }
    return outcome;
  };

  if (!stream) {
    // Non-streaming: the same pacing, then one JSON body.
    std::string content, reasoning;
    auto outcome = pace(
        [&](const Piece& piece) {
          if (piece.kind == Piece::Kind::content) content += piece.text;
          if (piece.kind == Piece::Kind::reasoning) reasoning += piece.text;
          return true;
        },
        [](std::string_view) { return true; });
    if (outcome.cut)
      return send_error(500, "simulated fault before the response completed",
                        "InternalServerError");
    auto n = outcome.sent;
    if (ollama) {
      nlohmann::json message = {{"role", "assistant"}, {"content", content}};
      if (!reasoning.empty()) message["thinking"] = reasoning;
      if (parses && !calls->empty()) {
        message["tool_calls"] = nlohmann::json::array();
        for (const auto& call : *calls) {
          message["tool_calls"].push_back(
              {{"function", {{"name", call.name}, {"arguments", call.arguments}}}});
        }
      }
      auto eval_ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(outcome.last - outcome.first)
              .count();
      nlohmann::json out = {{"model", model},        {"created_at", iso_now()},
                            {"message", message},    {"done", true},
                            {"done_reason", finish}, {"prompt_eval_count", prompt_tokens},
                            {"eval_count", n},       {"eval_duration", eval_ns}};
      res.set_content(go_json(out), "application/json");
    } else {
      nlohmann::json message = {{"role", "assistant"}, {"content", content}};
      if (!reasoning.empty()) message["reasoning"] = reasoning;
      if (parses && !calls->empty()) {
        message["tool_calls"] = nlohmann::json::array();
        for (std::size_t i = 0; i < calls->size(); ++i) {
          message["tool_calls"].push_back(
              {{"id", id + "-tool-" + std::to_string(i)},
               {"type", "function"},
               {"function",
                {{"name", (*calls)[i].name}, {"arguments", (*calls)[i].arguments.dump()}}}});
        }
      }
      nlohmann::json out = {
          {"id", id},
          {"object", "chat.completion"},
          {"created", created},
          {"model", model},
          {"choices", {{{"index", 0}, {"message", message}, {"finish_reason", finish}}}},
          {"usage",
           {{"prompt_tokens", prompt_tokens},
            {"completion_tokens", n},
            {"total_tokens", prompt_tokens + n}}}};
      res.set_content(out.dump(), "application/json");
    }
    return;
  }

  const std::string content_type = ollama ? "application/x-ndjson" : "text/event-stream";
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(content_type, [this, pace, calls, id, model, created, finish,
                                                  ollama, include_usage, prompt_tokens, received](
                                                     std::size_t offset, httplib::DataSink& sink) {
    if (offset != 0) return false;  // everything is written in the first call
    auto write = [&](std::string_view text) { return sink.write(text.data(), text.size()); };
    auto chunk = [&](const nlohmann::json& delta, const nlohmann::json& finish_reason) {
      nlohmann::json out = {
          {"id", id},
          {"object", "chat.completion.chunk"},
          {"created", created},
          {"model", model},
          {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish_reason}}}}};
      return write("data: " + out.dump() + "\n\n");
    };
    auto line = [&](const nlohmann::json& message) {
      nlohmann::json out = {
          {"model", model}, {"created_at", iso_now()}, {"message", message}, {"done", false}};
      return write(go_json(out) + "\n");
    };
    if (!ollama && !chunk({{"role", "assistant"}, {"content", ""}}, nullptr)) return false;
    auto emit = [&](const Piece& piece) -> bool {
      switch (piece.kind) {
        case Piece::Kind::content:
          return ollama ? line({{"role", "assistant"}, {"content", piece.text}})
                        : chunk({{"content", piece.text}}, nullptr);
        case Piece::Kind::reasoning:
          return ollama ? line({{"role", "assistant"}, {"content", ""}, {"thinking", piece.text}})
                        : chunk({{"reasoning", piece.text}}, nullptr);
        case Piece::Kind::tool_begin: {
          const auto& call = (*calls)[static_cast<std::size_t>(piece.tool_index)];
          nlohmann::json tc = {{"index", piece.tool_index},
                               {"id", id + "-tool-" + std::to_string(piece.tool_index)},
                               {"type", "function"},
                               {"function", {{"name", call.name}, {"arguments", ""}}}};
          return chunk({{"tool_calls", nlohmann::json::array({tc})}}, nullptr);
        }
        case Piece::Kind::tool_arguments:
          if (ollama) return true;  // paced, sent whole with the call's last token
          return chunk({{"tool_calls",
                         nlohmann::json::array({{{"index", piece.tool_index},
                                                 {"function", {{"arguments", piece.text}}}}})}},
                       nullptr);
        case Piece::Kind::tool_whole: {
          const auto& call = (*calls)[static_cast<std::size_t>(piece.tool_index)];
          nlohmann::json tc = {
              {"id", "call_sim" + std::to_string(piece.tool_index)},
              {"function",
               {{"index", piece.tool_index}, {"name", call.name}, {"arguments", call.arguments}}}};
          return line({{"role", "assistant"},
                       {"content", ""},
                       {"tool_calls", nlohmann::json::array({tc})}});
        }
      }
      return true;
    };
    auto outcome = pace(emit, write);
    if (!outcome.ok || outcome.cut) return false;  // drop the connection: no end marker
    auto n = outcome.sent;
    // Server-side timings, as the server measured them (llama-server's `timings`, Ollama's
    // durations): request received → first token, and n tokens over n−1 intervals.
    using ns = std::chrono::nanoseconds;
    const auto prompt_ns =
        n > 0 ? std::chrono::duration_cast<ns>(outcome.first - received).count() : 0;
    const auto eval_ns =
        n > 1 ? std::chrono::duration_cast<ns>(outcome.last - outcome.first).count() * n / (n - 1)
              : 0;
    if (ollama) {
      nlohmann::json out = {{"model", model},
                            {"created_at", iso_now()},
                            {"message", {{"role", "assistant"}, {"content", ""}}},
                            {"done", true},
                            {"done_reason", finish},
                            {"prompt_eval_count", prompt_tokens},
                            {"prompt_eval_duration", prompt_ns},
                            {"eval_count", n},
                            {"eval_duration", eval_ns}};
      if (!write(go_json(out) + "\n")) return false;
    } else {
      nlohmann::json final_chunk = {
          {"id", id},
          {"object", "chat.completion.chunk"},
          {"created", created},
          {"model", model},
          {"choices",
           {{{"index", 0}, {"delta", nlohmann::json::object()}, {"finish_reason", finish}}}}};
      if (n > 1) {
        double predicted_ms = static_cast<double>(eval_ns) / 1e6;
        final_chunk["timings"] = {
            {"prompt_n", prompt_tokens},
            {"prompt_ms", static_cast<double>(prompt_ns) / 1e6},
            {"predicted_n", n},
            {"predicted_ms", predicted_ms},
            {"predicted_per_second", 1000.0 * static_cast<double>(n) / predicted_ms}};
      }
      if (!write("data: " + final_chunk.dump() + "\n\n")) return false;
      if (include_usage) {
        nlohmann::json usage = {{"id", id},
                                {"object", "chat.completion.chunk"},
                                {"created", created},
                                {"model", model},
                                {"choices", nlohmann::json::array()},
                                {"usage",
                                 {{"prompt_tokens", prompt_tokens},
                                  {"completion_tokens", n},
                                  {"total_tokens", prompt_tokens + n}}}};
        if (!write("data: " + usage.dump() + "\n\n")) return false;
      }
      if (!write("data: [DONE]\n\n")) return false;
    }
    sink.done();
    return true;
  });
}

ModelSimulator::ModelSimulator(SimulatorOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ModelSimulator::~ModelSimulator() {
  stop();
}

bool is_simulator_profile(std::string_view profile) noexcept {
  return profile == "gemma4" || profile == "qwen3-coder" || profile == "qwen3_coder" ||
         profile.starts_with("nemotron") || profile == "hermes" || profile == "plain";
}

Result<int> ModelSimulator::start(const std::string& host, int port) {
  if (impl_->thread.joinable()) return impl_->port;
  if (!is_simulator_profile(impl_->options.profile)) {
    return fail(ErrorKind::invalid_argument,
                "unknown simulator profile '" + impl_->options.profile +
                    "' (known: gemma4, qwen3-coder, nemotron, hermes, plain)");
  }
  auto& server = impl_->server;
  Impl* impl = impl_.get();
  server.Post("/v1/chat/completions", [impl](const httplib::Request& req, httplib::Response& res) {
    impl->handle_chat(req, res, false);
  });
  server.Post("/api/chat", [impl](const httplib::Request& req, httplib::Response& res) {
    impl->handle_chat(req, res, true);
  });
  server.Get("/v1/models", [impl](const httplib::Request&, httplib::Response& res) {
    nlohmann::json out = {{"object", "list"},
                          {"data",
                           {{{"id", impl->options.model},
                             {"object", "model"},
                             {"owned_by", "llmwire-sim"},
                             {"max_model_len", impl->options.context_tokens}}}}};
    res.set_content(out.dump(), "application/json");
  });
  server.Get("/api/tags", [impl](const httplib::Request&, httplib::Response& res) {
    nlohmann::json out = {{"models",
                           {{{"name", impl->options.model},
                             {"model", impl->options.model},
                             {"details", {{"family", impl->options.profile}}}}}}};
    res.set_content(out.dump(), "application/json");
  });
  server.Post("/api/show", [impl](const httplib::Request&, httplib::Response& res) {
    nlohmann::json out = {
        {"model_info",
         {{"general.architecture", impl->options.profile},
          {impl->options.profile + ".context_length", impl->options.context_tokens}}},
        {"capabilities", {"completion", "tools", "vision", "thinking"}}};
    res.set_content(out.dump(), "application/json");
  });
  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\",\"simulated\":true}", "application/json");
  });
  impl_->host = host;
  server.set_tcp_nodelay(true);  // each event goes out when written (loopback_server.cpp: why)
  // cpp-httplib gives each connection a pool thread for as long as it is kept alive, and its
  // default pool is 8 threads on a small machine: a stand-in for vLLM must serve more streams
  // at once than the bench's largest level, idle keep-alive connections beside them.
  server.new_task_queue = [] { return new httplib::ThreadPool(128); };
  impl_->backlog.attach(server);
  int bound = port == 0 ? server.bind_to_any_port(host.c_str())
                        : (server.bind_to_port(host.c_str(), port) ? port : -1);
  if (bound <= 0) {
    return fail(ErrorKind::connect,
                "simulator could not bind " + host + ":" + std::to_string(port));
  }
  impl_->backlog.widen();
  impl_->port = bound;
  impl_->thread = std::thread([impl] { impl->server.listen_after_bind(); });
  // httplib's stop() does nothing before listen_after_bind() has marked the server running, and
  // the listening thread then blocks in accept() for ever: a caller that stopped at once (a
  // test that only opened connections, which the kernel completes without accept) hung in the
  // join. Return only once it serves, as LoopbackServer::start() does.
  for (int i = 0; i < 2000 && !impl->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

void ModelSimulator::stop() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    impl_->stopped = true;
  }
  impl_->wake.notify_all();
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void ModelSimulator::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->wake.wait(lock, [&] { return impl_->stopped; });
}

int ModelSimulator::port() const noexcept {
  return impl_->port;
}

std::string ModelSimulator::base_url() const {
  return "http://" + impl_->host + ":" + std::to_string(impl_->port);
}

const SimulatorOptions& ModelSimulator::options() const noexcept {
  return impl_->options;
}

SimulatorStats ModelSimulator::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace llmwire::sim
