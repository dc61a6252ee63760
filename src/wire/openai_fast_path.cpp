// The fast path for OpenAI chat-completion chunks: a single-pass scanner for the shapes that make
// up almost every event of a stream (role/content/reasoning deltas, finish_reason, numeric usage
// and llama-server timings), with no DOM and no allocation once its buffers have grown. Anything
// else — tool calls, errors, n > 1, invalid UTF-8 in a string we keep, malformed JSON — makes it
// give up before emitting anything, and the chunk takes the full nlohmann parse (decode_slow). The
// two paths must agree; tests/unit/wire/openai_fast_path_test.cpp checks that they do.

#include <charconv>
#include <cstdint>
#include <cstring>

#include "wire/dialect.hpp"
#include "wire/utf8.hpp"

namespace llmwire::wire {
namespace {

constexpr int max_depth = 32;

constexpr std::uint64_t ones = 0x0101010101010101ull;
constexpr std::uint64_t highs = 0x8080808080808080ull;

// SWAR: a mask with the high bit set in (at least) the first byte of `word` that is '"', '\\',
// a control character (< 0x20) or, with `stop_at_non_ascii`, >= 0x80. Bytes after the first hit
// may be flagged spuriously (borrows), so only the lowest flagged byte is meaningful.
inline std::uint64_t special_bytes(std::uint64_t word, bool stop_at_non_ascii) {
  std::uint64_t quote = word ^ (ones * '"');
  std::uint64_t backslash = word ^ (ones * '\\');
  std::uint64_t mask = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
                       ((word - ones * 0x20) & ~word);
  mask &= highs;
  if (stop_at_non_ascii) mask |= word & highs;
  return mask;
}

// Advances `p` over bytes that need no attention, 8 at a time.
inline const char* skip_plain(const char* p, const char* end, bool stop_at_non_ascii) {
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    std::uint64_t mask = special_bytes(word, stop_at_non_ascii);
    if (mask != 0) return p + (__builtin_ctzll(mask) >> 3);
    p += 8;
  }
  return p;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool at_end() const { return p_ == end_; }
  bool peek(char c) const { return p_ < end_ && *p_ == c; }
  bool eat(char c) {
    ws();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }

  // Reads a key (a string without escapes, which is all the keys we look for) into `key`.
  // Keys with escapes are still valid JSON: they are skipped as unknown keys.
  bool key(std::string_view& key) {
    ws();
    if (p_ >= end_ || *p_ != '"') return false;
    const char* start = ++p_;
    while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20) ++p_;
    if (p_ < end_ && *p_ == '"') {
      key = std::string_view(start, static_cast<std::size_t>(p_ - start));
      ++p_;
      return eat(':');
    }
    p_ = start - 1;
    if (!skip_string()) return false;
    key = std::string_view();  // escaped key: never one of ours
    return eat(':');
  }

