// The SVG chart: one row per model, tok/s samples on the left, TTFT samples on the right, each
// with its mean bar and a p50–p99 whisker; then, for models with a concurrency sweep, a row per
// model with each level's median per-stream tok/s and p90 TTFT. Plain shapes and text only, so
// any renderer (browsers, rsvg-convert) draws it the same.

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/report.hpp"

namespace llmwire::bench {
namespace {

std::string f(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

// The samples of one kind in a results document (throughput tok/s, or TTFT from the TTFT test).
std::vector<double> samples(const nlohmann::json& r, bool tok_s) {
  std::vector<double> values;
  const char* test = tok_s ? "throughput" : "ttft";
  const char* key = tok_s ? "tok_s" : "ttft_ms";
  if (!r.contains("tests") || !r["tests"].contains(test)) return values;
  for (const auto& s : r["tests"][test].value("samples", nlohmann::json::array())) {
    if (s.contains(key) && s[key].is_number() && s.value("error", nlohmann::json()).is_null()) {
      values.push_back(s[key].get<double>());
    }
  }
  return values;
}

// Nearest-rank percentile, as the results' summaries use.
double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const auto index =
      static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(values.size())));
  return values[index - 1];
}

}  // namespace

std::vector<SweepPoint> chart_sweep(const nlohmann::json& r) {
  std::vector<SweepPoint> points;
  if (!r.contains("tests") || !r["tests"].contains("concurrency")) return points;
  const auto& sweep = r["tests"]["concurrency"].value("sweep", nlohmann::json::array());
  for (const auto& level : sweep) {
    if (!level.is_object() || !level.contains("parallel") || !level["parallel"].is_number())
      continue;
    SweepPoint point{.streams = level["parallel"].get<int>()};
    const auto& tok = level.value("per_request_tok_s", nlohmann::json::object());
    const auto& ttft = level.value("ttft_ms", nlohmann::json::object());
    if (tok.contains("median") && tok["median"].is_number())
      point.tok_s_median = tok["median"].get<double>();
    if (ttft.contains("p90") && ttft["p90"].is_number())
      point.ttft_p90_ms = ttft["p90"].get<double>();
    if (point.tok_s_median || point.ttft_p90_ms) points.push_back(point);
  }
  return points;
}

