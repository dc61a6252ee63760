#include "wire/utf8.hpp"

namespace llmwire::wire {
namespace {

// How many bytes of a well-formed sequence start at s (>= 1 when s[0] is a valid lead byte),
// or how many bytes form the maximal ill-formed subpart (returned negated) otherwise.
// Table 3-7 of the Unicode standard gives the allowed second-byte ranges.
int scan_one(const unsigned char* s, std::size_t n) noexcept {
  unsigned char b0 = s[0];
  if (b0 < 0x80) return 1;
  int len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;
  }
  for (int i = 1; i < len; ++i) {
    if (static_cast<std::size_t>(i) >= n) return -i;
    unsigned char b = s[i];
    if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return -i;
  }
  return len;
}

}  // namespace

std::size_t valid_sequence_length(std::string_view s) noexcept {
  if (s.empty()) return 0;
  int r = scan_one(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  return r > 0 ? static_cast<std::size_t>(r) : 0;
}

bool is_valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII runs dominate model output: skip 8 bytes at a time while none has the top bit.
    while (i + 8 <= n) {
      std::uint64_t word;
      __builtin_memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ull) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    int r = scan_one(p + i, n - i);
    if (r < 0) return false;
    i += static_cast<std::size_t>(r);
  }
  return true;
}

void append_sanitized_utf8(std::string& out, std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size();
  std::size_t i = 0;
  std::size_t run = 0;  // start of the pending valid run, appended in one go
  while (i < n) {
    int r = scan_one(p + i, n - i);
    if (r > 0) {
      i += static_cast<std::size_t>(r);
      continue;
    }
    out.append(s.data() + run, i - run);
    out.append("\xEF\xBF\xBD");
    i += static_cast<std::size_t>(-r);
    run = i;
  }
  out.append(s.data() + run, n - run);
}

void append_code_point(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace llmwire::wire
