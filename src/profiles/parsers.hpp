#pragma once
// Constructors of the built-in output parsers (internal; make_output_parser picks by name).

#include <memory>

#include "llmwire/profile.hpp"

namespace llmwire::profiles_detail {

[[nodiscard]] std::unique_ptr<OutputParser> make_gemma4_parser(ParserOptions options);
[[nodiscard]] std::unique_ptr<OutputParser> make_qwen3_coder_parser(ParserOptions options);
[[nodiscard]] std::unique_ptr<OutputParser> make_hermes_parser(ParserOptions options);

}  // namespace llmwire::profiles_detail