namespace {

double nice_ceiling(double value) {
  if (value <= 0) return 1;
  double magnitude = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

double limit(const nlohmann::json& r, const char* key) {
  if (r.contains("limits") && r["limits"].contains(key) && r["limits"][key].is_number())
    return r["limits"][key].get<double>();
  return 0;
}

}  // namespace

double ChartLayout::x(int panel, double value, double axis_max) const {
  double left = label_width + panel * (panel_width + panel_gap);
  return left + panel_width * std::clamp(value / axis_max, 0.0, 1.0);
}

double ChartLayout::y(int row) const {
  return top + row * row_height + row_height / 2.0;
}

int ChartLayout::height(int rows) const {
  return top + rows * row_height + bottom;
}

std::pair<double, double> chart_axes(const std::vector<nlohmann::json>& results) {
  double tok = 0, ttft = 0;
  for (const auto& r : results) {
    for (double v : samples(r, true)) tok = std::max(tok, v);
    for (double v : samples(r, false)) ttft = std::max(ttft, v);
    for (const auto& point : chart_sweep(r)) {
      tok = std::max(tok, point.tok_s_median.value_or(0));
      ttft = std::max(ttft, point.ttft_p90_ms.value_or(0));
    }
    tok = std::max(tok, limit(r, "tok_s_min"));
    ttft = std::max(ttft, limit(r, "ttft_ms_max"));
  }
  return {nice_ceiling(tok * 1.05), nice_ceiling(ttft * 1.05)};
}

int chart_rows(const std::vector<nlohmann::json>& results) {
  int rows = static_cast<int>(results.size());
  for (const auto& r : results) rows += chart_sweep(r).empty() ? 0 : 1;
  return std::max(1, rows);
}

std::string svg_chart(const std::vector<nlohmann::json>& results, const ChartLayout& layout) {
  const int rows = chart_rows(results);
  const int height = layout.height(rows);
  const auto [tok_max, ttft_max] = chart_axes(results);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(layout.width) + "\" height=\"" + std::to_string(height) +
                    "\" viewBox=\"0 0 " + std::to_string(layout.width) + " " +
                    std::to_string(height) +
                    "\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"13\">\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  bool simulated = std::any_of(results.begin(), results.end(),
                               [](const nlohmann::json& r) { return r.value("simulated", false); });
  svg +=
      "<text x=\"12\" y=\"24\" font-size=\"16\" font-weight=\"bold\">llmwire bench: decode tok/s "
      "and TTFT per model" +
      std::string(simulated ? " (simulated endpoint)" : "") + "</text>\n";
  const char* titles[] = {"decode tok/s (higher is better)", "TTFT ms (lower is better)"};
  const double maxima[] = {tok_max, ttft_max};
  const int axis_y = layout.top + rows * layout.row_height;
  for (int panel = 0; panel < 2; ++panel) {
    double left = layout.x(panel, 0, 1), right = layout.x(panel, 1, 1);
    svg += "<text x=\"" + f(left) + "\" y=\"" + std::to_string(layout.top - 12) +
           "\" font-weight=\"bold\">" + titles[panel] + "</text>\n";
    svg += "<rect x=\"" + f(left) + "\" y=\"" + std::to_string(layout.top) + "\" width=\"" +
           std::to_string(layout.panel_width) + "\" height=\"" +
           std::to_string(rows * layout.row_height) + "\" fill=\"#f7f7f7\" stroke=\"#888888\"/>\n";
    for (int tick = 0; tick <= 4; ++tick) {
      double value = maxima[panel] * tick / 4.0;
      double x = layout.x(panel, value, maxima[panel]);
      svg += "<line x1=\"" + f(x) + "\" y1=\"" + std::to_string(axis_y) + "\" x2=\"" + f(x) +
             "\" y2=\"" + std::to_string(axis_y + 5) + "\" stroke=\"#888888\"/>\n";
      svg += "<text x=\"" + f(x) + "\" y=\"" + std::to_string(axis_y + 20) +
             "\" text-anchor=\"middle\">" +
             (value == std::floor(value) ? std::to_string(static_cast<long>(value)) : f(value)) +
             "</text>\n";
    }
    (void)right;
  }
  // Threshold lines from the first results' suite (dashed, labelled).
  if (!results.empty()) {
    double tok_line = limit(results.front(), "tok_s_min"),
           ttft_line = limit(results.front(), "ttft_ms_max");
    const double lines[] = {tok_line, ttft_line};
    for (int panel = 0; panel < 2; ++panel) {
      if (lines[panel] <= 0) continue;
      double x = layout.x(panel, lines[panel], maxima[panel]);
      svg += "<line x1=\"" + f(x) + "\" y1=\"" + std::to_string(layout.top) + "\" x2=\"" + f(x) +
             "\" y2=\"" + std::to_string(axis_y) + "\" stroke=\"" + chart_threshold_colour +
             "\" stroke-width=\"2\" stroke-dasharray=\"6,4\"/>\n";
      // Label inside the panel's top edge, on whichever side of the line has room.
      bool room_right = x + 110 < layout.x(panel, 1, 1);
      svg += "<text x=\"" + f(room_right ? x + 4 : x - 4) + "\" y=\"" +
             std::to_string(layout.top + 13) + "\" font-size=\"11\" text-anchor=\"" +
             (room_right ? "start" : "end") + "\" fill=\"" + chart_threshold_colour +
             "\">threshold " + f(lines[panel]) + "</text>\n";
    }
  }
  for (int row = 0; row < static_cast<int>(results.size()); ++row) {
    const auto& r = results[static_cast<std::size_t>(row)];
    double y = layout.y(row);
    std::string label = r.value("model", std::string("?"));
    const bool baseline = r.value("chart_role", std::string()) == "baseline";
    if (label.size() > (baseline ? 15u : 26u)) label = label.substr(0, baseline ? 14 : 25) + "…";
    if (baseline) label += " (baseline)";
    svg += "<text x=\"12\" y=\"" + f(y + 4) + "\">" + escape(label) + "</text>\n";
    for (int panel = 0; panel < 2; ++panel) {
      auto values = samples(r, panel == 0);
      const char* colour = panel == 0 ? chart_tok_s_colour : chart_ttft_colour;
      if (values.empty()) {
        svg += "<text x=\"" + f(layout.x(panel, 0, 1) + 8) + "\" y=\"" + f(y + 4) +
               "\" fill=\"#666666\">not measured</text>\n";
        continue;
      }
      double mean = 0;
      for (double v : values) mean += v;
      mean /= static_cast<double>(values.size());
      // Samples as dots, spread vertically a little so equal values stay visible.
      for (std::size_t i = 0; i < values.size(); ++i) {
        double jitter = (static_cast<double>(i % 5) - 2.0) * 3.0;
        svg += "<circle cx=\"" + f(layout.x(panel, values[i], maxima[panel])) + "\" cy=\"" +
               f(y + jitter) + "\" r=\"3\" fill=\"" + colour + "\" fill-opacity=\"0.6\"/>\n";
      }
      // p50 to p99 as a whisker under the dots, with ticks at p90 and p99.
      const double p50 = percentile(values, 50), p90 = percentile(values, 90),
                   p99 = percentile(values, 99);
      const double wy = y + 12;
      svg += "<line x1=\"" + f(layout.x(panel, p50, maxima[panel])) + "\" y1=\"" + f(wy) +
             "\" x2=\"" + f(layout.x(panel, p99, maxima[panel])) + "\" y2=\"" + f(wy) +
             "\" stroke=\"" + colour + "\" stroke-width=\"2\"/>\n";
      for (double tick : {p90, p99}) {
        const double tx = layout.x(panel, tick, maxima[panel]);
        svg += "<line x1=\"" + f(tx) + "\" y1=\"" + f(wy - 5) + "\" x2=\"" + f(tx) + "\" y2=\"" +
               f(wy + 5) + "\" stroke=\"" + colour + "\" stroke-width=\"2\"/>\n";
      }
      // The mean as a solid bar across the row.
      double x = layout.x(panel, mean, maxima[panel]);
      svg += "<rect x=\"" + f(x - 2) + "\" y=\"" + f(y - 18) +
             "\" width=\"4\" height=\"36\" fill=\"" + colour + "\"/>\n";
      svg += "<text x=\"" + f(std::min(x + 6, layout.x(panel, 1, 1) - 40)) + "\" y=\"" + f(y - 10) +
             "\" fill=\"" + colour + "\">" + f(mean) + "</text>\n";
    }
  }
  // The sweep rows: each level's median stream tok/s (left) and p90 TTFT (right), as a square
  // labelled with its number of streams.
  int row = static_cast<int>(results.size());
  for (const auto& r : results) {
    const auto points = chart_sweep(r);
    if (points.empty()) continue;
    const double y = layout.y(row++);
    std::string label = r.value("model", std::string("?"));
    if (label.size() > 18) label = label.substr(0, 17) + "…";
    svg += "<text x=\"12\" y=\"" + f(y + 4) + "\">" + escape(label) + " sweep</text>\n";
    for (int panel = 0; panel < 2; ++panel) {
      const char* colour = panel == 0 ? chart_tok_s_colour : chart_ttft_colour;
      for (std::size_t i = 0; i < points.size(); ++i) {
        const auto value = panel == 0 ? points[i].tok_s_median : points[i].ttft_p90_ms;
        if (!value) continue;
        const double x = layout.x(panel, *value, maxima[panel]);
        // Three lanes (above, on, below the row's centre), so levels with equal values stay
        // apart: the default sweep has three levels.
        const double sy = y + (static_cast<double>(i % 3) - 1.0) * 9.0;
        svg += "<rect x=\"" + f(x - 4) + "\" y=\"" + f(sy - 4) +
               "\" width=\"8\" height=\"8\" fill=\"" + colour + "\"/>\n";
        svg += "<text x=\"" + f(x + 6) + "\" y=\"" + f(sy + 4) + "\" font-size=\"11\" fill=\"" +
               colour + "\">" + std::to_string(points[i].streams) + "</text>\n";
      }
    }
  }
  svg += "<text x=\"12\" y=\"" + std::to_string(layout.height(rows) - 8) +
         "\" font-size=\"11\" fill=\"#444444\">dots: samples; bar: mean; line: p50 to p99, "
         "ticks at p90 and p99; sweep rows: median stream tok/s and p90 TTFT per number of "
         "streams</text>\n";
  svg += "</svg>\n";
  return svg;
}

}  // namespace llmwire::bench
