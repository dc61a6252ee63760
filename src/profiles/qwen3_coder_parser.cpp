// Qwen3-Coder XML tool calls (FORMATS.md §5; also Nemotron 3 and Qwen3.5):
// `<tool_call><function=NAME><parameter=KEY>VALUE</parameter>…</function></tool_call>`.
// The inside of a call is read by a resumable state machine, so a value is scanned once.

#include <algorithm>
#include <string>

#include "profiles/parsers.hpp"
#include "profiles/schema.hpp"
#include "profiles/tagged_parser.hpp"

namespace llmwire::profiles_detail {

namespace {

constexpr std::string_view function_open = "<function=";
constexpr std::string_view parameter_open = "<parameter=";
constexpr std::string_view parameter_close = "</parameter>";
constexpr std::string_view function_close = "</function>";
constexpr std::string_view call_close = "</tool_call>";

class Qwen3CoderParser final : public TaggedParser {
 public:
  explicit Qwen3CoderParser(ParserOptions options) : TaggedParser(std::move(options)) {}

 private:
  enum class State { function_open, in_function, in_value, function_done, malformed };
  enum class Read { ended, need_more, next };

  std::string buf_;  // the call's text after `<tool_call>`
  std::size_t cur_ = 0;
  State state_ = State::function_open;
  std::string name_;
  std::string key_;
  std::size_t value_start_ = 0;
  std::size_t value_scan_ = 0;
  // Resume points, so text held back between feeds is never scanned twice (a run of
  // whitespace or a long tag name fed a byte at a time would otherwise be quadratic):
  std::size_t tag_scan_ = 0;  // read_tag_name: bytes before this hold no '>', '\n' or '<'
  std::size_t closer_at_ = std::string::npos;  // value closer whose follow-up was cut short
  std::size_t closer_ws_ = 0;                  // ... and where its whitespace scan stopped
  nlohmann::json args_ = nlohmann::json::object();

  [[nodiscard]] bool bare_function_calls() const override { return true; }

  void call_start() override {
    buf_.clear();
    cur_ = 0;
    tag_scan_ = 0;
    closer_at_ = std::string::npos;
    state_ = State::function_open;
    name_.clear();
    args_ = nlohmann::json::object();
  }

  void call_eof(Emitter& out) override {
    if (state_ == State::function_done) {
      emit_call(std::move(name_), std::move(args_), out);
    } else {
      // Cut off inside the call: report it, never run it with truncated arguments.
      emit_incomplete(std::move(name_), std::move(buf_), out);
    }
  }

  bool call_feed(std::string_view text, bool final, Emitter& out, std::string& leftover) override {
    buf_.append(text);
    while (true) {
      Read r = Read::next;
      switch (state_) {
        case State::function_open: r = read_function_open(final); break;
        case State::in_function: r = read_in_function(final, out); break;
        case State::in_value: r = read_value(final); break;
        case State::function_done: r = read_function_done(final, out); break;
        case State::malformed: r = read_malformed(final, out); break;
      }
      if (r == Read::need_more) return false;
      if (r == Read::ended) {
        leftover.assign(buf_, cur_, std::string::npos);
        return true;
      }
    }
  }

  void skip_ws() {
    while (cur_ < buf_.size() && is_space(buf_[cur_])) ++cur_;
  }

  /// Reads `NAME>` after an opener at `start`; NAME may hold spaces but not a newline or '<'.
  /// Returns 1 (read, cur_ past '>'), 0 (malformed), -1 (need more).
  /// While it returns -1 the caller retries with the same `start` (cur_ does not move).
  int read_tag_name(std::size_t start, std::string& out) {
    std::size_t j = std::max(start, tag_scan_);
    while (j < buf_.size() && buf_[j] != '>' && buf_[j] != '\n' && buf_[j] != '<') ++j;
    if (j == buf_.size()) {
      tag_scan_ = j;
      return -1;
    }
    tag_scan_ = 0;
    if (buf_[j] != '>') return 0;
    out.assign(buf_, start, j - start);
    cur_ = j + 1;
    return 1;
  }

  Read read_function_open(bool final) {
    skip_ws();
    const std::string_view rest = std::string_view(buf_).substr(cur_);
    if (rest.empty()) return Read::need_more;
    if (rest.starts_with(function_open)) {
      const int r = read_tag_name(cur_ + function_open.size(), name_);
      if (r < 0) return Read::need_more;
      state_ = r > 0 && !trim(name_).empty() ? State::in_function : State::malformed;
      return Read::next;
    }
    if (!final && (is_proper_prefix(rest, function_open) || is_proper_prefix(rest, call_close))) {
      return Read::need_more;
    }
    state_ = State::malformed;
    return Read::next;
  }

