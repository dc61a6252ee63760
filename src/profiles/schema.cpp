#include "profiles/schema.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "llmwire/json.hpp"
#include "llmwire/json_parse.hpp"
#include "profiles/scan.hpp"

namespace llmwire::profiles_detail {

namespace {

void add_type(TypeSet& set, std::string_view type) {
  if (type == "string")
    set.string = true;
  else if (type == "integer")
    set.integer = true;
  else if (type == "number")
    set.number = true;
  else if (type == "boolean")
    set.boolean = true;
  else if (type == "object")
    set.object = true;
  else if (type == "array")
    set.array = true;
  else if (type == "null")
    set.null = true;
}

void collect(const nlohmann::json& schema, TypeSet& set, int depth) {
  if (!schema.is_object() || depth > 8) return;
  if (auto it = schema.find("type"); it != schema.end()) {
    if (it->is_string()) add_type(set, it->get_ref<const std::string&>());
    if (it->is_array()) {
      for (const auto& t : *it) {
        if (t.is_string()) add_type(set, t.get_ref<const std::string&>());
      }
    }
  }
  for (const char* key : {"anyOf", "oneOf", "allOf"}) {
    if (auto it = schema.find(key); it != schema.end() && it->is_array()) {
      for (const auto& member : *it) collect(member, set, depth + 1);
    }
  }
  // An enum without a type still says what its values are.
  if (auto it = schema.find("enum"); it != schema.end() && it->is_array() && !set.known()) {
    for (const auto& v : *it) {
      if (v.is_string())
        set.string = true;
      else if (v.is_number_integer())
        set.integer = true;
      else if (v.is_number())
        set.number = true;
      else if (v.is_boolean())
        set.boolean = true;
    }
  }
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// JSON number grammar, leniently allowing a trailing '.' ("108.") and a leading '+'.
bool looks_numeric(std::string_view s, bool& integral) {
  std::size_t i = 0;
  integral = true;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const std::size_t int_start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  const std::size_t int_digits = i - int_start;
  if (int_digits == 0) return false;
  // Leading zeros ("007", a zip code) are not JSON numbers: keep them as text.
  if (int_digits > 1 && s[int_start] == '0') return false;
  if (i < s.size() && s[i] == '.') {
    integral = false;
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    integral = false;
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const std::size_t exp_start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == exp_start) return false;
  }
  return i == s.size();
}

nlohmann::json parse_number(std::string_view s) {
  bool integral = false;
  if (!looks_numeric(s, integral)) return nlohmann::json(nlohmann::json::value_t::discarded);
  if (s.front() == '+') s.remove_prefix(1);
  if (integral) {
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size()) return v;
    std::uint64_t u = 0;
    auto [uptr, uec] = std::from_chars(s.data(), s.data() + s.size(), u);
    if (uec == std::errc() && uptr == s.data() + s.size()) return u;
  }
  double d = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc()) return nlohmann::json(nlohmann::json::value_t::discarded);
  (void)ptr;
  return d;
}

/// Strict JSON, or a Python literal (`{'a': True}`, as vLLM's ast.literal_eval fallback takes):
/// only repairs that change spelling, never ones that invent structure, so "{not valid json"
/// stays text for a string|object parameter.
nlohmann::json parse_structured(std::string_view text) {
  if (auto v = json::parse(text)) return std::move(*v);
  auto repaired = json::repair(text);
  if (!repaired) return nlohmann::json(nlohmann::json::value_t::discarded);
  for (json::RepairKind kind : repaired->kinds) {
    if (kind != json::RepairKind::quotes && kind != json::RepairKind::python_literal &&
        kind != json::RepairKind::trailing_comma) {
      return nlohmann::json(nlohmann::json::value_t::discarded);
    }
  }
  return std::move(repaired->value);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

const nlohmann::json* tool_parameters(const std::vector<ToolSpec>& tools, std::string_view name) {
  for (const auto& tool : tools) {
    if (tool.name == name) return &tool.parameters;
  }
  return nullptr;
}

const nlohmann::json* property_schema(const nlohmann::json* schema, std::string_view key) {
  if (schema == nullptr || !schema->is_object()) return nullptr;
  auto props = schema->find("properties");
  if (props == schema->end() || !props->is_object()) return nullptr;
  auto it = props->find(std::string(key));
  return it == props->end() ? nullptr : &*it;
}

const nlohmann::json* items_schema(const nlohmann::json* schema) {
  if (schema == nullptr || !schema->is_object()) return nullptr;
  auto it = schema->find("items");
  return it == schema->end() || !it->is_object() ? nullptr : &*it;
}

TypeSet schema_types(const nlohmann::json* schema) {
  TypeSet set;
  if (schema != nullptr) collect(*schema, set, 0);
  return set;
}

nlohmann::json parse_literal(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (text == "null") return nullptr;
  if (text.empty()) return nlohmann::json(nlohmann::json::value_t::discarded);
  return parse_number(text);
}

nlohmann::json convert_by_types(std::string_view text, const TypeSet& types) {
  const std::string_view t = trim(text);
  if (types.integer || types.number) {
    nlohmann::json n = parse_number(t);
    if (!n.is_discarded()) {
      if (types.number || n.is_number_integer()) return n;
      // "5.0" for an integer parameter is still 5. Only inside int64's range: converting
      // 4.4e55 (a 56-digit "integer" a model wrote) is undefined behaviour (found by
      // fuzz_parser_qwen3_coder); such a value stays the number it parsed as.
      if (n.is_number_float()) {
        const double d = n.get<double>();
        constexpr double limit = 9223372036854775808.0;  // 2^63
        if (d >= -limit && d < limit && d == std::trunc(d)) return static_cast<std::int64_t>(d);
        return n;
      }
    }
  }
  if (types.boolean) {
    if (iequals(t, "true")) return true;
    if (iequals(t, "false")) return false;
  }
  if (types.object || types.array) {
    nlohmann::json v = parse_structured(t);
    if ((types.object && v.is_object()) || (types.array && v.is_array())) return v;
  }
  if (types.null && !types.string && t == "null") return nullptr;
  return std::string(text);
}

}  // namespace llmwire::profiles_detail
