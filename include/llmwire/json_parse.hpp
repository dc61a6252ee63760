#pragma once
/// @file json_parse.hpp
/// Strict JSON with bounded nesting: the one way llmwire parses JSON it did not write itself
/// (server bytes, transcripts, profiles, suites, tool files, bench results).
///
/// nlohmann's parser is iterative, but copying, comparing and printing a value recurse once per
/// level: a server sending `[[[[…` 100k deep (800 KB, well under the event size limit) would
/// overflow the stack of the thread that copies it. Every value this returns is at most
/// `max_depth` levels deep, so whatever is done with it afterwards has bounded recursion.
///
///     auto value = llmwire::json::parse(body);
///     if (!value) std::cerr << value.error().message;  // ErrorKind::parse, with the position

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "llmwire/error.hpp"

namespace llmwire::json {

/// The deepest nesting of arrays and objects accepted anywhere llmwire reads JSON. Real
/// payloads (tool arguments, error bodies, profiles) stay under 20; 512 leaves room for any
/// honest document while keeping recursion over a value a few tens of KiB of stack.
inline constexpr std::size_t max_depth = 512;

struct ParseOptions {
  /// Deeper input gives ErrorKind::parse ("JSON nesting deeper than N levels"). Values above
  /// json::max_depth count as json::max_depth: what a value's copy or dump recurses over stays
  /// bounded whatever the caller asks.
  std::size_t max_depth = json::max_depth;
  /// When the text is JSON except for values nlohmann cannot represent — a lone UTF-16
  /// surrogate escape (`"\ud800"`) or a number beyond a double's range (`1e400`) — parse it
  /// anyway with the surrogate as U+FFFD and the number as null, instead of failing. Used for
  /// server chunks, where failing would lose the text around the odd value.
  bool replace_unrepresentable = false;
};

/// Parses `text` as one strict JSON value (surrounding whitespace allowed). Never throws.
/// ErrorKind::parse says why and where: a syntax error with its byte offset, or nesting deeper
/// than `options.max_depth`.
[[nodiscard]] Result<nlohmann::json> parse(std::string_view text, const ParseOptions& options = {});

/// The nesting depth of `value` (0 for a scalar, 1 for `[]`), computed without recursion, so
/// it is safe on values built by hand at any depth.
[[nodiscard]] std::size_t depth(const nlohmann::json& value);

}  // namespace llmwire::json
