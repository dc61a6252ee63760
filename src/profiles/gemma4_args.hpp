#pragma once
// Gemma 4 tool-call argument bodies (`{k:V,...}`) to JSON (internal).

#include <nlohmann/json.hpp>
#include <string_view>

namespace llmwire::profiles_detail {

/// Parses one call's argument body, starting at its '{' (FORMATS.md §4), into a JSON object.
/// Lenient: missing closers, `key=value`, JSON or single quotes and unquoted words are accepted.
/// `schema` (the tool's `parameters`, may be null) types bare values and strings.
[[nodiscard]] nlohmann::json parse_gemma4_args(std::string_view body, const nlohmann::json* schema);

}  // namespace llmwire::profiles_detail
