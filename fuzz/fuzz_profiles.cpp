// Profile files: any JSON merged over the built-ins is accepted or refused whole, and every
// profile of an accepted set selects, applies to a request and makes its parser without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "llmwire/json_parse.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto document = llmwire::json::parse({reinterpret_cast<const char*>(data), size});
  if (!document) return 0;
  llmwire::ProfileSet set = llmwire::ProfileSet::builtin();
  const std::size_t before = set.profiles().size();
  if (!set.merge(*document)) {
    if (set.profiles().size() != before) std::abort();  // all-or-nothing
    return 0;
  }
  if (set.profiles().size() > llmwire::ProfileSet::max_profiles) std::abort();
  for (const llmwire::Profile& profile : set.profiles()) {
    llmwire::ChatRequest request{.model = profile.name,
                                 .messages = {llmwire::Message::user("hi")},
                                 .thinking = llmwire::Thinking::low};
    for (auto flavor : {llmwire::ApiFlavor::openai_compatible, llmwire::ApiFlavor::ollama_native,
                        llmwire::ApiFlavor::ollama_openai}) {
      auto body = llmwire::encode_request(request, llmwire::Dialect::openai);
      if (body) (void)llmwire::apply_profile(*body, request, flavor, profile);
    }
    if (!profile.output_parser.empty()) {
      (void)llmwire::make_output_parser(profile.output_parser, {});
    }
    (void)set.find(profile.name);
  }
  return 0;
}