  Read read_in_function(bool final, Emitter& out) {
    skip_ws();
    const std::string_view rest = std::string_view(buf_).substr(cur_);
    if (rest.empty()) return Read::need_more;
    if (rest.starts_with(parameter_open)) {
      const int r = read_tag_name(cur_ + parameter_open.size(), key_);
      if (r < 0) return Read::need_more;
      if (r == 0) {
        state_ = State::malformed;
        return Read::next;
      }
      state_ = State::in_value;
      value_start_ = value_scan_ = cur_;
      return Read::next;
    }
    if (rest.starts_with(function_close)) {
      cur_ += function_close.size();
      state_ = State::function_done;
      return Read::next;
    }
    if (rest.starts_with(call_close)) {
      // `</function>` forgotten: the closer still ends a call whose parameters all closed.
      cur_ += call_close.size();
      emit_call(std::move(name_), std::move(args_), out);
      return Read::ended;
    }
    if (!final && (is_proper_prefix(rest, parameter_open) ||
                   is_proper_prefix(rest, function_close) || is_proper_prefix(rest, call_close))) {
      return Read::need_more;
    }
    ++cur_;  // stray text between parameters
    return Read::next;
  }

  /// After a closing tag at `after`: whitespace, then one of `nexts` (or the end of output)
  /// makes the tag structural. 1 yes, 0 no (the tag is value text), -1 need more. The
  /// whitespace is skipped from `ws_from` (>= after): where an earlier call stopped.
  int structural(std::size_t after, std::size_t& ws_from,
                 std::initializer_list<std::string_view> nexts, bool final) const {
    std::size_t j = std::max(after, ws_from);
    while (j < buf_.size() && is_space(buf_[j])) ++j;
    ws_from = j;
    const std::string_view rest = std::string_view(buf_).substr(j);
    if (rest.empty()) return final ? 1 : -1;
    for (std::string_view n : nexts) {
      if (rest.starts_with(n)) return 1;
      if (!final && is_proper_prefix(rest, n)) return -1;
    }
    return 0;
  }

  void add_parameter(std::size_t value_end) {
    std::string_view v = std::string_view(buf_).substr(value_start_, value_end - value_start_);
    // Exactly one leading and one trailing newline belong to the markup.
    if (v.starts_with('\n')) v.remove_prefix(1);
    if (v.ends_with('\n')) v.remove_suffix(1);
    if (v.ends_with('\r')) v.remove_suffix(1);
    const nlohmann::json* schema = property_schema(tool_parameters(options_.tools, name_), key_);
    const TypeSet types = schema_types(schema);
    if (types.known()) {
      args_[key_] = convert_by_types(v, types);
    } else {
      // Schema-free: text stays text, except the literal null.
      args_[key_] = v == "null" ? nlohmann::json(nullptr) : nlohmann::json(std::string(v));
    }
  }

  Read read_value(bool final) {
    while (true) {
      const std::size_t q = buf_.find('<', value_scan_);
      if (q == std::string::npos) {
        value_scan_ = buf_.size();
        return Read::need_more;
      }
      const int id = marker_at(buf_, q, {parameter_close, function_close, call_close}, final);
      if (id == MarkerHit::partial) {
        value_scan_ = q;
        return Read::need_more;
      }
      if (id == MarkerHit::none) {
        value_scan_ = q + 1;
        continue;
      }
      // A closing tag counts only when markup follows it: a value may quote `</parameter>`.
      // The same closer is looked at again after need_more: resume its whitespace scan.
      std::size_t ws_from = q == closer_at_ ? closer_ws_ : 0;
      int s = 1;
      if (id == 0)
        s = structural(q + parameter_close.size(), ws_from,
                       {parameter_open, function_close, call_close}, final);
      if (id == 1) s = structural(q + function_close.size(), ws_from, {call_close}, final);
      if (s < 0) {
        value_scan_ = q;
        closer_at_ = q;
        closer_ws_ = ws_from;
        return Read::need_more;
      }
      closer_at_ = std::string::npos;
      if (s == 0) {
        value_scan_ = q + 1;
        continue;
      }
      add_parameter(q);
      if (id == 0) {
        cur_ = q + parameter_close.size();
        state_ = State::in_function;
      } else if (id == 1) {
        cur_ = q + function_close.size();
        state_ = State::function_done;
      } else {
        cur_ = q;  // `</tool_call>` is read by the function state
        state_ = State::in_function;
      }
      return Read::next;
    }
  }

  Read read_function_done(bool final, Emitter& out) {
    skip_ws();
    const std::string_view rest = std::string_view(buf_).substr(cur_);
    if (rest.empty()) return Read::need_more;
    if (rest.starts_with(call_close)) {
      cur_ += call_close.size();
    } else if (!final && is_proper_prefix(rest, call_close)) {
      return Read::need_more;
    }
    // A closed function is a complete call even if `</tool_call>` never comes.
    emit_call(std::move(name_), std::move(args_), out);
    return Read::ended;
  }

  Read read_malformed(bool final, Emitter& out) {
    const MarkerHit hit = find_marker(buf_, cur_, {call_close}, final);
    if (hit.id == MarkerHit::none) {
      cur_ = buf_.size();
      return Read::need_more;
    }
    if (hit.id == MarkerHit::partial) {
      cur_ = hit.pos;
      return Read::need_more;
    }
    // Unreadable block: reported as incomplete so it is visible but never executed.
    emit_incomplete(std::move(name_), buf_.substr(0, hit.pos), out);
    cur_ = hit.pos + call_close.size();
    return Read::ended;
  }
};

}  // namespace

std::unique_ptr<OutputParser> make_qwen3_coder_parser(ParserOptions options) {
  return std::make_unique<Qwen3CoderParser>(std::move(options));
}

}  // namespace llmwire::profiles_detail
