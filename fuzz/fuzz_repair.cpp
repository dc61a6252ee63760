// Fuzzes json::repair: never crashes, hangs or throws; whatever it returns is strict JSON that
// repairs to itself (a repaired value is a fixed point).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "llmwire/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = llmwire::json::repair(text);
  if (!first) return 0;
  std::string dumped = first->value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto again = llmwire::json::repair(dumped);
  if (!again || !again->repairs.empty()) std::abort();  // our output must be strict JSON
  // Compare dumps, not values: an out-of-range number is inf in memory and null once dumped.
  if (again->value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) != dumped)
    std::abort();
  return 0;
}
