#include "profiles/tagged_parser.hpp"

#include <span>

namespace llmwire::profiles_detail {

TaggedParser::TaggedParser(ParserOptions options) : options_(std::move(options)) {
  // The chat template prefilled `<think>`: the output starts inside it.
  if (options_.starts_in_reasoning && options_.thinking != Thinking::off) mode_ = Mode::reasoning;
}

bool TaggedParser::feed(std::string_view text, const EventSink& sink) {
  Emitter out(sink, stopped_);
  if (!out.ok() || finished_) return out.ok();
  std::string buf = std::move(hold_);
  hold_.clear();
  buf.append(text);
  run(std::move(buf), false, out);
  return out.ok();
}

bool TaggedParser::finish(const EventSink& sink) {
  Emitter out(sink, stopped_);
  if (finished_) return out.ok();
  finished_ = true;
  std::string buf = std::move(hold_);
  hold_.clear();
  run(std::move(buf), true, out);
  if (mode_ == Mode::call && out.ok()) call_eof(out);
  return out.ok();
}

void TaggedParser::run(std::string buf, bool final, Emitter& out) {
  std::size_t pos = 0;
  while (out.ok()) {
    if (mode_ == Mode::call) {
      std::string leftover;
      const bool ended = call_feed(std::string_view(buf).substr(pos), final, out, leftover);
      if (!ended) return;
      mode_ = Mode::content;
      buf = std::move(leftover);
      pos = 0;
      continue;
    }
    if (pos >= buf.size()) return;
    const std::string_view all(buf);
    const bool reasoning = mode_ == Mode::reasoning;
    // In content `</think>` stays text (Ollama keeps a spurious one verbatim); with thinking
    // off `<think>` does too, since nothing the model writes then is reasoning (Ollama's rule).
    // In reasoning a repeated `<think>` is dropped.
    enum class Act { open_think, close_think, call, bare_call, drop };
    struct Table {
      std::span<const std::string_view> text;
      const Act* act;
    };
    static constexpr std::string_view in_reasoning[] = {"</think>", "<tool_call>", "<think>"};
    static constexpr Act in_reasoning_act[] = {Act::close_think, Act::call, Act::drop};
    static constexpr std::string_view in_content[] = {"<think>", "<tool_call>", "</tool_call>",
                                                      "<function="};
    static constexpr Act in_content_act[] = {Act::open_think, Act::call, Act::drop, Act::bare_call};
    static constexpr std::string_view in_content_off[] = {"<tool_call>", "</tool_call>",
                                                          "<function="};
    static constexpr Act in_content_off_act[] = {Act::call, Act::drop, Act::bare_call};
    // The last content marker (`<function=`, a call missing its `<tool_call>`) only counts for
    // parsers whose calls start that way.
    const std::size_t drop_last = bare_function_calls() ? 0 : 1;
    const std::span<const std::string_view> off_text(in_content_off), on_text(in_content);
    const Table table = reasoning ? Table{in_reasoning, in_reasoning_act}
                        : options_.thinking == Thinking::off
                            ? Table{off_text.first(off_text.size() - drop_last), in_content_off_act}
                            : Table{on_text.first(on_text.size() - drop_last), in_content_act};
    const MarkerHit hit = find_marker(all, pos, table.text, final);
    const std::size_t end = hit.id == MarkerHit::none ? all.size() : hit.pos;
    const std::string_view text = all.substr(pos, end - pos);
    if (reasoning) {
      out.reasoning(text);
    } else {
      out.content(text);
    }
    pos = end;
    if (hit.id == MarkerHit::none) return;
    if (hit.id == MarkerHit::partial) {
      hold_.assign(buf, pos, std::string::npos);
      return;
    }
    if (table.act[hit.id] != Act::bare_call)
      pos += table.text[static_cast<std::size_t>(hit.id)].size();
    switch (table.act[hit.id]) {
      case Act::open_think: mode_ = Mode::reasoning; break;
      case Act::close_think: mode_ = Mode::content; break;
      case Act::call:
      case Act::bare_call:  // the call reads `<function=` itself
        // `<tool_call>` also ends reasoning that never saw `</think>`.
        mode_ = Mode::call;
        call_start();
        break;
      case Act::drop: break;
    }
  }
}

void TaggedParser::emit_call(std::string name, nlohmann::json arguments, Emitter& out) {
  ToolCall call{.id = {},
                .name = std::move(name),
                .arguments = std::move(arguments),
                .origin = ToolCallOrigin::recovered};
  if (out.send(ToolCallBegin{.index = call_index_,
                             .id = {},
                             .name = call.name,
                             .origin = ToolCallOrigin::recovered})) {
    out.send(ToolCallComplete{.index = call_index_, .call = &call});
  }
  ++call_index_;
}

void TaggedParser::emit_incomplete(std::string name, std::string raw_text, Emitter& out) {
  IncompleteToolCall call{.name = std::move(name), .raw_text = std::move(raw_text)};
  out.send(ToolCallIncomplete{.call = &call});
  ++call_index_;
}

}  // namespace llmwire::profiles_detail
