// parse_transcript on arbitrary bytes: an error or a transcript, never a crash; a transcript
// that parses serializes and parses back to the same chunks. Run with a large -max_len
// (scripts/fuzz.sh does) so that deep nesting is within reach.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "llmwire/transcript.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)llmwire::looks_like_transcript(bytes);
  auto parsed = llmwire::parse_transcript(bytes);
  if (!parsed) return 0;
  auto again = llmwire::parse_transcript(llmwire::serialize_transcript(*parsed));
  if (!again || again->body() != parsed->body() || again->chunks.size() != parsed->chunks.size())
    std::abort();
  return 0;
}
