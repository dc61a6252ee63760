// Gemma 4 raw output (FORMATS.md §4): `<|channel>thought\n…<channel|>` reasoning and
// `<|tool_call>call:NAME{…}<tool_call|>` calls, plus the variants real models emit. A scan state
// machine: each byte is looked at once, except a held-back partial marker.

#include <algorithm>
#include <iterator>
#include <string>

#include "profiles/gemma4_args.hpp"
#include "profiles/parsers.hpp"
#include "profiles/scan.hpp"
#include "profiles/schema.hpp"

namespace llmwire::profiles_detail {

namespace {

constexpr std::string_view thought_label = "thought\n";
constexpr std::string_view quote_token = "<|\"|>";
// A call header (`call:NAME`) longer than this is not a call: give the text back as content.
constexpr std::size_t max_header = 256;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':';
}

// What a marker in content does.
enum class Act { channel, channel_close, call, call_implied, call_text, sentinel, drop };
// `<call>` is `<|tool_call>call:` broken apart (seen with multimodal input); `<tool_call>` is the
// Hermes spelling some fine-tunes mix in. End-of-turn sentinels are held: dropped at the end,
// kept if text follows (then they were prose).
constexpr std::string_view content_marker_text[] = {
    "<|channel>",   "<channel|>",       "<|tool_call>",
    "<call>",       "<tool_call>",      "<turn|>",
    "<eos>",        "<end_of_turn>",    "<tool_call|>",
    "</tool_call>", "<|tool_response>", "<tool_response|>",
    "<|turn>"};
constexpr Act content_marker_act[] = {
    Act::channel,  Act::channel_close, Act::call,     Act::call_implied, Act::call_text,
    Act::sentinel, Act::sentinel,      Act::sentinel, Act::drop,         Act::drop,
    Act::drop,     Act::drop,          Act::drop};
static_assert(std::size(content_marker_text) == std::size(content_marker_act));

bool all_space(std::string_view s) {
  for (char c : s) {
    if (!is_space(c)) return false;
  }
  return true;
}

class Gemma4Parser final : public OutputParser {
 public:
  explicit Gemma4Parser(ParserOptions options) : options_(std::move(options)) {
    if (options_.starts_in_reasoning && options_.thinking != Thinking::off) {
      mode_ = Mode::channel;
      channel_label_ = true;
      channel_drop_ = options_.thinking == Thinking::off;
      at_output_start_ = false;
    }
  }

  bool feed(std::string_view text, const EventSink& sink) override {
    Emitter out(sink, stopped_);
    if (!out.ok() || finished_) return out.ok();
    std::string buf = std::move(hold_);
    hold_.clear();
    buf.append(text);
    run(std::move(buf), false, out);
    return out.ok();
  }

  bool finish(const EventSink& sink) override {
    Emitter out(sink, stopped_);
    if (finished_) return out.ok();
    finished_ = true;
    std::string buf = std::move(hold_);
    hold_.clear();
    run(std::move(buf), true, out);
    if (mode_ == Mode::header && !opener_.empty()) {
      abandon_header(out);  // a textual opener with no body after it was prose
    } else if (mode_ == Mode::header || mode_ == Mode::body) {
      report_incomplete(out);
    }
    pending_turn_.clear();  // a trailing end-of-turn marker is never content
    return out.ok();
  }

 private:
  enum class Mode { content, channel, header, body };
  enum class Step { progress, need_more };
  enum class Quote { none, gemma, json, single };

