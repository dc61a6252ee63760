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

/// The server's root for metadata paths ("/v1/models", "/metrics", "/api/ps"): `base` without
/// a trailing request path ("/v1/chat/completions", "/chat/completions", "/api/chat"), "/v1" or
/// "/api", and without trailing slashes. A prefix before them (a proxy's "/llm") is kept.
/// `base` must already be valid for request_url().
[[nodiscard]] std::string server_root(std::string_view base);

/// True when the URL's host is localhost, 127.0.0.0/8 or [::1].
[[nodiscard]] bool is_loopback(std::string_view url);

}  // namespace llmwire::detail
