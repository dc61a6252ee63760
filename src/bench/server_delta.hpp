#pragma once
// What the server's own /metrics say happened during the run: the counters' growth between a
// reading before and one after (tokens, seconds, requests), and from histograms' _sum/_count
// the server-side mean TTFT, queue time and end-to-end latency, beside the client's figures.

#include <nlohmann/json.hpp>

#include "llmwire/server_info.hpp"

namespace llmwire::bench {

/// The growth of the known counters from `before` to `after` and what follows from it:
/// `decode_tok_s` (llama-server: Δtokens_predicted / Δtokens_predicted_seconds), `prompt_tok_s`,
/// and per histogram the mean over the run's observations (`mean_ttft_ms`, `mean_queue_ms`,
/// `mean_e2e_ms` for vLLM and SGLang). Only series present in both readings appear; a counter
/// that went down (the server restarted) makes the result say so instead of a negative figure.
[[nodiscard]] nlohmann::json server_metrics_delta(const ServerMetrics& before,
                                                  const ServerMetrics& after);

}  // namespace llmwire::bench
