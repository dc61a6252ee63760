// Fair runs (see fair_runs.hpp).

#include "bench/fair_runs.hpp"

namespace llmwire::bench {

FairRuns fair_runs(ServerKind kind, Dialect api, std::optional<double> temperature,
                   std::optional<std::int64_t> seed, bool want_fixed_length, int max_tokens) {
  FairRuns fair{.temperature = temperature, .seed = seed};
  if (!want_fixed_length) {
    fair.fixed_length_note = "not asked (tests.throughput.fixed_length is false)";
    return fair;
  }
  switch (kind) {
    case ServerKind::vllm:
      // vLLM's SamplingParams: ignore_eos, and min_tokens so a stop token cannot end it early.
      fair.fixed_length = {{"ignore_eos", true}, {"min_tokens", max_tokens}};
      fair.fixed_length_note = "ignore_eos + min_tokens (vLLM)";
      break;
    case ServerKind::sglang:
      fair.fixed_length = {{"ignore_eos", true}};
      fair.fixed_length_note = "ignore_eos (SGLang)";
      break;
    case ServerKind::llama_server:
      fair.fixed_length = {{"ignore_eos", true}};
      fair.fixed_length_note = "ignore_eos (llama-server)";
      break;
    case ServerKind::ollama:
      fair.fixed_length_note = "Ollama has no way to ignore the end token: output length varies";
      break;
    case ServerKind::simulator:
      fair.fixed_length_note = "the simulator always generates max_tokens";
      break;
    case ServerKind::unknown:
      fair.fixed_length_note = "unknown server: output length not fixed";
      break;
  }
  (void)api;
  return fair;
}

nlohmann::json sampling_fields(const FairRuns& fair, Dialect api) {
  nlohmann::json fields = nlohmann::json::object();
  if (!fair.seed) return fields;
  if (api == Dialect::ollama) {
    fields["options"] = {{"seed", *fair.seed}};
  } else {
    fields["seed"] = *fair.seed;
  }
  return fields;
}

}  // namespace llmwire::bench
