// Metadata requests (see metadata_call.hpp).

#include "client/metadata_call.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "client/curl_setup.hpp"
#include "llmwire/printable.hpp"

namespace llmwire::detail {
namespace {

struct Reception {
  std::string body;
  std::string content_type;
  std::size_t limit = 0;
  bool over_limit = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& r = *static_cast<Reception*>(user);
  const std::size_t n = size * count;
  if (r.body.size() + n > r.limit) {
    r.over_limit = true;
    return 0;  // curl stops with CURLE_WRITE_ERROR
  }
  r.body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& r = *static_cast<Reception*>(user);
  const std::string_view line(data, size * count);
  constexpr std::string_view name = "content-type:";
  if (line.size() > name.size()) {
    bool match = true;
    for (std::size_t i = 0; i < name.size() && match; ++i) {
      char c = line[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      match = c == name[i];
    }
    if (match) {
      std::string_view value = line.substr(name.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
        value.remove_suffix(1);
      r.content_type = std::string(value);
    }
  }
  return size * count;
}

}  // namespace

Result<HttpResponse> metadata_call(const ClientOptions& options, const SecretMask& mask,
                                   const MetadataTarget& target, std::string_view path,
                                   const std::optional<std::string>& json_body,
                                   const FetchOptions& fetch, const std::string& user_agent) {
  if (path.empty() || path.front() != '/') {
    return fail(ErrorKind::invalid_argument,
                "a metadata path must start with '/' (got '" + printable(path) + "')");
  }
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return fail(
          ErrorKind::invalid_argument,
          "a metadata path must not hold spaces or control characters ('" + printable(path) + "')");
    }
  }
  if (fetch.timeout.count() <= 0) {
    return fail(ErrorKind::invalid_argument, "a metadata call needs a positive timeout");
  }
  const std::string url = target.root + std::string(path);
  const std::string shown = without_userinfo(url);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), &curl_easy_cleanup);
  if (!easy) return fail(ErrorKind::internal, "curl_easy_init failed");
  std::unique_ptr<curl_slist, decltype(&free_request_headers)> headers(
      request_headers(options, "Accept: application/json, text/plain;q=0.9, */*;q=0.5"),
      &free_request_headers);
  char error_buffer[CURL_ERROR_SIZE] = {};
  set_connection_options(easy.get(), options, url, target.loopback, headers.get(), user_agent,
                         error_buffer);
  Reception reception;
  reception.limit = fetch.max_body_bytes;
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &reception);
  curl_easy_setopt(easy.get(), CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(easy.get(), CURLOPT_HEADERDATA, &reception);
  const auto connect_ms = std::min(options.connect_timeout, fetch.timeout);
  curl_easy_setopt(easy.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_ms.count()));
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(fetch.timeout.count()));
  if (json_body) {
    curl_easy_setopt(easy.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDS, json_body->data());
    curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(json_body->size()));
  }
  const CURLcode code = curl_easy_perform(easy.get());
  long status = 0;
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
  if (reception.over_limit) {
    Error error = make_error(
        ErrorKind::invalid_argument,
        shown + " sent a body over the " + std::to_string(fetch.max_body_bytes) + "-byte limit");
    mask.redact(error);
    return tl::unexpected(std::move(error));
  }
  if (code != CURLE_OK) {
    Error error;
    if (code == CURLE_OPERATION_TIMEDOUT && status != 0) {
      error = make_error(ErrorKind::timeout, shown + " did not finish its answer within " +
                                                 std::to_string(fetch.timeout.count()) + " ms");
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      error = make_error(ErrorKind::timeout, "no answer from " + shown + " within " +
                                                 std::to_string(fetch.timeout.count()) + " ms");
    } else {
      error = transport_error(code, curl_cause(error_buffer, code), shown, status != 0);
    }
    mask.redact(error);
    return tl::unexpected(std::move(error));
  }
  HttpResponse response;
  response.status = static_cast<int>(status);
  response.body = std::move(reception.body);
  response.content_type = std::move(reception.content_type);
  response.url = shown;
  mask.redact(response.body);
  return response;
}

}  // namespace llmwire::detail
