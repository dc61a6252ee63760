// Strict JSON with bounded nesting (json_parse.hpp): our own DOM builder over nlohmann's SAX
// parser, so depth is checked while parsing, before anything deep exists.

#include "llmwire/json_parse.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace llmwire::json {
namespace {

using nlohmann::json;

// Builds the value the way nlohmann's own DOM parser does (a stack of open containers, the
// last of duplicate keys wins), refusing to open a container beyond the depth limit.
class BoundedDom {
 public:
  BoundedDom(json& root, std::size_t max_depth) : root_(root), max_depth_(max_depth) {}

  bool null() { return put(nullptr); }
  bool boolean(bool v) { return put(v); }
  bool number_integer(json::number_integer_t v) { return put(v); }
  bool number_unsigned(json::number_unsigned_t v) { return put(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return put(v); }
  bool string(json::string_t& v) { return put(std::move(v)); }
  bool binary(json::binary_t& v) { return put(json::binary(std::move(v))); }
  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool key(json::string_t& k) {
    key_ = std::move(k);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at …": the bracketed id means nothing to
    // a reader of an error message.
    std::string_view what = e.what();
    if (auto close = what.find("] ");
        what.starts_with("[json.exception.") && close != std::string_view::npos) {
      what.remove_prefix(close + 2);
    }
    error_ = std::string(what);
    error_id_ = e.id;
    return false;
  }

  [[nodiscard]] bool too_deep() const { return too_deep_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] int error_id() const { return error_id_; }

 private:
  // Places a value in the innermost open container (or at the root) and returns where it is.
  template <class V>
  json* place(V&& value) {
    if (stack_.empty()) {
      root_ = json(std::forward<V>(value));
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.emplace_back(std::forward<V>(value));
      return &parent.back();
    }
    json& slot = parent[key_];
    slot = json(std::forward<V>(value));
    return &slot;
  }
  template <class V>
  bool put(V&& value) {
    place(std::forward<V>(value));
    return true;
  }
  bool open(json::value_t type) {
    if (stack_.size() >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    // A pointer into the parent stays valid: nothing is added to a container while a child
    // of it is open.
    stack_.push_back(place(json(type)));
    return true;
  }

  json& root_;
  std::size_t max_depth_;
  std::vector<json*> stack_;
  json::string_t key_;
  bool too_deep_ = false;
  std::string error_;
  int error_id_ = 0;
};

struct Attempt {
  json value;
  bool ok = false;
  bool too_deep = false;
  int error_id = 0;
  std::string error;
};

Attempt attempt(std::string_view text, std::size_t max_depth) {
  Attempt a;
  BoundedDom dom(a.value, max_depth);
  try {
    a.ok = json::sax_parse(text.data(), text.data() + text.size(), &dom);
  } catch (const json::exception& e) {  // not expected from sax_parse, but never let it out
    a.ok = false;
    a.error = e.what();
  }
  a.too_deep = dom.too_deep();
  a.error_id = dom.error_id();
  if (a.error.empty()) a.error = dom.error();
  if (!a.ok) a.value = json();  // a half-built value never leaves
  return a;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

unsigned hex4(std::string_view s, std::size_t at) {
  unsigned v = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

bool is_u_escape(std::string_view s, std::size_t at) {
  return at + 6 <= s.size() && s[at] == '\\' && s[at + 1] == 'u' && is_hex(s[at + 2]) &&
         is_hex(s[at + 3]) && is_hex(s[at + 4]) && is_hex(s[at + 5]);
}

// One linear pass: lone surrogate escapes become \ufffd, numbers a double cannot hold become
// null. Everything else is copied unchanged, so a text that was invalid for another reason
// stays invalid.
std::string replace_unrepresentable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_string = false;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (in_string) {
      if (c == '"') {
        in_string = false;
      } else if (c == '\\' && is_u_escape(s, i)) {
        unsigned u = hex4(s, i + 2);
        bool high = u >= 0xD800 && u <= 0xDBFF;
        bool low = u >= 0xDC00 && u <= 0xDFFF;
        if (high && is_u_escape(s, i + 6)) {
          unsigned next = hex4(s, i + 8);
          if (next >= 0xDC00 && next <= 0xDFFF) {  // a proper pair
            out.append(s.substr(i, 12));
            i += 12;
            continue;
          }
        }
        if (high || low) {
          out += "\\ufffd";
        } else {
          out.append(s.substr(i, 6));
        }
        i += 6;
        continue;
      } else if (c == '\\' && i + 1 < s.size()) {
        out += c;
        out += s[i + 1];
        i += 2;
        continue;
      }
      out += c;
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      ++i;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i + 1;
      while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.' ||
                                s[end] == 'e' || s[end] == 'E' || s[end] == '+' || s[end] == '-')) {
        ++end;
      }
      std::string number(s.substr(i, end - i));
      bool is_float = number.find_first_of(".eE") != std::string::npos;
      char* stop = nullptr;
      double v = std::strtod(number.c_str(), &stop);
      if (is_float && stop == number.c_str() + number.size() && !std::isfinite(v)) {
        out += "null";
      } else {
        out += number;
      }
      i = end;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

Error parse_failure(const Attempt& a, std::size_t max_depth) {
  if (a.too_deep) {
    return make_error(ErrorKind::parse,
                      "JSON nesting deeper than " + std::to_string(max_depth) + " levels");
  }
  return make_error(ErrorKind::parse, a.error.empty() ? std::string("invalid JSON") : a.error);
}

}  // namespace

Result<nlohmann::json> parse(std::string_view text, const ParseOptions& options) {
  try {
    const std::size_t limit = std::min(options.max_depth, llmwire::json::max_depth);
    Attempt a = attempt(text, limit);
    if (a.ok) return std::move(a.value);
    // nlohmann's ids: 101 syntax error (a lone surrogate is one), 406 number overflow.
    bool retry = options.replace_unrepresentable && !a.too_deep &&
                 (a.error_id == 406 ||
                  (a.error_id == 101 && a.error.find("surrogate") != std::string::npos));
    if (retry) {
      Attempt second = attempt(replace_unrepresentable(text), limit);
      if (second.ok) return std::move(second.value);
    }
    return tl::unexpected(parse_failure(a, limit));
  } catch (const std::bad_alloc&) {
    return fail(ErrorKind::internal, "out of memory parsing JSON");
  }
}

std::size_t depth(const nlohmann::json& value) {
  // Depth-first over an explicit stack of (container, depth) pairs.
  std::size_t deepest = 0;
  std::vector<std::pair<const nlohmann::json*, std::size_t>> pending{{&value, 0}};
  while (!pending.empty()) {
    auto [node, level] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    std::size_t inner = level + 1;
    if (inner > deepest) deepest = inner;
    for (const nlohmann::json& child : *node) pending.emplace_back(&child, inner);
  }
  return deepest;
}

}  // namespace llmwire::json
