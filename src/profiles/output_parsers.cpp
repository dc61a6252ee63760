// make_output_parser: the parser registry, by name.

#include <string>

#include "llmwire/profile.hpp"
#include "profiles/parsers.hpp"

namespace llmwire {

const std::vector<std::string>& output_parser_names() {
  static const std::vector<std::string> names{"gemma4", "qwen3-coder", "hermes"};
  return names;
}

Result<std::unique_ptr<OutputParser>> make_output_parser(std::string_view name,
                                                         ParserOptions options) {
  if (name == "gemma4") return profiles_detail::make_gemma4_parser(std::move(options));
  if (name == "qwen3-coder") return profiles_detail::make_qwen3_coder_parser(std::move(options));
  if (name == "hermes") return profiles_detail::make_hermes_parser(std::move(options));
  return fail(ErrorKind::invalid_argument, "unknown output parser '" + std::string(name) +
                                               "' (known: gemma4, qwen3-coder, hermes)");
}

}  // namespace llmwire