  ParserOptions options_;
  Mode mode_ = Mode::content;
  bool stopped_ = false;
  bool finished_ = false;
  std::string hold_;             // unfinished tail (partial marker, label, bare-call prefix)
  bool at_output_start_ = true;  // nothing read yet: a bare "thought\n" opens the channel
  bool line_start_ = true;       // a bare `call:NAME{` is recognised only at a line start
  std::string pending_turn_;     // "<turn|>" + whitespace: dropped if nothing follows
  bool channel_label_ = false;   // channel just opened: a "thought\n" label may follow
  bool channel_drop_ = false;    // thinking off: channel text is not reported
  // The call being read.
  std::string header_;
  std::string opener_;       // a textual opener (`<call>`), restored if no call follows
  std::size_t implied_ = 0;  // leading header bytes the opener implied
  std::string name_;
  std::string body_;
  std::size_t scan_pos_ = 0;
  int depth_ = 0;
  Quote quote_ = Quote::none;
  char prev_sig_ = 0;
  int call_index_ = 0;

  void run(std::string buf, bool final, Emitter& out) {
    std::size_t pos = 0;
    while (out.ok()) {
      if (mode_ == Mode::body) {
        // The body keeps its own buffer and resumable scan position.
        body_.append(buf, pos, std::string::npos);
        buf.clear();
        pos = 0;
        std::string leftover;
        if (!scan_body(final, out, leftover)) return;
        buf = std::move(leftover);
        continue;
      }
      if (pos >= buf.size()) return;
      Step step = Step::progress;
      switch (mode_) {
        case Mode::content: step = step_content(buf, pos, final, out); break;
        case Mode::channel: step = step_channel(buf, pos, final, out); break;
        case Mode::header: step = step_header(buf, pos, final, out); break;
        case Mode::body: break;
      }
      if (step == Step::need_more) {
        hold_.assign(buf, pos, std::string::npos);
        return;
      }
    }
  }

  void emit_content(std::string_view text, Emitter& out) {
    if (text.empty()) return;
    at_output_start_ = false;
    if (!pending_turn_.empty()) {
      // Text after `<turn|>` means the marker was prose, not the end of the turn.
      if (all_space(text)) {
        pending_turn_.append(text);
        return;
      }
      out.content(pending_turn_);
      pending_turn_.clear();
    }
    out.content(text);
  }

  void enter_channel(bool labelled, bool drop) {
    mode_ = Mode::channel;
    channel_label_ = labelled;
    channel_drop_ = drop;
    pending_turn_.clear();
  }

  /// `opener` is the marker's text when it was not a special token (given back as content
  /// if no call follows); `implied` is header text the opener stands for.
  void enter_header(std::string_view opener, std::string_view implied) {
    mode_ = Mode::header;
    opener_.assign(opener);
    implied_ = implied.size();
    header_.assign(implied);
    pending_turn_.clear();
  }

  Step step_content(const std::string& buf, std::size_t& pos, bool final, Emitter& out) {
    const std::string_view all(buf);
    if (at_output_start_) {
      const std::string_view rest = all.substr(pos);
      if (!final && is_proper_prefix(rest, thought_label)) return Step::need_more;
      at_output_start_ = false;
      if (rest.starts_with(thought_label)) {
        // Special tokens were stripped, or the model dropped `<|channel>`: the bare label still
        // says a thought follows. It is reported even with thinking off, since nothing else
        // marks where it ends if `<channel|>` is gone too.
        pos += thought_label.size();
        enter_channel(false, false);
        return Step::progress;
      }
    }
    if (line_start_) {
      const std::string_view rest = all.substr(pos);
      std::size_t name_end = 0;
      const int m = bare_call(rest, name_end);
      if (m < 0 && !final) return Step::need_more;
      line_start_ = false;
      if (m > 0) {
        enter_header("", rest.substr(0, name_end));
        pos += name_end + 1;  // past '{'
        begin_body(out);
        return Step::progress;
      }
    }
    std::size_t seg = pos;
    while (true) {
      const std::size_t q = all.find_first_of("<\n", pos);
      if (q == std::string_view::npos) {
        emit_content(all.substr(seg), out);
        pos = all.size();
        return Step::progress;
      }
      if (all[q] == '\n') {
        emit_content(all.substr(seg, q + 1 - seg), out);
        pos = q + 1;
        line_start_ = true;
        return Step::progress;
      }
      const int id = marker_at(all, q, content_marker_text, final);
      if (id == MarkerHit::none) {
        pos = q + 1;
        continue;
      }
      emit_content(all.substr(seg, q - seg), out);
      pos = q;
      if (id == MarkerHit::partial) return Step::need_more;
      const std::string_view marker = content_marker_text[id];
      pos += marker.size();
      switch (content_marker_act[id]) {
        case Act::channel: enter_channel(true, options_.thinking == Thinking::off); break;
        case Act::channel_close: line_start_ = true; break;  // stray closer; a bare call may follow
        case Act::call: enter_header("", ""); break;
        case Act::call_implied: enter_header(marker, "call:"); break;
        case Act::call_text: enter_header(marker, ""); break;
        case Act::sentinel:
          at_output_start_ = false;
          pending_turn_.append(marker);
          break;
        case Act::drop: at_output_start_ = false; break;  // stray closers and turn openers
      }
      return Step::progress;
    }
  }

