#include "llmwire/printable.hpp"

#include <doctest/doctest.h>

#include <string>

using llmwire::escape_controls;

TEST_CASE("escape_controls: ESC, BEL, DEL and C1 become visible; text and UTF-8 stay") {
  std::string text =
      "red \x1b[31mX\x07 del\x7f csi\xC2\x9B"
      "2J tab\tnl\n ಕನ್ನಡ \xFF";
  CHECK(escape_controls(text));
  CHECK(text == "red \\x1b[31mX\\x07 del\\x7f csi\\u009b2J tab nl  ಕನ್ನಡ \xFF");
  std::string plain = "nothing to do: ಕನ್ನಡ";
  CHECK_FALSE(escape_controls(plain));
  CHECK(plain == "nothing to do: ಕನ್ನಡ");
  std::string nul("a\0b", 3);
  CHECK(escape_controls(nul));
  CHECK(nul == "a\\x00b");
}
