#include "connection_args.hpp"

#include <cstdio>
#include <cstdlib>

#include "api_key.hpp"

namespace llmwire::cli {
namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

}  // namespace

Result<ConnectionChoice> connection_options(const ParsedArgs& args, std::string_view command,
                                            bool endpoint_required) {
  ConnectionChoice choice;
  auto& options = choice.options;
  const std::string api = args.get_or("api", "openai");
  if (api != "openai" && api != "ollama")
    return fail(ErrorKind::invalid_argument, "--api must be openai or ollama");
  options.api = api == "ollama" ? Dialect::ollama : Dialect::openai;

  std::optional<std::string> endpoint = args.get("endpoint");
  choice.endpoint_source = endpoint ? "--endpoint" : "";
  if (!endpoint) {
    if ((endpoint = env("LLMWIRE_ENDPOINT"))) {
      choice.endpoint_source = "$LLMWIRE_ENDPOINT";
    } else if (options.api == Dialect::openai && (endpoint = env("OPENAI_BASE_URL"))) {
      choice.endpoint_source = "$OPENAI_BASE_URL";
    } else if (options.api == Dialect::ollama && (endpoint = env("OLLAMA_HOST"))) {
      choice.endpoint_source = "$OLLAMA_HOST";
      // Ollama's own clients accept a bare host:port there.
      if (endpoint->find("://") == std::string::npos) endpoint = "http://" + *endpoint;
    }
  }
  if (endpoint) {
    options.endpoints = split_commas(*endpoint);
    if (options.endpoints.empty())
      return fail(ErrorKind::invalid_argument, choice.endpoint_source + " names no endpoint");
  } else if (endpoint_required) {
    return fail(ErrorKind::invalid_argument,
                "--endpoint is required (or $LLMWIRE_ENDPOINT, $OPENAI_BASE_URL, $OLLAMA_HOST)");
  }

  constexpr long long longest_ms = 30LL * 24 * 3600 * 1000;  // time limits: 1 ms to 30 days
  for (auto [name, target] : {std::pair{"timeout-ms", &options.total_timeout},
                              std::pair{"first-byte-timeout-ms", &options.first_byte_timeout},
                              std::pair{"idle-timeout-ms", &options.idle_timeout}}) {
    auto value = args.get_int_in(name, 1, longest_ms);
    if (!value) return tl::unexpected(value.error());
    if (*value) *target = std::chrono::milliseconds(**value);
  }

  auto key = api_key_from(args);
  if (!key) return tl::unexpected(key.error());
  options.api_key = std::move(*key);
  options.ca_file = args.get_or("ca-file", "");
  if (args.has("insecure")) {
    options.tls_verify = false;
    std::fprintf(stderr,
                 "llmwire %.*s: WARNING: --insecure: TLS certificates are not verified; anyone "
                 "on the path can read and alter this exchange, API key included\n",
                 static_cast<int>(command.size()), command.data());
  }
  return choice;
}

}  // namespace llmwire::cli
