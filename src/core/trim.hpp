#pragma once
// Trimming of ASCII blanks (space, tab, CR, LF), shared by the rooms that read server text.

#include <string_view>

namespace llmwire::detail {

[[nodiscard]] constexpr std::string_view trim_blanks(std::string_view s) noexcept {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace llmwire::detail
