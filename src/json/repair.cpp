// Lenient JSON repair (issue 5).
//
// Two stages. Strict JSON goes through json::parse (json_parse.hpp: a DOM builder over
// nlohmann's SAX parser with a depth guard; the fast path, which must stay within 1.2x of a
// plain nlohmann::json::parse). Anything else goes through
// a single-pass repairing parser that writes strict JSON text, which nlohmann then parses.
//
// The repairing parser follows josdejong/jsonrepair's algorithm (its rules are well tested and
// one of the two oracles behind the acceptance vectors), with the changes an LLM client needs:
// prose and markdown fences around the value are skipped (json_repair's answer), a key whose
// closing quote was dropped before the colon is cut at the colon (the seeds' `"properties: {}`),
// unknown escapes keep their backslash (Windows paths), `#` comments, think blocks, and several
// top-level values become an array. Structural whitespace is never copied to the output, which
// keeps "insert before trailing whitespace" and "strip the trailing comma" O(1).
//
// Linear time: each string is rescanned at most once (a retry never retries again), every loop
// consumes input or stops, and recursion is bounded by RepairOptions::max_depth.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "llmwire/json.hpp"
#include "llmwire/json_parse.hpp"

namespace llmwire::json {
namespace {

// ---- what was repaired --------------------------------------------------------------------

enum Fix : unsigned {
  fix_invalid_utf8,
  fix_think_block,
  fix_prose,
  fix_code_fence,
  fix_comment,
  fix_special_whitespace,
  fix_quotes,
  fix_escaped_quotes,
  fix_unquoted_string,
  fix_missing_end_quote,
  fix_inner_quote,
  fix_control_char,
  fix_bad_escape,
  fix_truncated_escape,
  fix_key_quote,
  fix_missing_colon,
  fix_missing_value,
  fix_missing_comma,
  fix_trailing_comma,
  fix_ellipsis,
  fix_unclosed,
  fix_redundant_closer,
  fix_truncated_number,
  fix_leading_zero,
  fix_python_literal,
  fix_undefined,
  fix_concatenated_string,
  fix_function_call,
  fix_regex,
  fix_tuple,
  fix_multiple_values,
  fix_count
};

// Fix is the private spelling of the public RepairKind: same values, in the same order.
static_assert(static_cast<unsigned>(RepairKind::invalid_utf8) == fix_invalid_utf8);
static_assert(static_cast<unsigned>(RepairKind::quotes) == fix_quotes);
static_assert(static_cast<unsigned>(RepairKind::missing_end_quote) == fix_missing_end_quote);
static_assert(static_cast<unsigned>(RepairKind::truncated_escape) == fix_truncated_escape);
static_assert(static_cast<unsigned>(RepairKind::missing_value) == fix_missing_value);
static_assert(static_cast<unsigned>(RepairKind::trailing_comma) == fix_trailing_comma);
static_assert(static_cast<unsigned>(RepairKind::unclosed) == fix_unclosed);
static_assert(static_cast<unsigned>(RepairKind::truncated_number) == fix_truncated_number);
static_assert(static_cast<unsigned>(RepairKind::python_literal) == fix_python_literal);
static_assert(static_cast<unsigned>(RepairKind::multiple_values) + 1 == fix_count);

constexpr std::array<std::string_view, fix_count> fix_text = {
    "replaced invalid UTF-8 with U+FFFD",
    "skipped a think block before the JSON",
    "skipped prose around the JSON",
    "removed markdown code fences",
    "removed comments",
    "replaced special whitespace",
    "converted single or typographic quotes to double quotes",
    "removed backslashes before quotes (stringified JSON)",
    "quoted an unquoted string",
    "added a missing closing quote",
    "escaped a quote inside a string",
    "escaped control characters inside a string",
    "kept the backslash of an invalid escape",
    "dropped a truncated \\u escape",
    "cut a key at its colon (closing quote missing)",
    "added a missing colon",
    "added null for a missing value",
    "added a missing comma",
    "removed a trailing or leading comma",
    "removed an ellipsis",
    "closed unterminated arrays or objects",
    "removed redundant closing brackets",
    "completed a truncated number",
    "quoted a number with leading zeros",
    "converted Python True/False/None",
    "converted undefined to null",
    "joined concatenated strings",
    "unwrapped a function call",
    "quoted a regular expression",
    "converted a tuple to an array",
    "collected several top-level values into an array",
};

// ---- character classes (bytes; the input is valid UTF-8 by now) ---------------------------

constexpr int eof = -1;

bool is_ws(int c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}
bool is_digit(int c) {
  return c >= '0' && c <= '9';
}
bool is_hex(int c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_word(int c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_fn_start(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool is_fn_char(int c) {
  return is_fn_start(c) || is_digit(c);
}
bool is_delimiter(int c) {
  return c > 0 && std::strchr(",:[]/{}()\n+", c) != nullptr;
}
bool is_unquoted_delimiter(int c) {
  return c > 0 && std::strchr(",[]/{}\n+", c) != nullptr;
}
bool is_url_char(int c) {
  return is_word(c) && c != '_' ? true
                                : (c > 0 && std::strchr("-._~:/?#@!$&'()*+;=_", c) != nullptr);
}

enum class Quote { none, dq, sq, dq_like, sq_like };

/// Appends `s` to `out` as the inside of a JSON string.
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  for (char ch : s) {
    auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 15];
        } else {
          out += ch;
        }
    }
  }
}

/// Replaces every byte that is not part of a valid UTF-8 sequence with U+FFFD. Returns false
/// (and leaves `out` empty) when the text was already valid, which is the common case.
bool sanitize_utf8(std::string_view in, std::string& out) {
  auto seq_len = [&](std::size_t i) -> std::size_t {
    auto b = [&](std::size_t k) { return k < in.size() ? static_cast<unsigned char>(in[k]) : 0u; };
    unsigned c0 = b(i);
    if (c0 < 0x80) return 1;
    auto cont = [&](std::size_t k) { return (b(k) & 0xC0u) == 0x80u; };
    if (c0 >= 0xC2 && c0 <= 0xDF) return cont(i + 1) ? 2 : 0;
    if (c0 >= 0xE0 && c0 <= 0xEF) {
      unsigned c1 = b(i + 1);
      if (c0 == 0xE0 && c1 < 0xA0) return 0;  // overlong
      if (c0 == 0xED && c1 > 0x9F) return 0;  // surrogate
      return cont(i + 1) && cont(i + 2) ? 3 : 0;
    }
    if (c0 >= 0xF0 && c0 <= 0xF4) {
      unsigned c1 = b(i + 1);
      if (c0 == 0xF0 && c1 < 0x90) return 0;
      if (c0 == 0xF4 && c1 > 0x8F) return 0;
      return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    }
    return 0;
  };
  std::size_t i = 0;
  while (i < in.size()) {
    std::size_t n = seq_len(i);
    if (n == 0) break;
    i += n;
  }
  if (i == in.size()) return false;
  out.reserve(in.size() + 16);
  out.assign(in.substr(0, i));
  while (i < in.size()) {
    std::size_t n = seq_len(i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(in.substr(i, n));
      i += n;
    }
  }
  return true;
}

// ---- the repairing parser -----------------------------------------------------------------

class Repairer {
 public:
  Repairer(std::string_view text, std::size_t max_depth, unsigned& fixes)
      : t_(text), max_depth_(max_depth), fixes_(fixes) {}

