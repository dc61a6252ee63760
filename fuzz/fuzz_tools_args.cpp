// tools::Args over any JSON: every typed read gives a value or a validation error; integers
// never truncate or wrap (a value read back equals the JSON number).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "llmwire/json_parse.hpp"
#include "llmwire/tools.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = llmwire::json::parse({reinterpret_cast<const char*>(data), size});
  if (!parsed) return 0;
  const nlohmann::json& value = *parsed;
  llmwire::tools::Args args(value);
  if (!value.is_object()) return 0;
  for (const auto& [name, item] : value.items()) {
    (void)args.get<std::string>(name);
    (void)args.get<bool>(name);
    (void)args.get<double>(name);
    (void)args.get<nlohmann::json>(name);
    if (auto i = args.get<int>(name); i && item.is_number() && item.get<double>() != *i)
      std::abort();
    if (auto u = args.get<unsigned>(name); u && item.is_number() && item.get<double>() != *u)
      std::abort();
    (void)args.get<std::int64_t>(name);
    (void)args.get_or<int>(name, 0);
  }
  return 0;
}