  /// At a line start: 1 if `rest` begins with `call:NAME{` (name_end = index of '{'),
  /// -1 if it could still become one, 0 if not.
  static int bare_call(std::string_view rest, std::size_t& name_end) {
    constexpr std::string_view prefix = "call:";
    if (rest.size() < prefix.size()) return prefix.starts_with(rest) ? -1 : 0;
    if (!rest.starts_with(prefix)) return 0;
    std::size_t i = prefix.size();
    while (i < rest.size() && i < max_header && is_name_char(rest[i])) ++i;
    if (i == rest.size()) return i < max_header ? -1 : 0;
    if (rest[i] == '{' && i > prefix.size()) {
      name_end = i;
      return 1;
    }
    return 0;
  }

  Step step_channel(const std::string& buf, std::size_t& pos, bool final, Emitter& out) {
    const std::string_view all(buf);
    if (channel_label_) {
      const std::string_view rest = all.substr(pos);
      if (!final && is_proper_prefix(rest, thought_label)) return Step::need_more;
      // "thought" closed at once (`<|channel>thought<channel|>`) is a label with an empty
      // thought; whether the closer follows must be known before deciding, or the decision
      // would depend on where the chunk ends.
      if (!final && rest.starts_with("thought") && is_proper_prefix(rest.substr(7), "<channel|>"))
        return Step::need_more;
      channel_label_ = false;
      if (rest.starts_with(thought_label)) {
        pos += thought_label.size();
      } else if (rest.starts_with("thought") &&
                 (rest.size() == 7 || rest.substr(7).starts_with("<channel|>"))) {
        pos += 7;
      }
    }
    const MarkerHit hit =
        find_marker(all, pos, {"<channel|>", "<|tool_call>", "<turn|>", "<|channel>"}, final);
    const std::size_t end = hit.id == MarkerHit::none ? all.size() : hit.pos;
    if (!channel_drop_) out.reasoning(all.substr(pos, end - pos));
    pos = end;
    if (hit.id == MarkerHit::none) return Step::progress;
    if (hit.id == MarkerHit::partial) return Step::need_more;
    static constexpr std::size_t sizes[] = {10, 12, 7, 10};
    pos += sizes[hit.id];
    switch (hit.id) {
      case 0:
        mode_ = Mode::content;
        line_start_ = true;
        break;
      case 1: enter_header("", ""); break;  // a call ends an unclosed thought
      case 2: mode_ = Mode::content; break;
      default: break;  // a repeated opener inside the channel
    }
    return Step::progress;
  }