  /// Parses one value at `pos`; on success out() holds it as strict JSON text.
  bool parse_top(std::size_t pos) {
    i_ = pos;
    out_.clear();
    return parse_value() && error_.empty();
  }
  [[nodiscard]] std::size_t pos() const { return i_; }
  [[nodiscard]] const std::string& out() const { return out_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] int c(std::size_t k) const {
    return k < t_.size() ? static_cast<unsigned char>(t_[k]) : eof;
  }
  std::size_t skip_ws_and_comments_from(std::size_t pos) {
    i_ = pos;
    parse_ws_and_comments(true);
    return i_;
  }

 private:
  static constexpr std::size_t npos = std::string_view::npos;

  void fix(Fix f) { fixes_ |= 1u << f; }
  bool failed() const { return !error_.empty(); }
  bool fail_with(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  [[nodiscard]] bool at_end() const { return i_ >= t_.size(); }

  /// Length of the special (non-JSON) whitespace character at k, or 0.
  [[nodiscard]] std::size_t special_ws_len(std::size_t k) const {
    int a = c(k);
    if (a == 0xC2 && c(k + 1) == 0xA0) return 2;  // NBSP
    if (a == 0xE2 && c(k + 1) == 0x80 &&
        ((c(k + 2) >= 0x80 && c(k + 2) <= 0x8A) || c(k + 2) == 0xAF))
      return 3;  // en quad … hair space, narrow NBSP
    if (a == 0xE2 && c(k + 1) == 0x81 && c(k + 2) == 0x9F) return 3;  // medium math space
    if (a == 0xE3 && c(k + 1) == 0x80 && c(k + 2) == 0x80) return 3;  // ideographic space
    return 0;
  }

  /// Length of a quote character at k (0 if none) and its kind.
  [[nodiscard]] std::size_t quote_len(std::size_t k, Quote* kind = nullptr) const {
    Quote q = Quote::none;
    std::size_t n = 0;
    int a = c(k);
    if (a == '"')
      q = Quote::dq, n = 1;
    else if (a == '\'')
      q = Quote::sq, n = 1;
    else if (a == '`')
      q = Quote::sq_like, n = 1;
    else if (a == 0xC2 && c(k + 1) == 0xB4)
      q = Quote::sq_like, n = 2;  // acute accent
    else if (a == 0xE2 && c(k + 1) == 0x80) {
      int b = c(k + 2);
      if (b == 0x98 || b == 0x99) q = Quote::sq_like, n = 3;  // ‘ ’
      if (b == 0x9C || b == 0x9D) q = Quote::dq_like, n = 3;  // “ ”
    }
    if (kind) *kind = q;
    return n;
  }

  /// Length of a quote at k that closes a string opened by `start`, or 0.
  [[nodiscard]] std::size_t end_quote_len(Quote start, std::size_t k) const {
    Quote q;
    std::size_t n = quote_len(k, &q);
    if (n == 0) return 0;
    switch (start) {
      case Quote::dq: return q == Quote::dq ? n : 0;
      case Quote::sq: return q == Quote::sq ? n : 0;
      case Quote::sq_like: return q == Quote::sq || q == Quote::sq_like ? n : 0;
      case Quote::dq_like: return q == Quote::dq || q == Quote::dq_like ? n : 0;
      case Quote::none: return 0;
    }
    return 0;
  }

  [[nodiscard]] bool is_start_of_value(std::size_t k) const {
    int a = c(k);
    return quote_len(k) > 0 || a == '[' || a == '{' || is_word(a) || a == '-';
  }

  [[nodiscard]] std::size_t prev_non_ws(std::size_t k) const {
    while (k > 0 && is_ws(c(k))) --k;
    return k;
  }

  [[nodiscard]] bool url_start_at(std::size_t start, std::size_t colon) const {
    // `scheme://` where the scheme runs from `start` to the colon.
    if (c(colon + 1) != '/' || c(colon + 2) != '/') return false;
    std::string_view scheme = t_.substr(start, colon - start);
    for (std::string_view s : {"http", "https", "ftp", "mailto", "file", "data", "irc"})
      if (scheme == s) return true;
    return false;
  }

  bool parse_ws_and_comments(bool skip_newline) {
    std::size_t start = i_;
    for (;;) {
      int a = c(i_);
      if (is_ws(a) && (skip_newline || a != '\n')) {
        ++i_;
      } else if (std::size_t n = special_ws_len(i_)) {
        fix(fix_special_whitespace);
        i_ += n;
      } else if (a == '/' && c(i_ + 1) == '*') {
        fix(fix_comment);
        std::size_t close = t_.find("*/", i_ + 2);
        i_ = close == npos ? t_.size() : close + 2;
      } else if ((a == '/' && c(i_ + 1) == '/') || a == '#') {
        fix(fix_comment);
        std::size_t nl = t_.find('\n', i_);
        i_ = nl == npos ? t_.size() : nl;
      } else {
        break;
      }
    }
    return i_ > start;
  }

  bool parse_value() {
    parse_ws_and_comments(true);
    bool ok = parse_object() || (!failed() && parse_array()) || (!failed() && parse_string()) ||
              (!failed() && parse_number()) || (!failed() && parse_keyword()) ||
              (!failed() && parse_unquoted(false)) || (!failed() && parse_regex());
    if (failed()) return false;
    parse_ws_and_comments(true);
    return ok;
  }

  bool enter() {
    if (++depth_ > max_depth_)
      return fail_with("nesting deeper than " + std::to_string(max_depth_) + " levels");
    return true;
  }

  void skip_ellipsis() {
    parse_ws_and_comments(true);
    if (c(i_) == '.' && c(i_ + 1) == '.' && c(i_ + 2) == '.') {
      fix(fix_ellipsis);
      i_ += 3;
      parse_ws_and_comments(true);
      if (c(i_) == ',') ++i_;
    }
  }

  void strip_trailing_comma() {
    if (!out_.empty() && out_.back() == ',') {
      out_.pop_back();
      fix(fix_trailing_comma);
    }
  }

  bool parse_object() {
    if (c(i_) != '{') return false;
    if (!enter()) return false;
    out_ += '{';
    ++i_;
    parse_ws_and_comments(true);
    if (c(i_) == ',') {  // {, "a": 1}
      fix(fix_trailing_comma);
      ++i_;
      parse_ws_and_comments(true);
    }
    bool initial = true;
    while (!at_end() && c(i_) != '}') {
      if (!initial) {
        if (c(i_) == ',') {
          out_ += ',';
          ++i_;
        } else {
          fix(fix_missing_comma);
          out_ += ',';
        }
        parse_ws_and_comments(true);
      }
      initial = false;
      skip_ellipsis();

      std::size_t key_start = i_;
      std::size_t key_out = out_.size();
      bool quoted_key = parse_string();
      if (failed()) return false;
      bool key = quoted_key || parse_unquoted(true);
      if (failed()) return false;
      if (!key) {
        int a = c(i_);
        if (a == '}' || a == '{' || a == ']' || a == '[' || a == eof) {
          strip_trailing_comma();
        } else {
          return fail_with("object key expected at byte " + std::to_string(i_));
        }
        break;
      }
      parse_ws_and_comments(true);
      if (quoted_key && c(i_) != ':' && t_.substr(key_start, i_ - key_start).find(':') != npos) {
        // The seeds' `"properties: {}`: the key's closing quote was dropped before its colon.
        i_ = key_start;
        out_.resize(key_out);
        fix(fix_key_quote);
        if (!parse_string(false, npos, true)) return fail_with("object key expected");
        parse_ws_and_comments(true);
      }
      bool colon = c(i_) == ':';
      if (colon) {
        out_ += ':';
        ++i_;
      }
      bool truncated = at_end();
      if (!colon) {
        if (is_start_of_value(i_) || truncated) {
          fix(fix_missing_colon);
          out_ += ':';
        } else {
          return fail_with("colon expected at byte " + std::to_string(i_));
        }
      }
      if (!parse_value()) {
        if (failed()) return false;
        if (colon || truncated) {
          fix(fix_missing_value);
          out_ += "null";
        } else {
          return fail_with("colon expected at byte " + std::to_string(i_));
        }
      }
    }
    if (c(i_) == '}') {
      ++i_;
    } else {
      fix(fix_unclosed);
    }
    out_ += '}';
    --depth_;
    return true;
  }

  bool parse_array() {
    int open = c(i_);
    if (open != '[' && open != '(') return false;
    // A Python tuple reads as an array; `(` is no other JSON value.
    int close = open == '[' ? ']' : ')';
    if (open == '(') fix(fix_tuple);
    if (!enter()) return false;
    out_ += '[';
    ++i_;
    parse_ws_and_comments(true);
    if (c(i_) == ',') {
      fix(fix_trailing_comma);
      ++i_;
      parse_ws_and_comments(true);
    }
    bool initial = true;
    while (!at_end() && c(i_) != close) {
      if (!initial) {
        if (c(i_) == ',') {
          out_ += ',';
          ++i_;
        } else {
          fix(fix_missing_comma);
          out_ += ',';
        }
      }
      initial = false;
      skip_ellipsis();
      if (!parse_value()) {
        if (failed()) return false;
        strip_trailing_comma();
        break;
      }
    }
    if (c(i_) == close) {
      ++i_;
    } else {
      fix(fix_unclosed);
    }
    out_ += ']';
    --depth_;
    return true;
  }

  static void close_string(std::string& str) {
    // Like jsonrepair: the quote goes before trailing spaces, which then fall outside.
    while (str.size() > 1 && str.back() == ' ') str.pop_back();
    str += '"';
  }

  /// A string in any quote style. `stop_at_delimiter`: the closing quote is missing, end at
  /// the next delimiter. `stop_at_index`: end right there. `stop_at_colon`: a key whose
  /// closing quote was dropped before the colon.
  bool parse_string(bool stop_at_delimiter = false, std::size_t stop_at_index = npos,
                    bool stop_at_colon = false) {
    bool skip_escape_chars = c(i_) == '\\';
    if (skip_escape_chars) ++i_;  // \"key\": stringified JSON
    Quote start_kind;
    std::size_t qlen = quote_len(i_, &start_kind);
    if (qlen == 0) return false;
    if (skip_escape_chars) fix(fix_escaped_quotes);
    if (start_kind != Quote::dq) fix(fix_quotes);
    const std::size_t i_before = i_;
    const bool may_retry = !stop_at_delimiter && stop_at_index == npos && !stop_at_colon;
    std::string str = "\"";
    i_ += qlen;
    if (start_kind == Quote::dq && c(i_) == '"' && is_word(c(i_ + 1))) {
      fix(fix_inner_quote);  // {"key": ""value"}: a doubled opening quote
      ++i_;
    }
    for (;;) {
      if (at_end()) {
        std::size_t iprev = prev_non_ws(i_ - 1);
        if (may_retry && is_delimiter(c(iprev))) {
          // ["hello]: the quote belongs before the delimiter the text ends with.
          i_ = i_before;
          return parse_string(true);
        }
        fix(fix_missing_end_quote);
        close_string(str);
        out_ += str;
        return true;
      }
      if (i_ == stop_at_index || (stop_at_colon && c(i_) == ':')) {
        fix(fix_missing_end_quote);
        close_string(str);
        out_ += str;
        return true;
      }
      if (std::size_t elen = end_quote_len(start_kind, i_)) {
        const std::size_t i_quote = i_;
        const std::size_t o_quote = str.size();
        str += '"';
        i_ += elen;
        parse_ws_and_comments(false);
        if (stop_at_delimiter || stop_at_colon || !may_retry || at_end() || is_delimiter(c(i_)) ||
            quote_len(i_) > 0 || is_digit(c(i_))) {
          // Followed by the end, a delimiter or a next value: a real closing quote.
          out_ += str;
          if (c(i_) == '"' && start_kind == Quote::dq) skip_redundant_quote();
          parse_concatenated_string();
          return true;
        }
        std::size_t iprev = prev_non_ws(i_quote - 1);
        int prev = c(iprev);
        if (prev == ',') {
          // {"a":"b,"c":"d"}: this quote opens the next string; ours ended at the comma.
          i_ = i_before;
          return parse_string(false, iprev);
        }
        if (is_delimiter(prev)) {
          // Preceded by a delimiter, not followed by one: our closing quote is missing.
          i_ = i_before;
          return parse_string(true);
        }
        // A quote inside the text: escape it and go on.
        fix(fix_inner_quote);
        i_ = i_quote + elen;
        str.insert(o_quote, 1, '\\');
      } else if (stop_at_delimiter && is_unquoted_delimiter(c(i_))) {
        if (c(i_ - 1) == ':' && url_start_at(i_before + qlen, i_ - 1)) {
          while (!at_end() && is_url_char(c(i_))) str += t_[i_++];
        }
        fix(fix_missing_end_quote);
        close_string(str);
        out_ += str;
        parse_concatenated_string();
        return true;
      } else if (c(i_) == '\\') {
        if (!parse_escape(str)) return false;
      } else {
        int a = c(i_);
        if (a == '"' && c(i_ - 1) != '\\') {
          str += "\\\"";  // a double quote inside a single-quoted string
        } else if (a < 0x20) {
          fix(fix_control_char);
          append_escaped(str, t_.substr(i_, 1));
        } else {
          str += t_[i_];
        }
        ++i_;
      }
      if (skip_escape_chars && c(i_) == '\\') ++i_;
    }
  }

  /// {"a": "b""}: a doubled closing quote right before a delimiter is dropped.
  void skip_redundant_quote() {
    std::size_t k = i_ + 1;
    while (is_ws(c(k))) ++k;
    int a = c(k);
    if (a == eof || a == ',' || a == '}' || a == ']') {
      fix(fix_inner_quote);
      i_ = k;
    }
  }

  /// A backslash sequence inside a string, at i_.
  bool parse_escape(std::string& str) {
    int e = c(i_ + 1);
    if (e == eof) {  // a lone backslash at the very end
      fix(fix_truncated_escape);
      ++i_;
      return true;
    }
    if (std::strchr("\"\\/bfnrt", e) != nullptr && e != 0) {
      str += t_.substr(i_, 2);
      i_ += 2;
      return true;
    }
    if (e == 'u') {
      std::size_t j = 2;
      while (j < 6 && is_hex(c(i_ + j))) ++j;
      if (j < 6) {
        if (i_ + j >= t_.size()) {  // cut off at the end: drop it, the string ends here
          fix(fix_truncated_escape);
          i_ = t_.size();
          return true;
        }
        return fail_with("invalid unicode escape at byte " + std::to_string(i_));
      }
      unsigned cp =
          static_cast<unsigned>(std::stoul(std::string(t_.substr(i_ + 2, 4)), nullptr, 16));
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        // nlohmann rejects unpaired surrogates; keep a valid pair, replace a lone half.
        bool low = c(i_ + 6) == '\\' && c(i_ + 7) == 'u' && is_hex(c(i_ + 8)) &&
                   is_hex(c(i_ + 9)) && is_hex(c(i_ + 10)) && is_hex(c(i_ + 11));
        if (low) {
          unsigned lo =
              static_cast<unsigned>(std::stoul(std::string(t_.substr(i_ + 8, 4)), nullptr, 16));
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            str += t_.substr(i_, 12);
            i_ += 12;
            return true;
          }
        }
        fix(fix_bad_escape);
        str += "\\ufffd";
        i_ += 6;
        return true;
      }
      if (cp >= 0xDC00 && cp <= 0xDFFF) {
        fix(fix_bad_escape);
        str += "\\ufffd";
        i_ += 6;
        return true;
      }
      str += t_.substr(i_, 6);
      i_ += 6;
      return true;
    }
    fix(fix_bad_escape);
    if (e == '\'') {  // \' from a single-quoted string
      str += '\'';
      i_ += 2;
      return true;
    }
    // Unknown escape (C:\Users): keep the backslash as text, the next byte is read normally.
    str += "\\\\";
    ++i_;
    return true;
  }

