#pragma once
// Shared by the profiles tests: run an output parser over text in fixed-size chunks and
// collect what it reports.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "llmwire/profile.hpp"

namespace llmwire::test {

struct Parsed {
  std::string content;
  std::string reasoning;
  nlohmann::json calls = nlohmann::json::array();  ///< [{"name","arguments"}]
  std::vector<IncompleteToolCall> incomplete;
  std::vector<int> begin_indexes;     ///< ToolCallBegin indexes, in order
  std::vector<int> complete_indexes;  ///< ToolCallComplete indexes, in order
  int events = 0;
  bool all_recovered = true;  ///< every call carried ToolCallOrigin::recovered

  /// The CLI's view: trimmed content/reasoning (null when empty) and the calls.
  [[nodiscard]] nlohmann::json summary() const;
};

/// Feeds `input` in `chunk`-byte pieces (0 = all at once), then finishes.
Parsed run_parser(std::string_view parser, std::string_view input,
                  const ParserOptions& options = {}, std::size_t chunk = 0);

/// JSON equality with numbers compared numerically (42 == 42.0), as the vector checker does.
bool json_equal(const nlohmann::json& a, const nlohmann::json& b);

/// Compares a summary with an expectation {"content","reasoning","tool_calls"} the way
/// tests/fixtures/check_parse.py does (trimmed text, null == "").
bool matches(const nlohmann::json& summary, const nlohmann::json& expect);

/// `s` without leading and trailing whitespace.
std::string trim_copy(std::string_view s);

}  // namespace llmwire::test
