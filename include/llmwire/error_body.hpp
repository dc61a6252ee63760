#pragma once
/// @file error_body.hpp
/// What a server's non-2xx answer says, as an Error: vLLM (new and old shapes), llama-server,
/// SGLang and Ollama (native and /v1) error bodies, read the same way by the Client and by
/// transcript replay.

#include <string_view>

#include "llmwire/error.hpp"

namespace llmwire {

/// Decodes a non-2xx response body into an Error: kind http (rate_limited for 429), the status,
/// the server's message, type and code, and a context overflow's prompt and context sizes.
/// Unknown bodies keep their first bytes as the message.
[[nodiscard]] Error decode_error_body(int http_status, std::string_view body);

}  // namespace llmwire
