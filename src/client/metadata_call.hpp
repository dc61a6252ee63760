#pragma once
// One metadata request (Client::get / post_json), made with curl's easy interface on the
// caller's thread: introspection calls are rare, small and not streamed, so they need none of
// the event loop's machinery, only the same connection settings (curl_setup.hpp).

#include <optional>
#include <string>
#include <string_view>

#include "core/secret_mask.hpp"
#include "llmwire/client.hpp"

namespace llmwire::detail {

struct MetadataTarget {
  std::string root;     ///< Server root URL (server_root()).
  std::string display;  ///< The endpoint as error messages name it (no userinfo).
  bool loopback = false;
};

/// GET (no body) or POST (`json_body`) `path` on `target`. Errors and the body are masked.
[[nodiscard]] Result<HttpResponse> metadata_call(
    const ClientOptions& options, const SecretMask& mask, const MetadataTarget& target,
    std::string_view path, const std::optional<std::string>& json_body, const FetchOptions& fetch,
    const std::string& user_agent);

}  // namespace llmwire::detail
