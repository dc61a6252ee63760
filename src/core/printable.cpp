#include "llmwire/printable.hpp"

#include <cstdio>

namespace llmwire {

bool escape_controls(std::string& text) {
  auto needs = [](const std::string& s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x20 || c == 0x7F) return true;
      if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
          static_cast<unsigned char>(s[i + 1]) <= 0x9F)
        return true;
    }
    return false;
  };
  if (!needs(text)) return false;  // the common case: no copy
  std::string out;
  out.reserve(text.size() + 16);
  char buffer[8];
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\t' || c == '\n' || c == '\r') {
      out += ' ';
    } else if (c < 0x20 || c == 0x7F) {
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned char>(text[i + 1]));
      out += buffer;
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  text.swap(out);
  return true;
}

std::string printable(std::string_view text) {
  std::string out(text);
  escape_controls(out);
  return out;
}

}  // namespace llmwire