  /// "hello" + " world" → "hello world".
  void parse_concatenated_string() {
    if (in_concat_) return;  // the outer loop takes the next `+`; keeps recursion flat
    in_concat_ = true;
    parse_ws_and_comments(true);
    while (c(i_) == '+' && !failed()) {
      fix(fix_concatenated_string);
      ++i_;
      parse_ws_and_comments(true);
      if (!out_.empty() && out_.back() == '"') out_.pop_back();
      std::size_t start = out_.size();
      if (parse_string()) {
        out_.erase(start, 1);
      } else {
        out_ += '"';
      }
      parse_ws_and_comments(true);
    }
    in_concat_ = false;
  }

  [[nodiscard]] bool at_end_of_number() const {
    return at_end() || is_delimiter(c(i_)) || is_ws(c(i_));
  }

  void emit_number(std::size_t start, bool complete) {
    std::string num(t_.substr(start, i_ - start));
    if (!complete) {
      fix(fix_truncated_number);
      num += '0';  // 2. → 2.0, 2e → 2e0, 2e- → 2e-0, - → -0
    }
    std::size_t d = num.front() == '-' ? 1 : 0;
    if (num.size() > d + 1 && num[d] == '0' && is_digit(num[d + 1])) {
      // 00789 may be an id whose zeros matter: keep it as a string.
      fix(fix_leading_zero);
      out_ += '"';
      out_ += num;
      out_ += '"';
      return;
    }
    if (num[d] == '.') num.insert(d, 1, '0');  // .5 → 0.5
    out_ += num;
  }