  Step step_header(const std::string& buf, std::size_t& pos, bool final, Emitter& out) {
    const std::string_view all(buf);
    while (pos < all.size()) {
      std::size_t q = all.find_first_of("{<", pos);
      std::size_t stop = q == std::string_view::npos ? all.size() : q;
      // The header is given up at the first byte that rules it out (over max_header, or not
      // a name after a textual opener), whatever the chunking: the text from that byte on is
      // scanned as content again, where it may start a bare call on the next line.
      const std::size_t cut = first_implausible(all, pos, stop);
      header_.append(all.substr(pos, cut - pos));
      pos = cut;
      if (cut < stop || header_.size() > max_header) {
        abandon_header(out);
        return Step::progress;
      }
      if (q == std::string_view::npos) return Step::progress;
      if (all[q] == '{') {
        ++pos;
        begin_body(out);
        return Step::progress;
      }
      const int id = marker_at(
          all, q, {"<tool_call|>", "<turn|>", "<|tool_call>", "<channel|>", "</tool_call>"}, final);
      if (id == MarkerHit::partial) return Step::need_more;
      if (id == MarkerHit::none) {
        header_.push_back('<');
        ++pos;
        continue;
      }
      static constexpr std::size_t sizes[] = {12, 7, 12, 10, 12};
      pos += sizes[id];
      if (id == 2) {
        enter_header("", "");  // a new call began before this one had a body: drop the stub
        return Step::progress;
      }
      if ((id <= 1 || id == 4) && !header_name().empty()) {
        // `<|tool_call>call:NAME<tool_call|>`: a call without arguments.
        name_ = header_name();
        begin_events(out);
        complete_call(nlohmann::json::object(), out);
        return Step::progress;
      }
      abandon_header(out);
      return Step::progress;
    }
    return Step::progress;
  }

  /// Where in [from, to) the header is given up, or `to`: just after the byte that takes it
  /// past max_header, or (after a textual opener such as `<call>` or `<tool_call>`, where only
  /// spaces then a name may come before '{') at the first byte that is neither.
  [[nodiscard]] std::size_t first_implausible(std::string_view all, std::size_t from,
                                              std::size_t to) const {
    // header_.size() <= max_header here: a longer header has been abandoned already.
    const std::size_t room = max_header + 1 - header_.size();
    const std::size_t limit = to - from > room ? from + room : to;
    if (opener_.empty()) return limit;
    bool named = false;  // a name character was seen after the implied text
    for (std::size_t i = implied_; i < header_.size(); ++i) named = named || !is_space(header_[i]);
    for (std::size_t i = from; i < limit; ++i) {
      const char c = all[i];
      if (is_space(c) && !named) continue;
      if (!is_name_char(c)) return i;
      named = true;
    }
    return limit;
  }

  /// NAME out of `call:NAME`, tolerating `:call:NAME` and a missing `call:`.
  [[nodiscard]] std::string header_name() const {
    std::string_view h = trim(header_);
    if (h.starts_with(':')) h = trim(h.substr(1));
    if (h.starts_with("call:")) h = trim(h.substr(5));
    if (h.find_first_of("\n<") != std::string_view::npos) return {};
    return std::string(h);
  }

  void abandon_header(Emitter& out) {
    mode_ = Mode::content;
    std::string text = opener_ + header_.substr(std::min(implied_, header_.size()));
    header_.clear();
    emit_content(text, out);
  }

  void begin_events(Emitter& out) {
    out.send(ToolCallBegin{
        .index = call_index_, .id = {}, .name = name_, .origin = ToolCallOrigin::recovered});
  }

  void begin_body(Emitter& out) {
    name_ = header_name();
    mode_ = Mode::body;
    body_.assign("{");
    scan_pos_ = 1;
    depth_ = 1;
    quote_ = Quote::none;
    prev_sig_ = '{';
    if (!name_.empty()) begin_events(out);
  }

  void complete_call(nlohmann::json arguments, Emitter& out) {
    ToolCall call{.id = {},
                  .name = name_,
                  .arguments = std::move(arguments),
                  .origin = ToolCallOrigin::recovered};
    out.send(ToolCallComplete{.index = call_index_, .call = &call});
    ++call_index_;
    mode_ = Mode::content;
    line_start_ = true;
    header_.clear();
    body_.clear();
  }

