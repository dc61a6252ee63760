#pragma once
/// @file model_simulator.hpp
/// A loopback model simulator: an HTTP server that speaks OpenAI SSE (/v1/chat/completions,
/// /v1/models) and Ollama NDJSON (/api/chat, /api/tags, /api/show) and answers like a model
/// would: each profile's raw native output (Gemma 4 tool-call text, Qwen3-Coder XML, Hermes
/// JSON, thinking channels), paced at a set tok/s after a set TTFT, with faults on demand.
/// `llmwire bench` runs against it when no endpoint is given; tests use it as their server.
///
///     llmwire::sim::ModelSimulator sim({.profile = "gemma4", .tok_s = 50, .ttft_ms = 80});
///     auto port = sim.start();               // a free loopback port
///     if (!port) return report(port.error());
///     run_requests_against(sim.base_url());  // "http://127.0.0.1:<port>"
///     sim.stop();

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmwire/chat.hpp"
#include "llmwire/error.hpp"

namespace llmwire::sim {

/// A failure the simulator can produce on demand.
enum class Fault {
  none,
  disconnect,  ///< Close the connection mid-stream, without the end marker.
  http_500,    ///< Answer HTTP 500 with an OpenAI/Ollama-shaped error body.
  rate_limit,  ///< Answer HTTP 429 with a Retry-After header.
  stall,       ///< Stop sending mid-stream for `stall_ms`, then end without the end marker.
  garbage,     ///< Send bytes that are neither SSE nor JSON mid-stream, then carry on.
};

/// "none", "disconnect", "500", "429", "stall", "garbage".
[[nodiscard]] std::string_view to_string(Fault fault) noexcept;
/// Parses the names above (also "http_500", "rate_limit"); ErrorKind::invalid_argument otherwise.
[[nodiscard]] Result<Fault> parse_fault(std::string_view name);

/// Whether the simulated server parses tool calls and reasoning itself.
enum class ServerParser {
  automatic,  ///< Ollama endpoints parse (as Ollama does); OpenAI endpoints send raw text.
  none,       ///< Raw native text in `content` everywhere (a server with no tool parser).
  native,     ///< Structured tool calls and a reasoning field everywhere.
};

struct SimulatorOptions {
  /// Output format: "gemma4", "qwen3-coder" (also "nemotron"), "hermes" or "plain".
  std::string profile = "gemma4";
  std::string model = "gemma-4-26b-a4b-sim";  ///< The id /v1/models and /api/tags list.
  double tok_s = 50.0;                        ///< Decode pacing of one stream.
  double ttft_ms = 80.0;                      ///< Request received → first token.
  /// Prompt tokens beyond the first 1024 add prefill time at this rate (0 = none).
  double prefill_tok_s = 20000.0;
  std::int64_t context_tokens = 131072;  ///< Reported as max_model_len / context_length.
  ServerParser server_parser = ServerParser::automatic;
  /// Fraction of JSON answers (entity extraction) sent with a dropped quote, as the seeds saw.
  double malformed_json_rate = 0.0;
  Fault fault = Fault::none;   ///< Applied to every chat request (a header can override).
  int fault_after_tokens = 8;  ///< Where mid-stream faults strike.
  int retry_after_s = 1;       ///< Retry-After for Fault::rate_limit.
  double stall_ms = 30000.0;   ///< Length of Fault::stall (cut short by stop()).
  /// Per-stream slowdown for each other stream running at once: tok_s / (1 + k·(n−1)).
  double concurrency_slowdown = 0.1;
};

/// Counters over the simulator's lifetime.
struct SimulatorStats {
  std::int64_t requests = 0;           ///< Chat requests answered (any outcome).
  std::int64_t completion_tokens = 0;  ///< Tokens paced out in total.
  int max_concurrent_streams = 0;
};

/// The simulator server. Start it once; stop() (or the destructor) shuts it down.
class ModelSimulator {
 public:
  explicit ModelSimulator(SimulatorOptions options = {});
  ~ModelSimulator();
  ModelSimulator(const ModelSimulator&) = delete;
  ModelSimulator& operator=(const ModelSimulator&) = delete;

