#pragma once
/// @file chat.hpp
/// The request and result types shared by every part of llmwire.
///
///     llmwire::ChatRequest request{
///         .model = "gemma4:26b",
///         .messages = {llmwire::Message::system("Be brief."), llmwire::Message::user("Hi")},
///         .max_tokens = 256,
///         .thinking = llmwire::Thinking::off,
///     };

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "llmwire/error.hpp"

namespace llmwire {

enum class Role { system, user, assistant, tool };

/// "system", "user", "assistant" or "tool".
[[nodiscard]] std::string_view to_string(Role role) noexcept;

/// One part of a multimodal message. Image/audio bytes are the original file bytes; the
/// profile's image policy (image.hpp) decides what is actually sent.
struct ContentPart {
  enum class Type { text, image, audio };
  Type type = Type::text;
  std::string text;                 ///< For text parts.
  std::vector<std::uint8_t> bytes;  ///< For image/audio parts.
  std::string media_type;           ///< Sniffed from magic bytes: "image/png", "audio/wav"…

  [[nodiscard]] static ContentPart from_text(std::string text);
};

/// Where a tool call came from: the server's own tool parser, or recovered by llmwire from
/// raw model text (the seeds' "0/8 tool calls" case).
enum class ToolCallOrigin { server, recovered };

/// A complete tool call. `arguments` is always a JSON object.
struct ToolCall {
  std::string id;  ///< May be empty when the server sent none (Ollama, recovered calls).
  std::string name;
  nlohmann::json arguments = nlohmann::json::object();
  ToolCallOrigin origin = ToolCallOrigin::server;
};

/// A tool call cut off at the end of output: never executed, reported with its raw text.
struct IncompleteToolCall {
  std::string name;      ///< Empty if the name itself was cut off.
  std::string raw_text;  ///< Everything received for this call.
};

struct Message {
  Role role = Role::user;
  std::string content;               ///< Plain text content.
  std::vector<ContentPart> parts;    ///< Extra parts (images, audio) after `content`.
  std::vector<ToolCall> tool_calls;  ///< Assistant messages that called tools.
  std::string tool_call_id;          ///< Tool results: the id of the call answered.
  std::string name;                  ///< Tool results: the tool's name (Ollama wants it).

  [[nodiscard]] static Message system(std::string text);
  [[nodiscard]] static Message user(std::string text);
  [[nodiscard]] static Message assistant(std::string text, std::vector<ToolCall> calls = {});
  [[nodiscard]] static Message tool_result(std::string call_id, std::string tool_name,
                                           std::string content);
};

/// A tool the model may call, OpenAI-style: `parameters` is a JSON Schema object.
struct ToolSpec {
  std::string name;
  std::string description;
  nlohmann::json parameters = nlohmann::json::object();
};

/// Whether the model should think. `server_default` sends nothing (but see profiles: a
/// profile may send an explicit value where the model thinks by default).
enum class Thinking { server_default, on, off, low, medium, high };

struct ChatRequest {
  std::string model;
  std::vector<Message> messages;
  std::optional<int> max_tokens;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::vector<std::string> stop;
  std::vector<ToolSpec> tools;
  nlohmann::json tool_choice;      ///< null = not sent; "auto", "none", or an object.
  nlohmann::json response_format;  ///< null = not sent.
  Thinking thinking = Thinking::server_default;
  std::string profile;  ///< Explicit profile name; empty = pick by model id.
  nlohmann::json extra = nlohmann::json::object();  ///< Merged into the request body last.
};

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  /// Of the prompt's tokens, those served from the server's prefix cache
  /// (`prompt_tokens_details.cached_tokens`: vLLM, llama-server, OpenAI); nullopt when not said.
  std::optional<std::int64_t> cached_tokens;
};

/// The server's own timing report, when it sends one. Fields the server did not send are empty.
struct ServerTimings {
  // llama-server `timings`
  std::optional<double> prompt_n, prompt_ms, predicted_n, predicted_ms, predicted_per_second;
  // Ollama final line (nanoseconds)
  std::optional<std::int64_t> total_duration_ns, load_duration_ns, prompt_eval_count,
      prompt_eval_duration_ns, eval_count, eval_duration_ns;
};

/// How decode tok/s was obtained.
enum class TokenCountSource { none, server_usage, counted_deltas };

/// Client-side timings measured by llmwire.
struct Timings {
  /// Request sent → first content or reasoning byte; for a response with neither (tool calls
  /// only), → its first tool-call event.
  std::optional<double> ttft_ms;
  /// Request sent → the first sentence's end in the content: the first '.', '!', '?', '।' or
  /// newline after content began (what a voice loop's text-to-speech waits for).
  std::optional<double> first_sentence_ms;
  std::optional<double> total_ms;  ///< Request sent → stream end.
  /// Tokens after the first / time since the first delta. When the server held the output back
  /// (tool calls only, in fewer deltas than half its tokens: a call released at once), the
  /// window starts at the response's first byte instead (output_held_back), since the deltas'
  /// own window would claim the whole decode took a few milliseconds.
  std::optional<double> decode_tok_s;
  bool output_held_back = false;
  TokenCountSource token_count_source = TokenCountSource::none;
  std::optional<double> gap_p50_ms, gap_p90_ms, gap_p99_ms;  ///< Inter-delta gaps.
};

/// The aggregate of one response. A stream that broke keeps everything received
/// (`done == false`, `error` set).
struct ChatResult {
  std::optional<std::string> content;    ///< Concatenated content; nullopt if none arrived.
  std::optional<std::string> reasoning;  ///< Concatenated reasoning; nullopt if none arrived.
  std::vector<ToolCall> tool_calls;
  std::vector<IncompleteToolCall> incomplete_tool_calls;
  std::optional<std::string> finish_reason;
  std::optional<Usage> usage;
  std::optional<ServerTimings> server_timings;
  bool done = false;           ///< The server signalled a normal end.
  bool cancelled = false;      ///< The caller cancelled; partial output kept.
  std::optional<Error> error;  ///< A stream-level error, if any.
  Timings timings;
};

}  // namespace llmwire