  // Unescapes a JSON string into `out`. Fails on invalid JSON or invalid UTF-8 (which the slow
  // path repairs to U+FFFD) and on lone surrogates (which the slow path rejects).
  bool string(std::string& out) {
    ws();
    if (p_ >= end_ || *p_ != '"') return false;
    ++p_;
    out.clear();
    for (;;) {
      const char* run = p_;
      p_ = skip_plain(p_, end_, true);
      while (p_ < end_) {
        auto c = static_cast<unsigned char>(*p_);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++p_;
      }
      out.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ >= end_) return false;
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        std::size_t n =
            valid_sequence_length(std::string_view(p_, static_cast<std::size_t>(end_ - p_)));
        if (n == 0) return false;
        out.append(p_, n);
        p_ += n;
        continue;
      }
      if (!escape(out)) return false;
    }
  }

  bool skip_string() {
    if (p_ >= end_ || *p_ != '"') return false;
    ++p_;
    while (p_ < end_) {
      p_ = skip_plain(p_, end_, false);
      if (p_ >= end_) break;
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (++p_ >= end_) return false;
        char e = *p_;
        if (e == 'u') {
          for (int i = 1; i <= 4; ++i) {
            if (p_ + i >= end_ || hex(p_[i]) < 0) return false;
          }
          p_ += 4;
        } else if (std::strchr("\"\\/bfnrt", e) == nullptr || e == '\0') {
          return false;
        }
      }
      ++p_;
    }
    return false;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  bool null() {
    ws();
    return literal("null");
  }

  // A JSON number per RFC 8259; `value` gets its integer part when it is a small integer.
  bool number(long long* value = nullptr) {
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    } else {
      return false;
    }
    bool integral = true;
    if (p_ < end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (value != nullptr) {
      if (!integral || p_ - start > 15) return false;
      long long v = 0;
      bool negative = *start == '-';
      for (const char* q = start + (negative ? 1 : 0); q < p_; ++q) v = v * 10 + (*q - '0');
      *value = negative ? -v : v;
    }
    return true;
  }

  // A JSON number's value, as nlohmann would give it via get<double>().
  bool number_value(double& out) {
    ws();
    const char* start = p_;
    if (!number()) return false;
    auto [end, ec] = std::from_chars(start, p_, out);
    return ec == std::errc() && end == p_;
  }

  // Skips any JSON value, validating it.
  bool skip_value(int depth = 0) {
    if (depth > max_depth) return false;
    ws();
    if (p_ >= end_) return false;
    switch (*p_) {
      case '"': return skip_string();
      case 'n': return literal("null");
      case 't': return literal("true");
      case 'f': return literal("false");
      case '{': {
        ++p_;
        if (eat('}')) return true;
        do {
          ws();
          if (!skip_string() || !eat(':') || !skip_value(depth + 1)) return false;
        } while (eat(','));
        return eat('}');
      }
      case '[': {
        ++p_;
        if (eat(']')) return true;
        do {
          if (!skip_value(depth + 1)) return false;
        } while (eat(','));
        return eat(']');
      }
      default: return number();
    }
  }

 private:
  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool hex4(char32_t& out) {
    if (end_ - p_ < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex(p_[i]);
      if (h < 0) return false;
      out = out << 4 | static_cast<char32_t>(h);
    }
    p_ += 4;
    return true;
  }

  bool escape(std::string& out) {
    ++p_;  // the backslash
    if (p_ >= end_) return false;
    char e = *p_++;
    switch (e) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case '/': out.push_back('/'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': {
        char32_t cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          char32_t low = 0;
          if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u') return false;
          p_ += 2;
          if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return false;
        }
        append_code_point(out, cp);
        return true;
      }
      default: return false;
    }
  }

  const char* p_;
  const char* end_;
};

// Which strings one chunk carried; views into the decoder's buffers.
struct FastChunk {
  bool has_content = false;
  bool has_reasoning = false;
  bool has_reasoning_content = false;
  bool has_finish = false;
  bool has_usage = false;
  bool has_timings = false;
  Usage usage;
  ServerTimings timings;
};

// An object of numbers we want (others skipped): vLLM's `usage` with continuous_usage_stats and
// llama-server's `timings` arrive on every chunk, so they must not force the slow path. A wanted
// key whose value is not a number declines (the slow path decides what that means); a key
// wanted as 2 may be null and declines on anything else.
template <class OnNumber>
bool number_object(Scanner& s, OnNumber&& on_number) {
  if (!s.eat('{')) return false;
  if (s.eat('}')) return true;
  std::string_view key;
  do {
    if (!s.key(key)) return false;
    double value = 0;
    int wanted = on_number(key, nullptr);
    if (wanted == 0) {
      if (!s.skip_value()) return false;
    } else if (wanted == 2) {
      // Only a null may stay on the fast path; any other value declines (the slow path reads it).
      if (!s.null()) return false;
    } else {
      if (!s.number_value(value)) return false;
      on_number(key, &value);
    }
  } while (s.eat(','));
  return s.eat('}');
}

}  // namespace

