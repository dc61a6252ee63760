// libFuzzer target: the gemma4 output parser on random text and random splits (see
// fuzz_parser_common.hpp for what is checked).

#include "fuzz_parser_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return llmwire_fuzz::fuzz_one("gemma4", data, size);
}
