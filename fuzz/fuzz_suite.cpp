// Suite files for `llmwire bench`: any JSON gives a suite within the documented limits or an
// error naming the key, never a crash, a truncating cast (UBSan) or a huge allocation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bench/suite.hpp"
#include "llmwire/json_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto document = llmwire::json::parse({reinterpret_cast<const char*>(data), size});
  if (!document) return 0;
  auto suite = llmwire::bench::parse_suite(*document);
  if (!suite) {
    if (suite.error().message.empty()) std::abort();
    return 0;
  }
  if (suite->concurrency.parallel < 1 || suite->concurrency.parallel > 1024 ||
      suite->long_context.input_tokens < 1 || suite->long_context.input_tokens > 2'000'000)
    std::abort();
  return 0;
}
