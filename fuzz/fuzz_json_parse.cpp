// json::parse (the depth-bounded parser every outside JSON goes through) against nlohmann's own
// parser: both accept or both reject, and accepted values are equal, except that input nested
// deeper than json::max_depth is always refused. The lenient mode never crashes and, when the
// strict parse succeeds, agrees with it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "llmwire/json_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ours = llmwire::json::parse(text);
  nlohmann::json theirs = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (ours) {
    if (theirs.is_discarded() || *ours != theirs) std::abort();
    if (llmwire::json::depth(*ours) > llmwire::json::max_depth) std::abort();
  } else if (!theirs.is_discarded() && llmwire::json::depth(theirs) <= llmwire::json::max_depth) {
    std::abort();  // refused something nlohmann takes, and not for depth
  }
  auto lenient = llmwire::json::parse(text, {.replace_unrepresentable = true});
  if (ours && (!lenient || *lenient != *ours)) std::abort();
  if (lenient && llmwire::json::depth(*lenient) > llmwire::json::max_depth) std::abort();
  return 0;
}
