#pragma once
/// @file error.hpp
/// Errors are values: every fallible call returns `llmwire::Result<T>`.
///
///     auto result = client.chat(request);
///     if (!result) std::cerr << llmwire::to_string(result.error().kind) << ": "
///                            << result.error().message << '\n';

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace llmwire {

/// What went wrong, coarse enough to branch on.
enum class ErrorKind {
  invalid_argument,  ///< The caller passed something unusable (bad option, bad request).
  io,                ///< A file could not be read or written.
  parse,             ///< Input that should be JSON/SSE/NDJSON could not be parsed.
  protocol,          ///< The server broke the wire protocol (e.g. an SSE event over the size cap).
  connect,           ///< Connection refused or reset before a response arrived.
  dns,               ///< The endpoint's host name did not resolve.
  tls,               ///< TLS handshake or certificate verification failed.
  timeout,           ///< A connect, first-byte, idle or total timeout expired.
  cancelled,         ///< The caller cancelled (callback returned false).
  http,              ///< The server answered with a non-2xx status (see http_status).
  rate_limited,      ///< HTTP 429; retry_after says when to come back if the server said.
  server,            ///< The server reported an error inside the stream or body.
  stream_broken,     ///< The stream ended early; partial output is kept alongside.
  unsupported,       ///< The model/profile/format cannot do what was asked (e.g. audio).
  validation,        ///< A value did not match its schema (extraction, tool arguments).
  gpu_unavailable,   ///< No NVIDIA driver/NVML, or NVML failed.
  internal,          ///< A bug in llmwire; please report it.
};

/// A stable lowercase name for `kind`, e.g. "rate_limited".
[[nodiscard]] std::string_view to_string(ErrorKind kind) noexcept;

/// One error, with whatever the server told us about it.
struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;        ///< Human-readable; never contains the API key.
  int http_status = 0;        ///< 0 when no HTTP status applies.
  std::string provider_type;  ///< e.g. "BadRequestError" from the server's error body.
  std::string provider_code;  ///< e.g. "400" or "rate_limit_exceeded", as the server sent it.
  std::optional<std::chrono::milliseconds> retry_after;  ///< From Retry-After / retry-after-ms.
  /// A prompt refused for exceeding the context: the prompt's tokens and the context size,
  /// as the server stated them (llama-server's n_prompt_tokens/n_ctx, vLLM's message).
  std::optional<std::int64_t> prompt_tokens;
  std::optional<std::int64_t> context_tokens;
};

/// Builds an Error with just a kind and a message.
[[nodiscard]] inline Error make_error(ErrorKind kind, std::string message) {
  return Error{.kind = kind, .message = std::move(message)};
}

template <class T>
using Result = tl::expected<T, Error>;

/// Shorthand for returning an error from a function that returns Result<T>.
[[nodiscard]] inline tl::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return tl::unexpected<Error>(make_error(kind, std::move(message)));
}

}  // namespace llmwire