  [[nodiscard]] bool is_number_end_after_quote() const {
    int a = c(i_ + 1);
    return a == eof || a == ',' || a == '}' || a == ']' || is_ws(a);
  }

  bool parse_number() {
    const std::size_t start = i_;
    bool any_digit = false;
    if (c(i_) == '-') {
      ++i_;
      if (at_end_of_number()) {
        emit_number(start, false);
        return true;
      }
      if (!is_digit(c(i_)) && c(i_) != '.') {
        i_ = start;
        return false;
      }
    }
    while (is_digit(c(i_))) ++i_, any_digit = true;
    if (c(i_) == '.') {
      ++i_;
      if (at_end_of_number() && any_digit) {
        emit_number(start, false);
        return true;
      }
      if (!is_digit(c(i_))) {
        i_ = start;
        return false;
      }
      while (is_digit(c(i_))) ++i_, any_digit = true;
    }
    if (!any_digit) {
      i_ = start;
      return false;
    }
    if (c(i_) == 'e' || c(i_) == 'E') {
      ++i_;
      if (c(i_) == '-' || c(i_) == '+') ++i_;
      if (at_end_of_number()) {
        emit_number(start, false);
        return true;
      }
      if (!is_digit(c(i_))) {
        i_ = start;
        return false;
      }
      while (is_digit(c(i_))) ++i_;
    }
    if (c(i_) == '"' && is_number_end_after_quote()) {
      // 12345": a number with a stray closing quote (its opening quote was never written).
      emit_number(start, true);
      fix(fix_inner_quote);
      ++i_;
      return true;
    }
    if (!at_end_of_number()) {  // 2024-10-18T…: let it be an unquoted string
      i_ = start;
      return false;
    }
    emit_number(start, true);
    return true;
  }

