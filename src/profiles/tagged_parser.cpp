#include "profiles/tagged_parser.hpp"

namespace llmwire::profiles_detail {

TaggedParser::TaggedParser(ParserOptions options) : options_(std::move(options)) {
  // With thinking on, the chat template prefilled `<think>`: the output starts inside it.
  const Thinking t = options_.thinking;
  if (t == Thinking::on || t == Thinking::low || t == Thinking::medium || t == Thinking::high) {
    mode_ = Mode::reasoning;
  }
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
    // In content `</think>` stays text (Ollama keeps a spurious one verbatim); in reasoning a
    // repeated `<think>` is dropped.
    const MarkerHit hit =
        reasoning ? find_marker(all, pos, {"</think>", "<tool_call>", "<think>"}, final)
                  : find_marker(all, pos, {"<think>", "<tool_call>", "</tool_call>"}, final);
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
    static constexpr std::size_t reasoning_sizes[] = {8, 11, 7};
    static constexpr std::size_t content_sizes[] = {7, 11, 12};
    pos += reasoning ? reasoning_sizes[hit.id] : content_sizes[hit.id];
    if (hit.id == 1) {
      // `<tool_call>` also ends reasoning that never saw `</think>`.
      mode_ = Mode::call;
      call_start();
    } else if (reasoning && hit.id == 0) {
      mode_ = Mode::content;
    } else if (!reasoning && hit.id == 0) {
      mode_ = Mode::reasoning;
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
