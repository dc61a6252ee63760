#pragma once
/// @file profile.hpp
/// Model profiles: data that absorbs a model's quirks, plus an output parser chosen by name.

#include <memory>
#include <string_view>

#include "llmwire/events.hpp"

namespace llmwire {

/// Turns raw model text (special tokens as literal text) into content, reasoning and tool-call
/// events. Incremental: holds back only an unfinished marker, never re-scans earlier text.
/// Recovered tool calls carry ToolCallOrigin::recovered.
class OutputParser {
 public:
  virtual ~OutputParser() = default;
  /// Feeds the next piece of model text. Returns false once the sink returned false.
  virtual bool feed(std::string_view text, const EventSink& sink) = 0;
  /// End of output: flushes held-back text; a call cut off is reported as ToolCallIncomplete.
  virtual bool finish(const EventSink& sink) = 0;
};

}  // namespace llmwire
