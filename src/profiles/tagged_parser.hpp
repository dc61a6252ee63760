#pragma once
// The `<think>…</think>` + `<tool_call>…</tool_call>` skeleton shared by the Qwen3-Coder XML and
// Hermes JSON parsers (internal). Subclasses read the inside of a call.

#include <string>

#include "llmwire/profile.hpp"
#include "profiles/scan.hpp"

namespace llmwire::profiles_detail {

class TaggedParser : public OutputParser {
 public:
  bool feed(std::string_view text, const EventSink& sink) final;
  bool finish(const EventSink& sink) final;

 protected:
  explicit TaggedParser(ParserOptions options);

  /// A `<tool_call>` was read: reset per-call state.
  virtual void call_start() = 0;
  /// Appends `text` to the call. Returns true when the call ended (events sent), with the text
  /// after it in `leftover`; false when more text is needed.
  virtual bool call_feed(std::string_view text, bool final, Emitter& out,
                         std::string& leftover) = 0;
  /// The output ended inside the call.
  virtual void call_eof(Emitter& out) = 0;
  /// Whether `<function=` in content starts a call without `<tool_call>` (Qwen3-Coder XML; vLLM
  /// accepts it). The marker is then passed to call_feed().
  [[nodiscard]] virtual bool bare_function_calls() const { return false; }

  /// Sends ToolCallBegin + ToolCallComplete for a recovered call.
  void emit_call(std::string name, nlohmann::json arguments, Emitter& out);
  /// Sends ToolCallIncomplete: the call was cut off or cannot be read; it is never executed.
  void emit_incomplete(std::string name, std::string raw_text, Emitter& out);

  ParserOptions options_;

 private:
  enum class Mode { content, reasoning, call };
  void run(std::string buf, bool final, Emitter& out);

  Mode mode_ = Mode::content;
  std::string hold_;
  bool stopped_ = false;
  bool finished_ = false;
  int call_index_ = 0;
};

}  // namespace llmwire::profiles_detail
