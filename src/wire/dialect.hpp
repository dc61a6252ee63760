#pragma once
// The dialect layer: one framed message (an SSE event's data, an NDJSON line) → wire-level
// calls on a WireSink. Dialects know JSON shapes; the aggregator (response_decoder.cpp) knows
// events and ChatResult. Internal to the wire room.

#include <cstdint>
#include <limits>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "llmwire/chat.hpp"
#include "llmwire/error.hpp"

namespace llmwire::wire {

/// What a dialect found in one message. Every call returns false once the consumer wants to stop.
class WireSink {
 public:
  virtual ~WireSink() = default;
  virtual bool content(std::string_view text) = 0;
  virtual bool reasoning(std::string_view text) = 0;
  /// One OpenAI tool-call fragment; id and name are nullopt when the fragment did not carry them.
  virtual bool tool_fragment(int index, std::optional<std::string_view> id,
                             std::optional<std::string_view> name, std::string_view arguments) = 0;
  /// A whole tool call (Ollama native, which never splits one).
  virtual bool tool_call(ToolCall call) = 0;
  virtual bool finish_reason(std::string_view reason) = 0;
  virtual bool usage(const Usage& usage) = 0;
  virtual bool server_timings(const ServerTimings& timings) = 0;
  virtual bool error(Error error) = 0;
  /// The server signalled the normal end (`[DONE]`, `done:true`).
  virtual bool done() = 0;
};

/// A JSON number as an integer, saturating: a huge value from a broken server must not be UB.
inline std::int64_t saturate_int64(double value) {
  if (!(value > -9.2e18)) return std::numeric_limits<std::int64_t>::min();
  if (!(value < 9.2e18)) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(value);
}

/// A JSON number as a tool-call index (int), saturating.
inline int saturate_int(double value) {
  if (!(value > -2e9)) return std::numeric_limits<int>::min();
  if (!(value < 2e9)) return std::numeric_limits<int>::max();
  return static_cast<int>(value);
}

/// `object[key]` when it is a string, else nullptr (absent, null or another type).
const std::string* string_member(const nlohmann::json& object, const char* key);

/// `object[key]` when it is a number, else nullopt.
std::optional<double> number_member(const nlohmann::json& object, const char* key);

/// An error object as servers send it: a string, `{"message","type","code"}`, or a flat
/// `{"object":"error","message",…}` (older vLLM).
Error error_from_json(const nlohmann::json& value);

/// Decodes the data of one OpenAI chat-completion SSE event. Keeps scratch buffers between
/// calls so that the common content chunk needs no allocation.
class OpenAIChunkDecoder {
 public:
  /// `data` is an event's data, not `[DONE]` (the caller handles that).
  bool decode(std::string_view data, WireSink& out);
  /// The non-standard SSE `error:` field of older llama-server builds.
  bool decode_error_field(std::string_view value, WireSink& out);

  /// The full nlohmann parse that every chunk can take; decode() uses it when the fast path
  /// declines. Public so that tests can check both paths agree.
  bool decode_slow(std::string_view data, WireSink& out);

  bool fast_path_enabled = true;
  /// Counters for tests and benchmarks: how many chunks took the fast path / the full parse.
  std::size_t fast_path_count = 0;
  std::size_t slow_path_count = 0;

 private:
  bool try_fast(std::string_view data, WireSink& out, bool& handled);

  // Unescaped strings of the chunk at hand; their capacity is reused across chunks, which is
  // what keeps the steady-state content chunk free of heap allocations.
  std::string content_;
  std::string reasoning_;
  std::string reasoning_content_;
  std::string finish_;
  std::string sanitized_;  // the chunk with invalid UTF-8 replaced, when needed
};

/// Decodes one line of Ollama's native /api/chat NDJSON stream. With `lenient_tail` (the last
/// line had no LF) a line that is not valid JSON is dropped silently: the body was cut off.
bool decode_ollama_line(std::string_view line, bool lenient_tail, std::string& scratch,
                        WireSink& out);

}  // namespace llmwire::wire
