#include "wire/utf8.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

std::string sanitize(std::string_view s) {
  std::string out;
  llmwire::wire::append_sanitized_utf8(out, s);
  return out;
}

const std::string fffd = "\xEF\xBF\xBD";

}  // namespace

TEST_CASE("utf8: valid text passes through unchanged") {
  std::string text =
      "plain ASCII, \xE0\xB2\x95\xE0\xB2\xA8\xE0\xB3\x8D\xE0\xB2\xA8\xE0\xB2\xA1 \xF0\x9F\x9A\x80";
  CHECK(llmwire::wire::is_valid_utf8(text));
  CHECK(sanitize(text) == text);
}

TEST_CASE("utf8: each maximal ill-formed subpart becomes one U+FFFD") {
  CHECK_FALSE(llmwire::wire::is_valid_utf8("\xC3\x28"));
  CHECK(sanitize("a\xC3\x28z") == "a" + fffd + "(z");                // lead byte, bad continuation
  CHECK(sanitize("\xC0\xAF") == fffd + fffd);                        // overlong lead is never valid
  CHECK(sanitize("x\xE2\x82") == "x" + fffd);                        // truncated 3-byte sequence
  CHECK(sanitize("\xED\xA0\x80") == fffd + fffd + fffd);             // UTF-16 surrogate
  CHECK(sanitize("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // above U+10FFFF
  CHECK(sanitize("\xF0\x9F\x9A") == fffd);                           // truncated emoji
  CHECK(sanitize("\xFF") == fffd);
  CHECK(sanitize("\x80\x80") == fffd + fffd);  // stray continuation bytes
}

TEST_CASE("utf8: code points encode as UTF-8; surrogates become U+FFFD") {
  std::string out;
  llmwire::wire::append_code_point(out, U'\u00e9');
  llmwire::wire::append_code_point(out, U'\U0001F680');
  llmwire::wire::append_code_point(out, 0xD800);
  CHECK(out == "\xC3\xA9\xF0\x9F\x9A\x80" + fffd);
}
