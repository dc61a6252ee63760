#include "profiles/gemma4_args.hpp"

#include <string>

#include "profiles/scan.hpp"
#include "profiles/schema.hpp"

namespace llmwire::profiles_detail {

namespace {

constexpr std::string_view quote_token = "<|\"|>";
// Deeper nesting than this is flattened to text: no real call nests this deep, and it bounds
// the recursion a hostile input can cause.
constexpr int max_depth = 64;

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ' ' || c == '$' || c == '@';
}

class ArgParser {
 public:
  explicit ArgParser(std::string_view s) : s_(s) {}

  nlohmann::json parse(const nlohmann::json* schema) {
    skip_ws();
    if (at('{')) return object(schema, 0);
    return nlohmann::json::object();
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;

  [[nodiscard]] bool eof() const { return i_ >= s_.size(); }
  [[nodiscard]] bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  [[nodiscard]] bool at(std::string_view w) const { return s_.substr(i_).starts_with(w); }
  void skip_ws() {
    while (!eof() && is_space(s_[i_])) ++i_;
  }

  /// `<|"|>raw<|"|>`: no escape processing at all.
  std::string gemma_string() {
    i_ += quote_token.size();
    const std::size_t end = s_.find(quote_token, i_);
    const std::size_t stop = end == std::string_view::npos ? s_.size() : end;
    std::string out(s_.substr(i_, stop - i_));
    i_ = end == std::string_view::npos ? s_.size() : end + quote_token.size();
    return out;
  }

  /// `"..."` with JSON escapes; an invalid escape keeps the raw text.
  std::string json_string() {
    const std::size_t start = i_;
    ++i_;
    while (!eof() && s_[i_] != '"') i_ += (s_[i_] == '\\') ? 2 : 1;
    if (i_ > s_.size()) i_ = s_.size();
    const std::size_t end = i_;
    if (!eof()) ++i_;
    std::string quoted(s_.substr(start, end - start));
    quoted += '"';
    nlohmann::json v = nlohmann::json::parse(quoted, nullptr, false);
    if (v.is_string()) return v.get<std::string>();
    return std::string(s_.substr(start + 1, end - start - 1));
  }

  std::string single_string() {
    ++i_;
    const std::size_t end = s_.find('\'', i_);
    const std::size_t stop = end == std::string_view::npos ? s_.size() : end;
    std::string out(s_.substr(i_, stop - i_));
    i_ = end == std::string_view::npos ? s_.size() : end + 1;
    return out;
  }

  std::string key() {
    skip_ws();
    if (at(quote_token)) return gemma_string();
    if (at('"')) return json_string();
    if (at('\'')) return single_string();
    const std::size_t start = i_;
    while (!eof() && s_[i_] != ':' && s_[i_] != '=' && s_[i_] != ',' && s_[i_] != '}' &&
           s_[i_] != ']')
      ++i_;
    return std::string(trim(s_.substr(start, i_ - start)));
  }

  /// After a ',' inside an object: does a `key:` follow? Lets an unquoted value contain commas
  /// ("…source code, designed to…") without splitting it.
  [[nodiscard]] bool key_follows(std::size_t j) const {
    while (j < s_.size() && is_space(s_[j])) ++j;
    if (j >= s_.size()) return true;
    if (s_.substr(j).starts_with(quote_token) || s_[j] == '"' || s_[j] == '\'') return true;
    if (s_[j] == '}') return true;
    const std::size_t start = j;
    while (j < s_.size() && j - start <= 64 && is_key_char(s_[j])) ++j;
    return j > start && j < s_.size() && (s_[j] == ':' || s_[j] == '=');
  }

  nlohmann::json object(const nlohmann::json* schema, int depth) {
    ++i_;  // '{'
    nlohmann::json out = nlohmann::json::object();
    while (true) {
      skip_ws();
      if (eof()) break;
      if (at('}') || at(']')) {
        ++i_;
        break;
      }
      if (at(',')) {
        ++i_;
        continue;
      }
      const std::size_t before = i_;
      std::string k = key();
      skip_ws();
      if (at(':') || at('=')) {
        ++i_;
        out[k] = value(property_schema(schema, k), '}', depth);
      } else if (!k.empty()) {
        out[k] = nullptr;  // a key with no value at all
      }
      if (i_ == before) ++i_;  // always make progress on junk
    }
    return out;
  }

  nlohmann::json array(const nlohmann::json* schema, int depth) {
    ++i_;  // '['
    nlohmann::json out = nlohmann::json::array();
    while (true) {
      skip_ws();
      if (eof()) break;
      if (at(']') || at('}')) {
        ++i_;
        break;
      }
      if (at(',')) {
        ++i_;
        continue;
      }
      const std::size_t before = i_;
      out.push_back(value(items_schema(schema), ']', depth));
      if (i_ == before) ++i_;
    }
    return out;
  }

  nlohmann::json typed_string(std::string text, const nlohmann::json* schema) {
    const TypeSet types = schema_types(schema);
    if (!types.known() || types.string) return text;
    return convert_by_types(text, types);
  }

  nlohmann::json value(const nlohmann::json* schema, char closer, int depth) {
    const std::size_t start = i_;
    skip_ws();
    if (at(quote_token)) return typed_string(gemma_string(), schema);
    if (at('"')) return typed_string(json_string(), schema);
    if (at('\'')) return typed_string(single_string(), schema);
    if (depth < max_depth && at('{')) return object(schema, depth + 1);
    if (depth < max_depth && at('[')) return array(schema, depth + 1);
    return bare(start, schema, closer);
  }

  /// An unquoted value: runs to the container's closer, or to a ',' that starts the next
  /// element. Typed when it is a literal; otherwise text.
  nlohmann::json bare(std::size_t start, const nlohmann::json* schema, char closer) {
    while (!eof()) {
      const char c = s_[i_];
      if (c == closer || c == '}' || c == ']') break;
      if (c == ',' && (closer == ']' || key_follows(i_ + 1))) break;
      ++i_;
    }
    std::string_view raw = s_.substr(start, i_ - start);
    const std::string_view literal_text = trim(raw);
    const TypeSet types = schema_types(schema);
    nlohmann::json literal = parse_literal(literal_text);
    if (!literal.is_discarded()) {
      const bool fits = !types.known() || (literal.is_boolean() && types.boolean) ||
                        (literal.is_null()) ||
                        (literal.is_number_integer() && (types.integer || types.number)) ||
                        (literal.is_number_float() && types.number);
      if (fits) return literal;
      if (types.string) return std::string(literal_text);
      return literal;
    }
    // Horizontal padding after ':' is formatting; leading blank lines of a multi-line text are
    // kept (the model wrote them as part of the value), trailing whitespace is not.
    while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
    while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
    return std::string(raw);
  }
};

}  // namespace

nlohmann::json parse_gemma4_args(std::string_view body, const nlohmann::json* schema) {
  return ArgParser(body).parse(schema);
}

}  // namespace llmwire::profiles_detail
