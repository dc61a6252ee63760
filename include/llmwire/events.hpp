#pragma once
/// @file events.hpp
/// Typed stream events. Views inside an event point into the decoder's buffers and are valid
/// only during the callback: copy what you keep. This is what lets the hot path run without a
/// heap allocation per content event.
///
///     decoder.feed(bytes, [](const llmwire::Event& e) {
///       if (auto* d = std::get_if<llmwire::ContentDelta>(&e)) std::cout << d->text;
///       return true;  // false = stop (cancel)
///     });

#include <functional>
#include <string_view>
#include <variant>

#include "llmwire/chat.hpp"

namespace llmwire {

struct ContentDelta {
  std::string_view text;
};
struct ReasoningDelta {
  std::string_view text;
};
/// A tool call started: its index in this response, and id/name as far as known.
struct ToolCallBegin {
  int index = 0;
  std::string_view id;
  std::string_view name;
  ToolCallOrigin origin = ToolCallOrigin::server;
};
/// A fragment of a tool call's JSON argument text (OpenAI streaming).
struct ToolCallArgumentsDelta {
  int index = 0;
  std::string_view fragment;
};
/// A tool call is complete; `call` is valid only during the callback.
struct ToolCallComplete {
  int index = 0;
  const ToolCall* call = nullptr;
};
/// A tool call that was cut off at end of output. Never executed.
struct ToolCallIncomplete {
  const IncompleteToolCall* call = nullptr;
};
struct UsageReport {
  Usage usage;
};
struct ServerTimingsReport {
  const ServerTimings* timings = nullptr;
};
struct Finish {
  std::string_view reason;  ///< "stop", "length", "tool_calls", Ollama's done_reason…
};
struct StreamError {
  const Error* error = nullptr;
};
/// The server signalled the normal end of the stream (`[DONE]`, Ollama `done:true`).
struct StreamDone {};

using Event = std::variant<ContentDelta, ReasoningDelta, ToolCallBegin, ToolCallArgumentsDelta,
                           ToolCallComplete, ToolCallIncomplete, UsageReport, ServerTimingsReport,
                           Finish, StreamError, StreamDone>;

/// Receives events; return false to stop (the caller treats it as a cancellation).
using EventSink = std::function<bool(const Event&)>;

}  // namespace llmwire
