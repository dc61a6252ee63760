// The real llama-server 0.5.0 exchanges (tests/transcripts/captured/llama-server-0.5.0/, see its
// README), read whole by the tests that use them.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace llmwire_test {

inline const std::string captured_dir =
    std::string(LLMWIRE_TEST_TRANSCRIPTS_DIR) + "/captured/llama-server-0.5.0/";

/// The bytes of one captured file (the test fails if it is missing).
inline std::string read_captured(const std::string& name) {
  std::ifstream in(captured_dir + name, std::ios::binary);
  REQUIRE_MESSAGE(in, "missing capture " << name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace llmwire_test
