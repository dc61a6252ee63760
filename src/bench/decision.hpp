#pragma once
/// @file decision.hpp
/// The seeds' decision framework as arithmetic: threshold checks (PASS/FAIL, or "not measured"
/// when a reading is unavailable — never a fake 0), a weighted score (quality 40, performance
/// 25, vision 20, VRAM 10, stability 5 by default) and the swap rule (a candidate that meets
/// every threshold must beat the baseline's score by the suite's margin, 15% by default).
///
///     Metrics nvfp4{.tok_s = 50.4, .ttft_ms = 83.9, .vram_gb = 15.74, .tools_correct = 7, …};
///     auto checks = check_thresholds(nvfp4, suite.thresholds);
///     auto decision = decide(nvfp4, &nano, suite);  // "SWAP" or "KEEP"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bench/suite.hpp"

namespace llmwire::bench {

/// One model's summary figures. An empty optional means "not measured" (skipped, failed to
/// run, or no GPU for VRAM).
struct Metrics {
  std::optional<double> tok_s;       ///< Mean decode tok/s of the throughput runs.
  std::optional<double> ttft_ms;     ///< Mean time to first token.
  std::optional<double> vram_gb;     ///< The memory figure the suite judges (tests.vram.measure).
  std::string vram_unavailable;      ///< Why vram_gb is missing, when it was sought.
  std::optional<int> tools_correct;  ///< Right calls, structured or recovered.
  std::optional<int> tools_structured;  ///< Of which the server parsed.
  std::optional<int> tools_recovered;   ///< Of which llmwire recovered from text.
  int tools_total = 0;
  std::optional<double> tools_weighted;  ///< Mean case score under the suite's weights.
  std::optional<int> persons_found;
  int persons_total = 0;
  std::optional<int> places_found;
  int places_total = 0;
  std::optional<int> vision_colours;  ///< Colours named.
  int vision_total = 0;
  std::optional<int> vision_positions;  ///< Colours placed right.
  std::optional<int> kannada_entities;
  int kannada_total = 0;
  std::optional<bool> kannada_reply;  ///< Replied in Kannada script.
  std::optional<double> stability;    ///< Fraction of requests that completed without error.
};

[[nodiscard]] nlohmann::json to_json(const Metrics& metrics);
/// Reads what to_json wrote; unknown keys are ignored, missing ones stay unmeasured.
[[nodiscard]] Metrics metrics_from_json(const nlohmann::json& object);

enum class CheckStatus { pass, fail, not_measured };
/// "PASS", "FAIL", "N/A".
[[nodiscard]] std::string_view to_string(CheckStatus status) noexcept;

/// One row of the report's table: metric | value | threshold | status.
struct ThresholdCheck {
  std::string metric;     ///< "tok/s", "TTFT", "VRAM", "Tools", "Vision", "Entities", "Kannada"
  std::string value;      ///< As shown, e.g. "50.4", "7/8", "unavailable"
  std::string threshold;  ///< e.g. "≥ 40", "≤ 200 ms"
  CheckStatus status = CheckStatus::not_measured;
};

/// Every threshold of the suite against `metrics`.
[[nodiscard]] std::vector<ThresholdCheck> check_thresholds(const Metrics& metrics,
                                                           const Thresholds& thresholds);

/// Whether every threshold passed; failed and unmeasured metrics by name.
struct Verdict {
  bool all_pass = false;  ///< No failure and nothing unmeasured.
  bool none_failed = false;
  std::vector<std::string> failed;
  std::vector<std::string> not_measured;
};
[[nodiscard]] Verdict verdict(const std::vector<ThresholdCheck>& checks);

/// Component scores in [0, 1]; an unmeasured component is left out and the weights of the
/// others renormalised, so a missing VRAM reading does not count as 0 GB or as a failure.
struct Score {
  std::optional<double> quality, performance, vision, vram, stability;
  double total = 0;                   ///< 0–100, weighted over the components that were scored.
  std::vector<std::string> left_out;  ///< Components not scored.
};

/// Components excluded by name ("quality", "performance", "vision", "vram", "stability") are
/// left out even when measured: decide() uses it to score two models on the same components.
[[nodiscard]] Score score(const Metrics& metrics, const Suite& suite,
                          const std::vector<std::string>& exclude = {});
[[nodiscard]] nlohmann::json to_json(const Score& score);

struct Decision {
  std::string outcome;  ///< "PASS"/"FAIL" (no baseline), "SWAP"/"KEEP" (with a baseline).
  std::string reason;   ///< One sentence.
  Score candidate;
  std::optional<Score> baseline;
  std::optional<double> margin;  ///< candidate.total / baseline.total − 1.
};

/// The decision for `candidate`, against `baseline` when given (nullptr: thresholds only).
[[nodiscard]] Decision decide(const Metrics& candidate, const Metrics* baseline,
                              const Suite& suite);
[[nodiscard]] nlohmann::json to_json(const Decision& decision);

}  // namespace llmwire::bench
