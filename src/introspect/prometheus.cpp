// The Prometheus text format (see server_info.hpp): one pass over the lines, no regex.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include "llmwire/printable.hpp"
#include "llmwire/server_info.hpp"

namespace llmwire {
namespace {

bool name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9');
}
bool blank(char c) {
  return c == ' ' || c == '\t';
}

void skip_blanks(std::string_view line, std::size_t& at) {
  while (at < line.size() && blank(line[at])) ++at;
}

std::string_view read_name(std::string_view line, std::size_t& at, bool metric) {
  const std::size_t start = at;
  if (at < line.size() &&
      (metric ? name_start(line[at]) : (name_start(line[at]) && line[at] != ':')))
    ++at;
  else
    return {};
  while (at < line.size() && name_char(line[at])) ++at;
  return line.substr(start, at - start);
}

std::optional<double> read_value(std::string_view token) {
  if (token == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (token == "+Inf" || token == "Inf") return std::numeric_limits<double>::infinity();
  if (token == "-Inf") return -std::numeric_limits<double>::infinity();
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return value;
}

Error bad_line(std::size_t number, std::string_view line, std::string_view why) {
  constexpr std::size_t shown = 120;
  std::string excerpt = printable(line.substr(0, shown));
  if (line.size() > shown) excerpt += "…";
  return make_error(ErrorKind::parse, "metrics line " + std::to_string(number) + ": " +
                                          std::string(why) + " ('" + excerpt + "')");
}

// Parses `{a="x",b="y"}` starting at the '{'.
std::optional<std::string> read_labels(std::string_view line, std::size_t& at,
                                       std::vector<std::pair<std::string, std::string>>& out) {
  ++at;  // '{'
  for (;;) {
    skip_blanks(line, at);
    if (at < line.size() && line[at] == '}') {
      ++at;
      return std::nullopt;
    }
    auto key = read_name(line, at, false);
    if (key.empty()) return "a label name was expected";
    skip_blanks(line, at);
    if (at >= line.size() || line[at] != '=') return "'=' was expected after a label name";
    ++at;
    skip_blanks(line, at);
    if (at >= line.size() || line[at] != '"') return "a quoted label value was expected";
    ++at;
    std::string value;
    bool closed = false;
    while (at < line.size()) {
      const char c = line[at++];
      if (c == '"') {
        closed = true;
        break;
      }
      if (c == '\\' && at < line.size()) {
        const char e = line[at++];
        value.push_back(e == 'n' ? '\n' : e);  // \\ and \" stand for themselves
        continue;
      }
      value.push_back(c);
    }
    if (!closed) return "a label value is not closed";
    out.emplace_back(std::string(key), std::move(value));
    skip_blanks(line, at);
    if (at < line.size() && line[at] == ',') {
      ++at;
      continue;
    }
    if (at < line.size() && line[at] == '}') {
      ++at;
      return std::nullopt;
    }
    return "',' or '}' was expected after a label";
  }
}

}  // namespace

std::optional<std::string_view> MetricSample::label(std::string_view key) const {
  for (const auto& [k, v] : labels)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

const MetricSample* ServerMetrics::find(
    std::string_view name, const std::vector<std::pair<std::string, std::string>>& wanted) const {
  for (const auto& sample : samples) {
    if (sample.name != name) continue;
    const bool all = std::all_of(wanted.begin(), wanted.end(), [&](const auto& kv) {
      auto v = sample.label(kv.first);
      return v && *v == kv.second;
    });
    if (all) return &sample;
  }
  return nullptr;
}

std::optional<double> ServerMetrics::sum(std::string_view name) const {
  std::optional<double> total;
  for (const auto& sample : samples) {
    if (sample.name == name) total = total.value_or(0) + sample.value;
  }
  return total;
}

std::optional<double> ServerMetrics::histogram_count(std::string_view family) const {
  return sum(std::string(family) + "_count");
}

std::optional<double> ServerMetrics::histogram_quantile(double q, std::string_view family) const {
  if (!(q >= 0 && q <= 1)) return std::nullopt;
  const std::string bucket_name = std::string(family) + "_bucket";
  std::map<double, double> cumulative;  // le → count, summed across the other labels
  for (const auto& sample : samples) {
    if (sample.name != bucket_name) continue;
    auto le = sample.label("le");
    if (!le) continue;
    auto bound = read_value(*le);
    if (!bound || std::isnan(*bound)) continue;
    cumulative[*bound] += sample.value;
  }
  if (cumulative.empty() || !std::isinf(cumulative.rbegin()->first)) return std::nullopt;
  const double total = cumulative.rbegin()->second;
  if (!(total > 0)) return std::nullopt;
  const double rank = q * total;
  double lower_bound = 0, lower_count = 0;
  bool first = true;
  for (const auto& [bound, count] : cumulative) {
    if (count >= rank) {
      if (std::isinf(bound)) {
        if (first) return std::nullopt;  // only the +Inf bucket: no bound is known
        return lower_bound;              // beyond the last finite bucket: its bound
      }
      if (first && bound <= 0) return bound;
      const double from = first ? 0 : lower_bound;
      if (count == lower_count) return bound;
      return from + (bound - from) * (rank - lower_count) / (count - lower_count);
    }
    lower_bound = bound;
    lower_count = count;
    first = false;
  }
  return lower_bound;
}

Result<ServerMetrics> parse_prometheus(std::string_view text) {
  ServerMetrics metrics;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t at = 0;
    skip_blanks(line, at);
    if (at == line.size()) continue;
    if (line[at] == '#') {
      // "# TYPE name kind"; HELP and other comments carry nothing we use.
      std::string_view rest = line.substr(at + 1);
      std::size_t r = 0;
      skip_blanks(rest, r);
      if (rest.substr(r).starts_with("TYPE")) {
        r += 4;
        skip_blanks(rest, r);
        auto name = read_name(rest, r, true);
        skip_blanks(rest, r);
        std::size_t end = r;
        while (end < rest.size() && !blank(rest[end])) ++end;
        if (!name.empty() && end > r)
          metrics.types.emplace_back(std::string(name), std::string(rest.substr(r, end - r)));
      }
      continue;
    }
    MetricSample sample;
    auto name = read_name(line, at, true);
    if (name.empty()) return tl::unexpected(bad_line(number, line, "a metric name was expected"));
    sample.name = std::string(name);
    skip_blanks(line, at);
    if (at < line.size() && line[at] == '{') {
      if (auto why = read_labels(line, at, sample.labels))
        return tl::unexpected(bad_line(number, line, *why));
    }
    skip_blanks(line, at);
    std::size_t end = at;
    while (end < line.size() && !blank(line[end])) ++end;
    auto value = read_value(line.substr(at, end - at));
    if (!value) return tl::unexpected(bad_line(number, line, "the value is not a number"));
    sample.value = *value;
    // What may follow: a timestamp (integer milliseconds) and an OpenMetrics exemplar ("# …").
    at = end;
    skip_blanks(line, at);
    if (at < line.size() && line[at] != '#') {
      end = at;
      while (end < line.size() && !blank(line[end])) ++end;
      std::int64_t timestamp = 0;
      auto [p, ec] = std::from_chars(line.data() + at, line.data() + end, timestamp);
      if (ec != std::errc() || p != line.data() + end)
        return tl::unexpected(bad_line(number, line, "unexpected text after the value"));
      at = end;
      skip_blanks(line, at);
      if (at < line.size() && line[at] != '#')
        return tl::unexpected(bad_line(number, line, "unexpected text after the timestamp"));
    }
    metrics.samples.push_back(std::move(sample));
  }
  return metrics;
}

}  // namespace llmwire
