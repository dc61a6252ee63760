#pragma once
// Typing recovered tool-call values by the request's JSON Schemas (internal).

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "llmwire/chat.hpp"

namespace llmwire::profiles_detail {

/// The JSON types a schema allows ("null" aside), gathered from `type` (string or array) and
/// `anyOf`/`oneOf` members, as Pydantic v2 writes optional fields.
struct TypeSet {
  bool string = false, integer = false, number = false, boolean = false, object = false,
       array = false, null = false;
  [[nodiscard]] bool known() const {
    return string || integer || number || boolean || object || array;
  }
};

/// The `parameters` schema of tool `name`, or nullptr.
[[nodiscard]] const nlohmann::json* tool_parameters(const std::vector<ToolSpec>& tools,
                                                    std::string_view name);
/// `properties[key]` of an object schema, or nullptr.
[[nodiscard]] const nlohmann::json* property_schema(const nlohmann::json* schema,
                                                    std::string_view key);
/// `items` of an array schema, or nullptr.
[[nodiscard]] const nlohmann::json* items_schema(const nlohmann::json* schema);
[[nodiscard]] TypeSet schema_types(const nlohmann::json* schema);

/// Converts raw text by the allowed types, trying the non-string types first (a string|integer
/// union types "42" as 42) and falling back to the text itself.
[[nodiscard]] nlohmann::json convert_by_types(std::string_view text, const TypeSet& types);

/// A bare literal: true/false/null or a number (JSON grammar, plus a trailing '.' as in "108.").
/// Returns a discarded value when `text` is none of these.
[[nodiscard]] nlohmann::json parse_literal(std::string_view text);

}  // namespace llmwire::profiles_detail
