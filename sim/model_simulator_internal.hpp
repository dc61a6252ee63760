#pragma once
// Shared between the simulator's source files; not part of its public header.

#include <string_view>

namespace llmwire::sim {

/// Text the simulated model keeps writing when a long answer is wanted (cycled to max_tokens).
[[nodiscard]] std::string_view long_form_filler() noexcept;

struct SimRequest;
/// True when the request asks for entities as JSON (the answers the malformed rate applies to).
[[nodiscard]] bool is_extraction_request(const SimRequest& request);

}  // namespace llmwire::sim
