// Connection options and failure mapping shared by every request (see curl_setup.hpp).

#include "client/curl_setup.hpp"

#include <cstring>

namespace llmwire::detail {

curl_slist* request_headers(const ClientOptions& options, const char* accept) {
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, accept);
  // Large bodies (images) would otherwise wait a second for "100 Continue".
  headers = curl_slist_append(headers, "Expect:");
  if (!options.api_key.empty()) {
    std::string auth = "Authorization: Bearer ";
    auth += options.api_key.reveal();
    headers = curl_slist_append(headers, auth.c_str());
    explicit_bzero(auth.data(), auth.size());
  }
  for (const auto& [name, value] : options.headers) {
    const std::string line = name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  return headers;
}

void free_request_headers(curl_slist* list) noexcept {
  // The Authorization header holds the key: wipe the copies curl made before freeing them.
  for (curl_slist* item = list; item != nullptr; item = item->next) {
    if (item->data != nullptr) explicit_bzero(item->data, std::strlen(item->data));
  }
  curl_slist_free_all(list);
}

void set_connection_options(CURL* easy, const ClientOptions& options, const std::string& url,
                            bool loopback, curl_slist* headers, const std::string& user_agent,
                            char* error_buffer) {
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  // Ask for no compression (a compressing proxy may buffer a stream), yet decode gzip/deflate
  // when a server compresses anyway: curl decodes only when an encoding was set.
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "identity");
  curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options.tls_verify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options.tls_verify ? 2L : 0L);
  if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  // A proxy cannot reach this machine's loopback: never route loopback endpoints through one.
  if (loopback) {
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
  } else if (options.proxy) {
    curl_easy_setopt(easy, CURLOPT_PROXY, options.proxy->c_str());
  }
}

std::string curl_cause(const char* error_buffer, CURLcode code) {
  std::string cause = error_buffer != nullptr && error_buffer[0] != '\0'
                          ? std::string(error_buffer)
                          : std::string(curl_easy_strerror(code));
  while (!cause.empty() && (cause.back() == '\n' || cause.back() == ' ')) cause.pop_back();
  return cause;
}

Error transport_error(CURLcode code, const std::string& cause, const std::string& where,
                      bool connected) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return make_error(ErrorKind::dns, "cannot resolve the host of " + where + ": " + cause);
    case CURLE_OPERATION_TIMEDOUT:
      // A resolver that never answers (no network, dropped DNS packets) is a DNS failure.
      if (cause.starts_with("Resolving timed out")) {
        return make_error(ErrorKind::dns, "cannot resolve the host of " + where + ": " + cause);
      }
      return make_error(ErrorKind::timeout, "connecting to " + where + " timed out: " + cause);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return make_error(ErrorKind::tls, "TLS with " + where + " failed: " + cause);
    case CURLE_COULDNT_CONNECT:
      return make_error(ErrorKind::connect, "cannot connect to " + where + ": " + cause);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      // Also what curl says of an HTTP/0.9 reply: only a URL refused before any connection is
      // the caller's mistake.
      if (!connected) {
        return make_error(ErrorKind::invalid_argument, "bad endpoint URL " + where + ": " + cause);
      }
      return make_error(ErrorKind::protocol, where + " did not answer with valid HTTP: " + cause);
    case CURLE_WEIRD_SERVER_REPLY:
      return make_error(ErrorKind::protocol, where + " did not answer with valid HTTP: " + cause);
    default:
      // Reset, closed before the status line, a 2xx cut off before its first body byte…
      return make_error(ErrorKind::connect,
                        "connection to " + where + " failed before a response: " + cause);
  }
}

}  // namespace llmwire::detail