  bool parse_keyword() {
    struct Keyword {
      std::string_view name, value;
      bool python;
    };
    static constexpr Keyword keywords[] = {
        {"true", "true", false}, {"false", "false", false}, {"null", "null", false},
        {"True", "true", true},  {"False", "false", true},  {"None", "null", true},
    };
    for (const auto& k : keywords) {
      if (t_.substr(i_, k.name.size()) == k.name && !is_word(c(i_ + k.name.size()))) {
        if (k.python) fix(fix_python_literal);
        out_ += k.value;
        i_ += k.name.size();
        return true;
      }
    }
    // TRUE, Null, NONE…: models write literals in any case; a whole word only.
    for (const auto& k : keywords) {
      std::string_view word = t_.substr(i_, k.name.size());
      if (word.size() != k.name.size() || is_word(c(i_ + k.name.size()))) continue;
      bool same = true;
      for (std::size_t j = 0; j < word.size() && same; ++j)
        same = (word[j] | 0x20) == (k.name[j] | 0x20);
      if (same) {
        fix(fix_python_literal);
        out_ += k.value;
        i_ += k.name.size();
        return true;
      }
    }
    return false;
  }

  bool parse_unquoted(bool is_key) {
    const std::size_t start = i_;
    if (is_fn_start(c(i_))) {
      while (is_fn_char(c(i_))) ++i_;
      std::size_t j = i_;
      while (is_ws(c(j))) ++j;
      if (c(j) == '(') {
        // NumberLong("2"), callback({...});
        fix(fix_function_call);
        if (!enter()) return false;
        i_ = j + 1;
        if (!parse_value()) {
          if (failed()) return false;
          out_ += "null";
        }
        --depth_;
        if (c(i_) == ')') {
          ++i_;
          if (c(i_) == ';') ++i_;
        }
        return true;
      }
    }
    while (!at_end() && !is_unquoted_delimiter(c(i_)) && quote_len(i_) == 0 &&
           (!is_key || c(i_) != ':'))
      ++i_;
    if (i_ > start && c(i_ - 1) == ':' && url_start_at(start, i_ - 1)) {
      while (!at_end() && is_url_char(c(i_))) ++i_;
    }
    if (i_ == start) return false;
    while (i_ > start && is_ws(c(i_ - 1))) --i_;
    std::string_view symbol = t_.substr(start, i_ - start);
    if (symbol == "undefined") {
      fix(fix_undefined);
      out_ += "null";
    } else {
      fix(fix_unquoted_string);
      out_ += '"';
      append_escaped(out_, symbol);
      out_ += '"';
    }
    if (c(i_) == '"') ++i_;  // abc" — the end quote of a string missing its start quote
    return true;
  }