  void report_incomplete(Emitter& out) {
    IncompleteToolCall call{.name = mode_ == Mode::body ? name_ : header_name(),
                            .raw_text = header_ + body_};
    out.send(ToolCallIncomplete{.call = &call});
    ++call_index_;
    mode_ = Mode::content;
    header_.clear();
    body_.clear();
  }

  void finish_body(std::size_t end, Emitter& out) {
    if (name_.empty()) {
      // `<|tool_call>{…}`: arguments without a name cannot be executed.
      report_incomplete(out);
      return;
    }
    const nlohmann::json* schema = tool_parameters(options_.tools, name_);
    complete_call(parse_gemma4_args(std::string_view(body_).substr(0, end), schema), out);
  }

  /// Scans body_ from scan_pos_. Returns false when more text is needed (or at the end of
  /// output); true when the call ended, with the text after it in `leftover`.
  bool scan_body(bool final, Emitter& out, std::string& leftover) {
    const std::string_view b(body_);
    std::size_t i = scan_pos_;
    while (i < b.size()) {
      const char c = b[i];
      if (c == '<') {
        const int id = marker_at(b, i,
                                 {quote_token, "<tool_call|>", "<turn|>", "<|tool_response>",
                                  "</tool_call>", "<|tool_call>", "<|channel>"},
                                 final);
        if (id == MarkerHit::partial) {
          scan_pos_ = i;
          return false;
        }
        if (id == 0) {
          if (quote_ == Quote::none) {
            quote_ = Quote::gemma;
          } else if (quote_ == Quote::gemma) {
            quote_ = Quote::none;
            prev_sig_ = '"';
          }
          i += quote_token.size();
          continue;
        }
        if (id > 0) {
          // Special tokens are never argument text: they end the call even inside a string
          // the model forgot to close. Closers are consumed; openers start what follows.
          static constexpr std::size_t sizes[] = {0, 12, 7, 16, 12, 0, 0};
          leftover.assign(b.substr(i + sizes[id]));
          finish_body(i, out);
          return true;
        }
      }
      switch (quote_) {
        case Quote::gemma: {
          const std::size_t next = b.find('<', i + 1);
          i = next == std::string_view::npos ? b.size() : next;
          continue;
        }
        case Quote::json:
          if (c == '\\') {
            if (i + 1 >= b.size() && !final) {
              scan_pos_ = i;
              return false;
            }
            i += 2;
            continue;
          }
          if (c == '"') {
            quote_ = Quote::none;
            prev_sig_ = '"';
          }
          ++i;
          continue;
        case Quote::single:
          if (c == '\'') {
            quote_ = Quote::none;
            prev_sig_ = '"';
          }
          ++i;
          continue;
        case Quote::none: break;
      }
      if (is_space(c)) {
        ++i;
        continue;
      }
      if ((c == '"' || c == '\'') && (prev_sig_ == ':' || prev_sig_ == '{' || prev_sig_ == '[' ||
                                      prev_sig_ == ',' || prev_sig_ == '=')) {
        // A quote opens a string only where a key or value starts; elsewhere it is an
        // apostrophe inside an unquoted word.
        quote_ = c == '"' ? Quote::json : Quote::single;
      } else if (c == '{' || c == '[') {
        ++depth_;
      } else if (c == '}' || c == ']') {
        if (--depth_ == 0) {
          leftover.assign(b.substr(i + 1));
          finish_body(i + 1, out);
          return true;
        }
      }
      prev_sig_ = c;
      ++i;
    }
    scan_pos_ = i > b.size() ? b.size() : i;
    return false;
  }
};

}  // namespace

std::unique_ptr<OutputParser> make_gemma4_parser(ParserOptions options) {
  return std::make_unique<Gemma4Parser>(std::move(options));
}

}  // namespace llmwire::profiles_detail
