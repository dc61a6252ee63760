#pragma once
// What every request to a server shares, streaming chat or metadata call: the connection's curl
// options (key, headers, TLS, proxy, connect timeout) and the mapping of curl's failures to
// ErrorKind. Decided here once so a metadata call can never bypass a setting a chat obeys.

#include <curl/curl.h>

#include <string>

#include "llmwire/client.hpp"

namespace llmwire::detail {

/// The request headers every call sends: `accept`, the key as a bearer token, the caller's
/// headers. The caller frees the list (curl_slist_free_all) after wiping it.
[[nodiscard]] curl_slist* request_headers(const ClientOptions& options, const char* accept);

/// Frees a header list after zeroing every line (one of them holds the key).
void free_request_headers(curl_slist* list) noexcept;

/// Sets the connection options on `easy`: URL, headers, TLS verification and CA file, proxy
/// (never for a loopback host), connect timeout, protocols, user agent, no signals, no
/// compression asked for.
void set_connection_options(CURL* easy, const ClientOptions& options, const std::string& url,
                            bool loopback, curl_slist* headers, const std::string& user_agent,
                            char* error_buffer);

/// curl's words for a failure: the error buffer when it has them, else the code's string.
[[nodiscard]] std::string curl_cause(const char* error_buffer, CURLcode code);

/// A failure before any response, as an Error: dns, timeout, tls, connect, protocol, or
/// invalid_argument for a URL refused before connecting. `where` names the server.
[[nodiscard]] Error transport_error(CURLcode code, const std::string& cause,
                                    const std::string& where, bool connected);

}  // namespace llmwire::detail
