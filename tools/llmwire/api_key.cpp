#include "api_key.hpp"

#include <string.h>  // explicit_bzero

#include <cstdlib>

#include "cli_io.hpp"

namespace llmwire::cli {

Result<SecretString> api_key_from(const ParsedArgs& args) {
  if (auto path = args.get("api-key-file")) {
    auto text = read_input(*path, "--api-key-file", 64 * 1024);
    if (!text) return tl::unexpected(text.error());
    std::string key = text->substr(0, text->find_first_of("\r\n"));
    explicit_bzero(text->data(), text->size());
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    if (key.empty()) return fail(ErrorKind::io, "--api-key-file " + *path + " holds no key");
    return SecretString(std::move(key));
  }
  if (auto key = args.get("api-key")) return SecretString(std::move(*key));
  for (const char* name : {"LLMWIRE_API_KEY", "OPENAI_API_KEY"}) {
    if (const char* env = std::getenv(name); env != nullptr && *env != '\0')
      return SecretString(env);
  }
  return SecretString();
}

}  // namespace llmwire::cli
