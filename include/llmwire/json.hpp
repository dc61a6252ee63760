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

namespace llmwire::json {

/// A repaired value plus a human-readable list of what was repaired (empty when the input
/// was already strict JSON). Each kind of repair is listed once, in a stable order.
struct Repaired {
  nlohmann::json value;
  std::vector<std::string> repairs;
};

struct RepairOptions {
  /// Deepest nesting of arrays/objects accepted; deeper input gives ErrorKind::parse. Keeps
  /// recursion (ours and nlohmann's dump) bounded on hostile input.
  std::size_t max_depth = 512;
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