  /// Binds and starts serving on a background thread. Port 0 picks a free port. Returns the
  /// bound port; ErrorKind::connect if the address cannot be bound.
  /// Errors: ErrorKind::invalid_argument for a profile the simulator cannot speak
  /// (simulator_profiles()), ErrorKind::connect when the port cannot be bound.
  [[nodiscard]] Result<int> start(const std::string& host = "127.0.0.1", int port = 0);
  /// Stops serving, cutting stalls short. Idempotent.
  void stop();
  /// Blocks until stop() is called from another thread (the CLI's foreground mode).
  void wait();

  [[nodiscard]] int port() const noexcept;
  /// "http://HOST:PORT".
  [[nodiscard]] std::string base_url() const;
  [[nodiscard]] const SimulatorOptions& options() const noexcept;
  [[nodiscard]] SimulatorStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- The parts without a network, exposed for tests ------------------------------------------

/// What the simulated model "decided" to answer, before it is rendered in a profile's format.
struct SimReply {
  std::string reasoning;
  std::string content;
  std::vector<ToolCall> tool_calls;
  bool long_form = false;  ///< Keep generating to max_tokens (finish "length").
};

/// What the simulator reads from a request, dialect-independent.
struct SimRequest {
  std::string last_user_text;              ///< Text parts of the last user message.
  std::vector<std::string> images_base64;  ///< Images of the last user message.
  std::vector<std::string> tool_names;     ///< Tools offered.
  bool thinking = true;                    ///< False when thinking was turned off explicitly.
  int max_tokens = 512;
  std::int64_t prompt_tokens = 0;  ///< Estimated from all message text.
  bool wants_json = false;         ///< response_format / format asked for JSON.
};

/// Reads an OpenAI or Ollama chat request body. ErrorKind::invalid_argument on a bad shape.
[[nodiscard]] Result<SimRequest> read_request(const nlohmann::json& body, bool ollama);

/// The canned "model": keys off the request (tools, images, Kannada, extraction, long output).
/// `malformed` asks a JSON answer to be written with the seeds' dropped-quote defect.
[[nodiscard]] SimReply decide_reply(const SimRequest& request, bool malformed);

/// Renders tool calls in a profile's raw native text (`<|tool_call>call:…<tool_call|>`, …).
[[nodiscard]] std::string render_tool_calls(std::string_view profile,
                                            const std::vector<ToolCall>& calls);
/// Wraps reasoning in the profile's thinking markers (`<|channel>thought\n…<channel|>`, …).
[[nodiscard]] std::string render_reasoning(std::string_view profile, std::string_view reasoning);

/// Splits text into model-like tokens: a marker such as `<|tool_call>` is one token, words
/// are split into pieces of at most 5 bytes (6 with one leading space; 2 code points outside
/// ASCII), so English prose averages about 4 bytes a token; UTF-8 stays whole.
[[nodiscard]] std::vector<std::string> split_tokens(std::string_view text);

/// The number of tokens the simulator counts for `text` (prompt accounting).
[[nodiscard]] std::int64_t estimate_tokens(std::string_view text);

/// Colour names and positions the simulated model "sees" in a PNG (the 10×10 vision test):
/// one sentence per colour, e.g. "Red is in the top-left." Empty if the PNG does not decode.
[[nodiscard]] std::string describe_png(std::string_view png_bytes);

/// The profiles whose raw output the simulator speaks: "gemma4", "qwen3-coder" (also
/// "qwen3_coder"), "nemotron" (and names starting with it: Qwen3-Coder XML), "hermes", "plain".
[[nodiscard]] bool is_simulator_profile(std::string_view profile) noexcept;

}  // namespace llmwire::sim