  bool parse_regex() {
    if (c(i_) != '/') return false;
    const std::size_t start = i_;
    ++i_;
    while (!at_end() && (c(i_) != '/' || c(i_ - 1) == '\\')) ++i_;
    if (!at_end()) ++i_;
    fix(fix_regex);
    out_ += '"';
    append_escaped(out_, t_.substr(start, i_ - start));
    out_ += '"';
    return true;
  }

  std::string_view t_;
  std::size_t max_depth_;
  unsigned& fixes_;
  std::size_t i_ = 0;
  std::size_t depth_ = 0;
  bool in_concat_ = false;
  std::string out_;
  std::string error_;
};

// ---- top level: prose, fences, several values ----------------------------------------------

bool starts_with_at(std::string_view t, std::size_t p, std::string_view s) {
  return t.substr(p, s.size()) == s;
}

std::size_t skip_plain_ws(std::string_view t, std::size_t p) {
  while (p < t.size() && is_ws(static_cast<unsigned char>(t[p]))) ++p;
  return p;
}

/// Where a fenced block's content starts: after "```", an optional language tag and
/// whitespace.
std::size_t fence_content(std::string_view t, std::size_t fence) {
  std::size_t p = fence + 3;
  while (p < t.size() && (is_word(static_cast<unsigned char>(t[p])) || t[p] == '-' || t[p] == '+'))
    ++p;
  return skip_plain_ws(t, p);
}

