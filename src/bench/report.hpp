#pragma once
/// @file report.hpp
/// What `llmwire bench` writes: the Markdown report (the seeds' metric | value | threshold |
/// PASS/FAIL table, then the decision), the side-by-side comparison of several results files,
/// and an SVG chart of tok/s and TTFT distributions per model.
///
///     auto markdown = llmwire::bench::markdown_report(results);
///     auto table = llmwire::bench::compare_table({a, b});
///     auto svg = llmwire::bench::svg_chart({a, b});

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace llmwire::bench {

/// The report for one results document (run_suite's output). A simulated run says
/// "simulated endpoint" in its first lines, with the simulator's pacing.
[[nodiscard]] std::string markdown_report(const nlohmann::json& results);

/// The cross-model table (one column per results document), as in the seeds' Phase 2
/// comparison: tok/s, TTFT, VRAM, vision, tools, entities, Kannada, score, decision.
[[nodiscard]] std::string compare_table(const std::vector<nlohmann::json>& results);

/// Every timed sample as CSV, one row per request: test, level (concurrency), prompt, run,
/// ttft_ms, first_sentence_ms, tok_s, itl_p50_ms, itl_p90_ms, itl_p99_ms, e2e_ms,
/// completion_tokens, prompt_tokens, token_source, server_tok_s, server_ttft_ms, error.
/// Fields are quoted when they hold a comma, quote or newline (RFC 4180).
[[nodiscard]] std::string samples_csv(const nlohmann::json& results);

/// Every summary as CSV: test, level, metric, n, mean, p50, p90, p99, min, max (the sweep's
/// levels each get their rows).
[[nodiscard]] std::string summary_csv(const nlohmann::json& results);

/// Chart geometry, exposed so a test can find the marks in a rendering.
/// One level of a results document's concurrency sweep, as the chart draws it.
struct SweepPoint {
  int streams = 0;
  std::optional<double> tok_s_median;  ///< Median per-stream decode tok/s.
  std::optional<double> ttft_p90_ms;
};
/// The sweep levels of `results` (empty without a concurrency test).
[[nodiscard]] std::vector<SweepPoint> chart_sweep(const nlohmann::json& results);
/// Rows the chart draws: one per results document, plus one per document with a sweep.
[[nodiscard]] int chart_rows(const std::vector<nlohmann::json>& results);

struct ChartLayout {
  int width = 900;
  int row_height = 60;
  int top = 70;           ///< y of the first model row's top.
  int label_width = 190;  ///< Model names, left of the panels.
  int panel_width = 320;
  int panel_gap = 50;
  int bottom = 50;
  /// x of `value` in panel `panel` (0 = tok/s, 1 = TTFT) whose axis runs 0..`axis_max`.
  [[nodiscard]] double x(int panel, double value, double axis_max) const;
  /// y of the centre of model row `row`.
  [[nodiscard]] double y(int row) const;
  [[nodiscard]] int height(int rows) const;
};

/// Colours of the marks: tok/s samples and mean, TTFT samples and mean, threshold lines.
inline constexpr const char* chart_tok_s_colour = "#1f77b4";
inline constexpr const char* chart_ttft_colour = "#d62728";
inline constexpr const char* chart_threshold_colour = "#2ca02c";

/// Axis maxima the chart uses for these results (a "nice" number above every sample and
/// threshold): {tok/s axis max, TTFT axis max}.
[[nodiscard]] std::pair<double, double> chart_axes(const std::vector<nlohmann::json>& results);

/// An SVG chart: per model (row) the tok/s samples (left) and TTFT samples (right) as dots, the
/// mean as a bar, and the suite thresholds as dashed lines. A results document with
/// `"chart_role": "baseline"` is labelled "(baseline)".
[[nodiscard]] std::string svg_chart(const std::vector<nlohmann::json>& results,
                                    const ChartLayout& layout = {});

}  // namespace llmwire::bench
