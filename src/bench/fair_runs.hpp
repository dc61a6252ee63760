#pragma once
// What makes two runs comparable, decided once per run: sampling pinned (temperature, seed) on
// every request, and on the throughput test the output length fixed where the server has a way
// (vLLM `ignore_eos` + `min_tokens`, SGLang and llama-server `ignore_eos`), so a model that
// stops early is not measured on fewer tokens than one that does not.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "llmwire/server_info.hpp"
#include "llmwire/stream.hpp"

namespace llmwire::bench {

struct FairRuns {
  std::optional<double> temperature;  ///< Set on every request (nullopt: the server's default).
  std::optional<std::int64_t> seed;   ///< Sent as `seed` (Ollama: `options.seed`).
  /// Fields that fix the output length at max_tokens (empty when the server has none).
  nlohmann::json fixed_length = nlohmann::json::object();
  std::string fixed_length_note;  ///< How, or why not ("Ollama has no ignore_eos: …").
};

/// The fairness settings for a server of `kind` reached through `api`. `want_fixed_length`
/// asks for the throughput test's output to be held at its max_tokens.
[[nodiscard]] FairRuns fair_runs(ServerKind kind, Dialect api, std::optional<double> temperature,
                                 std::optional<std::int64_t> seed, bool want_fixed_length,
                                 int max_tokens);

/// The request fields for every request (the seed, in the dialect's place).
[[nodiscard]] nlohmann::json sampling_fields(const FairRuns& fair, Dialect api);

}  // namespace llmwire::bench
