#pragma once
// Where the CLI finds the API key: --api-key-file, --api-key, $LLMWIRE_API_KEY, $OPENAI_API_KEY.

#include "args.hpp"
#include "llmwire/client.hpp"

namespace llmwire::cli {

/// The key from the first of: --api-key-file FILE (its first line), --api-key KEY (visible to
/// other users in the process list, which the help says), $LLMWIRE_API_KEY, $OPENAI_API_KEY.
/// Empty when none is set. An unreadable or empty key file is an error.
[[nodiscard]] Result<SecretString> api_key_from(const ParsedArgs& args);

}  // namespace llmwire::cli
