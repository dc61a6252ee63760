#pragma once
/// @file json.hpp
/// Lenient JSON: turns what models actually print (code fences, prose around the value, single
/// quotes, trailing commas, comments, Python literals, raw newlines in strings, truncation…)
/// into a strict nlohmann::json value, and says what it had to repair.
///
///     auto repaired = llmwire::json::repair("Sure!\n```json\n{'city': 'Paris',}\n```");
///     if (repaired) use(repaired->value);           // {"city":"Paris"}
///     else std::cerr << repaired.error().message;   // ErrorKind::parse: nothing usable

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "llmwire/error.hpp"
#include "llmwire/json_parse.hpp"

namespace llmwire::json {

/// One kind of repair, for callers that decide what to accept: match on these, never on the
/// wording of the messages in Repaired::repairs.
enum class RepairKind {
  invalid_utf8,         ///< replaced invalid UTF-8 with U+FFFD
  think_block,          ///< skipped a think block before the JSON
  prose,                ///< skipped prose around the JSON
  code_fence,           ///< removed markdown code fences
  comment,              ///< removed comments
  special_whitespace,   ///< replaced special whitespace
  quotes,               ///< single or typographic quotes became double quotes
  escaped_quotes,       ///< removed backslashes before quotes (stringified JSON)
  unquoted_string,      ///< quoted an unquoted string
  missing_end_quote,    ///< added a missing closing quote (truncation)
  inner_quote,          ///< escaped a quote inside a string
  control_char,         ///< escaped control characters inside a string
  bad_escape,           ///< kept the backslash of an invalid escape
  truncated_escape,     ///< dropped a truncated \u escape (truncation)
  key_quote,            ///< cut a key at its colon (closing quote missing)
  missing_colon,        ///< added a missing colon
  missing_value,        ///< added null for a missing value (truncation)
  missing_comma,        ///< added a missing comma
  trailing_comma,       ///< removed a trailing or leading comma
  ellipsis,             ///< removed an ellipsis
  unclosed,             ///< closed unterminated arrays or objects (truncation)
  redundant_closer,     ///< removed redundant closing brackets
  truncated_number,     ///< completed a truncated number (truncation)
  leading_zero,         ///< quoted a number with leading zeros
  python_literal,       ///< converted Python True/False/None
  undefined,            ///< converted undefined to null
  concatenated_string,  ///< joined concatenated strings
  function_call,        ///< unwrapped a function call
  regex,                ///< quoted a regular expression
  tuple,                ///< converted a tuple to an array
  multiple_values,      ///< collected several top-level values into an array
};

/// A repaired value plus a human-readable list of what was repaired (empty when the input
/// was already strict JSON). Each kind of repair is listed once, in a stable order.
struct Repaired {
  nlohmann::json value;
  std::vector<std::string> repairs;
  /// The same repairs as `repairs`, same order, as kinds (`kinds[i]` is what `repairs[i]` says).
  std::vector<RepairKind> kinds;
  /// True when a repair of a kind marked "truncation" above was made: a string, array,
  /// object, number, `\u` escape or key/value pair had to be closed or filled in, as when the
  /// text was cut off (also when a model left one open mid-text). Such a value may be missing
  /// data the writer meant to send: callers refuse it where that matters (tool arguments).
  bool truncated = false;

  /// Whether a repair of `kind` was made.
  [[nodiscard]] bool has(RepairKind kind) const {
    for (RepairKind k : kinds)
      if (k == kind) return true;
    return false;
  }
};

struct RepairOptions {
  /// Deepest nesting of arrays/objects accepted; deeper input gives ErrorKind::parse. Keeps
  /// recursion (ours and nlohmann's dump) bounded on hostile input. Values above
  /// json::max_depth (json_parse.hpp) count as json::max_depth.
  std::size_t max_depth = json::max_depth;
};

/// Parses `text` as JSON, repairing it when it is not strict JSON.
///
/// Strict JSON takes a fast path (one nlohmann parse). Otherwise a single-pass repairing
/// parser runs in linear time. It never throws. Returns ErrorKind::parse when no JSON value
/// can be recovered (empty input, prose only, an invalid `\u` escape, nesting too deep).
///
/// Several values one after another (`{…}\n{…}`, or several fenced blocks) come back as an
/// array of them; prose after the value is ignored.
[[nodiscard]] Result<Repaired> repair(std::string_view text, const RepairOptions& options = {});

}  // namespace llmwire::json
