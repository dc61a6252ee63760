#pragma once
// The options of every command that talks to a server (chat, bench, info), decided once: the
// endpoint (or the environment variables users already set), the API dialect, the key, TLS and
// timeouts, turned into ClientOptions.

#include <optional>
#include <string>
#include <string_view>

#include "args.hpp"
#include "llmwire/client.hpp"

namespace llmwire::cli {

/// The help text for those options.
inline constexpr const char* connection_options_help =
    "  --endpoint URL     base URL, e.g. http://127.0.0.1:8000 (a trailing /v1 is fine); when\n"
    "                     absent: $LLMWIRE_ENDPOINT, then $OPENAI_BASE_URL (--api openai) or\n"
    "                     $OLLAMA_HOST (--api ollama)\n"
    "  --api A            openai (/v1/chat/completions, SSE; default) or ollama (/api/chat)\n"
    "  --api-key-file F   read the bearer token from file F (first line)\n"
    "  --api-key KEY      the token itself; other users of this machine can see it in the\n"
    "                     process list: prefer --api-key-file, $LLMWIRE_API_KEY or\n"
    "                     $OPENAI_API_KEY\n"
    "  --timeout-ms N     total time limit per request in ms (default: none)\n"
    "  --first-byte-timeout-ms N  longest wait for a response to begin (default 120000)\n"
    "  --idle-timeout-ms N        longest silence once it began (default 30000)\n"
    "  --ca-file PEM      verify TLS with this CA bundle instead of the system's\n"
    "  --insecure         do not verify TLS certificates (a warning is printed)\n";

/// Where the endpoint came from, for messages ("--endpoint", "$OPENAI_BASE_URL"…).
struct ConnectionChoice {
  ClientOptions options;
  std::string endpoint_source;  ///< "" when no endpoint was given anywhere.
};

/// Reads the connection options. Errors: ErrorKind::invalid_argument for a bad command line
/// (exit 2), ErrorKind::io for an unreadable key file (exit 1). With `endpoint_required`, no
/// endpoint anywhere is an error; otherwise options.endpoints stays empty.
/// `--insecure` prints its warning on stderr, naming `command`.
[[nodiscard]] Result<ConnectionChoice> connection_options(const ParsedArgs& args,
                                                          std::string_view command,
                                                          bool endpoint_required);

}  // namespace llmwire::cli