bool is_value_start_char(char ch) {
  return ch == '{' || ch == '[' || ch == '"' || ch == '-' ||
         is_digit(static_cast<unsigned char>(ch));
}

class TopLevel {
 public:
  TopLevel(std::string_view text, const RepairOptions& options) : t_(text), options_(options) {}

  Result<Repaired> run() {
    std::size_t p = 0;
    if (starts_with_at(t_, 0, "\xEF\xBB\xBF")) p = 3;
    p = skip_ws(t_, p);
    if (p >= t_.size()) return fail(ErrorKind::parse, "no JSON value: the input is empty");
    p = skip_think_block(p);
    if (p >= t_.size()) return fail(ErrorKind::parse, "no JSON value after the think block");

    if (t_[p] == '{' || t_[p] == '[' || t_[p] == '(') {
      if (!parse_sequence(t_, p)) return error();
    } else if (!parse_fences(p)) {
      if (!error_.empty()) return error();
      std::size_t q = t_.find_first_of("{[", p);
      if (q != std::string_view::npos) {
        fixes_ |= 1u << fix_prose;
        if (!parse_sequence(t_, q)) return error();
      } else if (!parse_primitive(p)) {
        return error();
      }
    }

    Repaired result;
    if (values_.size() == 1) {
      result.value = std::move(values_.front());
    } else {
      fixes_ |= 1u << fix_multiple_values;
      result.value = nlohmann::json::array();
      for (auto& v : values_) result.value.push_back(std::move(v));
    }
    for (unsigned f = 0; f < fix_count; ++f) {
      if (fixes_ & (1u << f)) {
        result.repairs.emplace_back(fix_text[f]);
        result.kinds.push_back(static_cast<RepairKind>(f));
      }
    }
    constexpr unsigned truncation = (1u << fix_missing_end_quote) | (1u << fix_truncated_escape) |
                                    (1u << fix_missing_value) | (1u << fix_unclosed) |
                                    (1u << fix_truncated_number);
    result.truncated = (fixes_ & truncation) != 0;
    return result;
  }

  void note(Fix f) { fixes_ |= 1u << f; }

 private:
  std::size_t skip_ws(std::string_view t, std::size_t p) const { return skip_plain_ws(t, p); }

