// Endpoint URL handling (see url.hpp).

#include "client/url.hpp"

#include "core/secret_mask.hpp"

namespace llmwire::detail {

Result<std::string> request_url(std::string_view base, Dialect dialect) {
  if (!base.starts_with("http://") && !base.starts_with("https://")) {
    return fail(ErrorKind::invalid_argument,
                "endpoint '" + without_userinfo(base) + "' must start with http:// or https://");
  }
  const std::size_t host_start = base.find("://") + 3;
  if (host_start >= base.size() || base[host_start] == '/') {
    return fail(ErrorKind::invalid_argument,
                "endpoint '" + without_userinfo(base) + "' has no host");
  }
  std::string url(base);
  while (url.size() > host_start && url.back() == '/') url.pop_back();
  const std::string_view view = url;
  if (dialect == Dialect::openai) {
    if (view.ends_with("/chat/completions")) return url;
    if (view.ends_with("/v1")) return url + "/chat/completions";
    return url + "/v1/chat/completions";
  }
  if (view.ends_with("/api/chat")) return url;
  if (view.ends_with("/api")) return url + "/chat";
  return url + "/api/chat";
}

std::string server_root(std::string_view base) {
  const std::size_t scheme = base.find("://");
  const std::size_t host_start = scheme == std::string_view::npos ? 0 : scheme + 3;
  std::string url(base);
  auto trim_slashes = [&] {
    while (url.size() > host_start && url.back() == '/') url.pop_back();
  };
  trim_slashes();
  // Longest first: "/v1/chat/completions" before "/chat/completions", "/api/chat" before "/api".
  for (std::string_view suffix : {"/v1/chat/completions", "/chat/completions", "/api/chat"}) {
    if (std::string_view(url).ends_with(suffix) && url.size() - suffix.size() >= host_start) {
      url.resize(url.size() - suffix.size());
      break;
    }
  }
  trim_slashes();
  for (std::string_view suffix : {"/v1", "/api"}) {
    if (std::string_view(url).ends_with(suffix) && url.size() - suffix.size() > host_start) {
      url.resize(url.size() - suffix.size());
      break;
    }
  }
  trim_slashes();
  return url;
}

bool is_loopback(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view rest = url.substr(scheme + 3);
  if (const auto at = rest.find('@'); at != std::string_view::npos && at < rest.find('/')) {
    rest = rest.substr(at + 1);  // user:pass@host
  }
  std::string_view host;
  if (rest.starts_with("[")) {
    host =
        rest.substr(0, rest.find(']') == std::string_view::npos ? rest.size() : rest.find(']') + 1);
  } else {
    host = rest.substr(0, std::min(rest.find(':'), rest.find('/')));
  }
  return host == "localhost" || host.starts_with("127.") || host == "[::1]";
}

}  // namespace llmwire::detail
