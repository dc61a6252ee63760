#pragma once
// Endpoint URL handling for the client: base URL → request URL, loopback detection.

#include <string>
#include <string_view>

#include "llmwire/error.hpp"
#include "llmwire/stream.hpp"

namespace llmwire::detail {

/// "http://host:8000" or "http://host:8000/v1" → ".../v1/chat/completions" (openai) or
/// ".../api/chat" (ollama). A URL already ending in the request path is used as given.
[[nodiscard]] Result<std::string> request_url(std::string_view base, Dialect dialect);

/// True when the URL's host is localhost, 127.0.0.0/8 or [::1].
[[nodiscard]] bool is_loopback(std::string_view url);

}  // namespace llmwire::detail