  std::size_t skip_think_block(std::size_t p) {
    struct Block {
      std::string_view open, close;
    };
    for (Block b : {Block{"<think>", "</think>"}, Block{"<|channel>", "<channel|>"}}) {
      if (starts_with_at(t_, p, b.open)) {
        note(fix_think_block);
        std::size_t close = t_.find(b.close, p + b.open.size());
        if (close == std::string_view::npos) return t_.size();
        return skip_ws(t_, close + b.close.size());
      }
    }
    return p;
  }

  Result<Repaired> error() const {
    return fail(ErrorKind::parse, error_.empty() ? "no JSON value found" : error_);
  }

  bool add_value(const std::string& text) {
    auto v = json::parse(text, {.max_depth = options_.max_depth});
    if (!v) {
      error_ = "could not repair the JSON: " + v.error().message;
      return false;
    }
    values_.push_back(std::move(*v));
    return true;
  }

  /// One value at p, then any further values separated by whitespace or commas.
  bool parse_sequence(std::string_view view, std::size_t p) {
    Repairer r(view, options_.max_depth, fixes_);
    for (;;) {
      if (!r.parse_top(p)) {
        error_ = r.error();
        return false;
      }
      if (!add_value(r.out())) return false;
      // What follows: redundant closers, commas, fences, another value, or prose (ignored).
      p = r.pos();
      for (;;) {
        p = r.skip_ws_and_comments_from(p);
        if (p >= view.size()) return true;
        char a = view[p];
        if (a == '}' || a == ']' || a == ')') {
          note(fix_redundant_closer);
          ++p;
        } else if (a == ',') {
          ++p;
        } else if (starts_with_at(view, p, "```")) {
          note(fix_code_fence);
          p = fence_content(view, p);
        } else {
          break;
        }
      }
      if (view[p] != '{' && view[p] != '[') return true;
    }
  }

  /// Values inside ``` fences, prose around them skipped.
  bool parse_fences(std::size_t p) {
    bool any = false;
    std::size_t fence = t_.find("```", p);
    while (fence != std::string_view::npos) {
      std::size_t content = fence_content(t_, fence);
      std::size_t close = t_.find("```", content);
      std::size_t limit = close == std::string_view::npos ? t_.size() : close;
      if (content < limit && is_value_start_char(t_[content])) {
        if (!any && fence > p) note(fix_prose);
        note(fix_code_fence);
        // A fenced value ends at the closing fence even when it is truncated.
        if (!parse_sequence(t_.substr(0, limit), content)) return false;
        any = true;
      }
      if (close == std::string_view::npos) break;
      fence = t_.find("```", close + 3);
    }
    return any;
  }

  /// A bare string, number or literal with no container anywhere in the text.
  bool parse_primitive(std::size_t p) {
    unsigned char a = static_cast<unsigned char>(t_[p]);
    bool plausible = a == '"' || a == '\'' || a == '`' || a == '-' || is_digit(a) ||
                     (a == '\\' && p + 1 < t_.size() && t_[p + 1] == '"') ||
                     starts_with_at(t_, p, "\xC2\xB4") || starts_with_at(t_, p, "\xE2\x80\x9C") ||
                     starts_with_at(t_, p, "\xE2\x80\x98");
    for (std::string_view k : {"true", "false", "null", "True", "False", "None"})
      plausible = plausible || starts_with_at(t_, p, k);
    if (!plausible) {
      error_ = "no JSON value found in the input";
      return false;
    }
    Repairer r(t_, options_.max_depth, fixes_);
    if (!r.parse_top(p)) {
      error_ = r.error().empty() ? "no JSON value found in the input" : r.error();
      return false;
    }
    return add_value(r.out());
  }

  std::string_view t_;
  const RepairOptions& options_;
  unsigned fixes_ = 0;
  std::vector<nlohmann::json> values_;
  std::string error_;
};

}  // namespace

Result<Repaired> repair(std::string_view text, const RepairOptions& requested) {
  // The repairer recurses once per level: never deeper than the library-wide limit.
  RepairOptions options = requested;
  options.max_depth = std::min(options.max_depth, json::max_depth);
  // Fast path: strict JSON, parsed once by nlohmann's DOM builder.
  // Too-deep input fails here and again in the repairer, which reports the depth.
  if (auto strict = json::parse(text, {.max_depth = options.max_depth})) {
    Repaired repaired;
    repaired.value = std::move(*strict);
    return repaired;
  }

  std::string clean;
  bool sanitized = sanitize_utf8(text, clean);
  TopLevel top(sanitized ? std::string_view(clean) : text, options);
  if (sanitized) top.note(fix_invalid_utf8);
  try {
    return top.run();
  } catch (const std::exception& e) {  // allocation failure or a bug: still an error value
    return fail(ErrorKind::internal, std::string("json repair failed: ") + e.what());
  }
}

}  // namespace llmwire::json