bool OpenAIChunkDecoder::try_fast(std::string_view data, WireSink& out, bool& handled) {
  handled = false;
  Scanner s(data);
  FastChunk chunk;
  std::string_view key;
  if (!s.eat('{')) return true;
  if (!s.eat('}')) {
    do {
      if (!s.key(key)) return true;
      if (key == "choices") {
        if (!s.eat('[')) return true;
        if (!s.eat(']')) {
          // Exactly one choice, index 0; n > 1 goes to the slow path.
          if (!s.eat('{')) return true;
          if (!s.eat('}')) {
            do {
              if (!s.key(key)) return true;
              if (key == "index") {
                long long index = -1;
                s.ws();
                if (!s.number(&index) || index != 0) return true;
              } else if (key == "delta") {
                if (!s.eat('{')) return true;
                if (!s.eat('}')) {
                  do {
                    if (!s.key(key)) return true;
                    std::string* target = nullptr;
                    bool* flag = nullptr;
                    if (key == "content") {
                      target = &content_;
                      flag = &chunk.has_content;
                    } else if (key == "reasoning") {
                      target = &reasoning_;
                      flag = &chunk.has_reasoning;
                    } else if (key == "reasoning_content") {
                      target = &reasoning_content_;
                      flag = &chunk.has_reasoning_content;
                    } else if (key == "tool_calls") {
                      return true;
                    }
                    if (target != nullptr) {
                      s.ws();
                      if (s.peek('"')) {
                        if (*flag || !s.string(*target)) return true;
                        *flag = true;
                      } else if (!s.null()) {
                        return true;
                      }
                    } else if (!s.skip_value()) {
                      return true;
                    }
                  } while (s.eat(','));
                  if (!s.eat('}')) return true;
                }
              } else if (key == "finish_reason") {
                s.ws();
                if (s.peek('"')) {
                  if (chunk.has_finish || !s.string(finish_)) return true;
                  chunk.has_finish = true;
                } else if (!s.null()) {
                  return true;
                }
              } else if (key == "message" || key == "tool_calls") {
                return true;
              } else if (!s.skip_value()) {
                return true;
              }
            } while (s.eat(','));
            if (!s.eat('}')) return true;
          }
          if (!s.eat(']')) return true;
        }
      } else if (key == "usage") {
        s.ws();
        if (!s.peek('{')) {
          if (!s.null()) return true;
        } else {
          if (chunk.has_usage) return true;
          chunk.has_usage = true;
          bool ok = number_object(s, [&chunk](std::string_view k, const double* v) -> int {
            std::int64_t* field = k == "prompt_tokens"       ? &chunk.usage.prompt_tokens
                                  : k == "completion_tokens" ? &chunk.usage.completion_tokens
                                                             : nullptr;
            if (field != nullptr && v != nullptr) *field = saturate_int64(*v);
            // The cached-token count is nested: that (once-a-stream) chunk takes the full parse,
            // unless the details are null (vLLM's usual).
            if (k == "prompt_tokens_details") return 2;
            return field != nullptr ? 1 : 0;
          });
          if (!ok) return true;
        }
      } else if (key == "timings") {
        s.ws();
        if (!s.peek('{')) {
          if (!s.null()) return true;
        } else {
          if (chunk.has_timings) return true;
          chunk.has_timings = true;
          ServerTimings& t = chunk.timings;
          bool ok = number_object(s, [&t](std::string_view k, const double* v) -> int {
            std::optional<double>* field = k == "prompt_n"               ? &t.prompt_n
                                           : k == "prompt_ms"            ? &t.prompt_ms
                                           : k == "predicted_n"          ? &t.predicted_n
                                           : k == "predicted_ms"         ? &t.predicted_ms
                                           : k == "predicted_per_second" ? &t.predicted_per_second
                                                                         : nullptr;
            if (field != nullptr && v != nullptr) *field = *v;
            return field != nullptr ? 1 : 0;
          });
          if (!ok) return true;
        }
      } else if (key == "error") {
        s.ws();
        if (!s.null()) return true;  // present and not null: the slow path reports it
      } else if (key == "object") {
        std::string& scratch = sanitized_;  // not needed by the fast path otherwise
        s.ws();
        if (s.peek('"')) {
          if (!s.string(scratch) || scratch == "error") return true;
        } else if (!s.skip_value()) {
          return true;
        }
      } else if (!s.skip_value()) {
        return true;
      }
    } while (s.eat(','));
    if (!s.eat('}')) return true;
  }
  s.ws();
  if (!s.at_end()) return true;

  // Emit in the slow path's order: reasoning, content, finish_reason.
  handled = true;
  if (chunk.has_reasoning || chunk.has_reasoning_content) {
    if (!out.reasoning(chunk.has_reasoning ? reasoning_ : reasoning_content_)) return false;
  }
  if (chunk.has_content && !out.content(content_)) return false;
  if (chunk.has_finish && !out.finish_reason(finish_)) return false;
  if (chunk.has_usage && !out.usage(chunk.usage)) return false;
  if (chunk.has_timings && !out.server_timings(chunk.timings)) return false;
  return true;
}

}  // namespace llmwire::wire
