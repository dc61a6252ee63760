// The decision framework's arithmetic (see decision.hpp and the seeds' "Decision Framework").

#include "bench/decision.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace llmwire::bench {
namespace {

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string trimmed(double value) {
  // 40 → "40", 15.74 → "15.74": thresholds are shown as the user wrote them.
  std::string text = fixed(value, 2);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

double clamp01(double v) {
  return std::clamp(v, 0.0, 1.0);
}

template <class T>
void put(nlohmann::json& out, const char* key, const std::optional<T>& value) {
  out[key] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

template <class T>
void get(const nlohmann::json& in, const char* key, std::optional<T>& value) {
  auto it = in.find(key);
  if (it == in.end() || it->is_null()) return;
  if constexpr (std::is_same_v<T, bool>) {
    if (it->is_boolean()) value = it->get<bool>();
  } else {
    if (it->is_number()) value = it->get<T>();
  }
}

bool excluded(const std::vector<std::string>& exclude, std::string_view name) {
  return std::find(exclude.begin(), exclude.end(), name) != exclude.end();
}

}  // namespace

nlohmann::json to_json(const Metrics& m) {
  nlohmann::json out = nlohmann::json::object();
  put(out, "tok_s", m.tok_s);
  put(out, "ttft_ms", m.ttft_ms);
  put(out, "vram_gb", m.vram_gb);
  if (!m.vram_unavailable.empty()) out["vram_unavailable"] = m.vram_unavailable;
  put(out, "tools_correct", m.tools_correct);
  put(out, "tools_structured", m.tools_structured);
  put(out, "tools_recovered", m.tools_recovered);
  out["tools_total"] = m.tools_total;
  put(out, "tools_weighted", m.tools_weighted);
  put(out, "persons_found", m.persons_found);
  out["persons_total"] = m.persons_total;
  put(out, "places_found", m.places_found);
  out["places_total"] = m.places_total;
  put(out, "vision_colours", m.vision_colours);
  out["vision_total"] = m.vision_total;
  put(out, "vision_positions", m.vision_positions);
  put(out, "kannada_entities", m.kannada_entities);
  out["kannada_total"] = m.kannada_total;
  put(out, "kannada_reply", m.kannada_reply);
  put(out, "stability", m.stability);
  return out;
}

Metrics metrics_from_json(const nlohmann::json& in) {
  Metrics m;
  if (!in.is_object()) return m;
  get(in, "tok_s", m.tok_s);
  get(in, "ttft_ms", m.ttft_ms);
  get(in, "vram_gb", m.vram_gb);
  if (auto it = in.find("vram_unavailable"); it != in.end() && it->is_string())
    m.vram_unavailable = it->get<std::string>();
  get(in, "tools_correct", m.tools_correct);
  get(in, "tools_structured", m.tools_structured);
  get(in, "tools_recovered", m.tools_recovered);
  m.tools_total = in.value("tools_total", 0);
  get(in, "tools_weighted", m.tools_weighted);
  get(in, "persons_found", m.persons_found);
  m.persons_total = in.value("persons_total", 0);
  get(in, "places_found", m.places_found);
  m.places_total = in.value("places_total", 0);
  get(in, "vision_colours", m.vision_colours);
  m.vision_total = in.value("vision_total", 0);
  get(in, "vision_positions", m.vision_positions);
  get(in, "kannada_entities", m.kannada_entities);
  m.kannada_total = in.value("kannada_total", 0);
  get(in, "kannada_reply", m.kannada_reply);
  get(in, "stability", m.stability);
  return m;
}

std::string_view to_string(CheckStatus status) noexcept {
  switch (status) {
    case CheckStatus::pass: return "PASS";
    case CheckStatus::fail: return "FAIL";
    case CheckStatus::not_measured: return "N/A";
  }
  return "N/A";
}

std::vector<ThresholdCheck> check_thresholds(const Metrics& m, const Thresholds& t) {
  std::vector<ThresholdCheck> checks;
  auto status = [](bool measured, bool ok) {
    return !measured ? CheckStatus::not_measured : (ok ? CheckStatus::pass : CheckStatus::fail);
  };
  checks.push_back({"tok/s", m.tok_s ? fixed(*m.tok_s, 1) : "not measured",
                    "≥ " + trimmed(t.tok_s_min),
                    status(m.tok_s.has_value(), m.tok_s && *m.tok_s >= t.tok_s_min)});
  checks.push_back({"TTFT", m.ttft_ms ? fixed(*m.ttft_ms, 1) + " ms" : "not measured",
                    "≤ " + trimmed(t.ttft_ms_max) + " ms",
                    status(m.ttft_ms.has_value(), m.ttft_ms && *m.ttft_ms <= t.ttft_ms_max)});
  checks.push_back({"VRAM",
                    m.vram_gb ? fixed(*m.vram_gb, 2) + " GB"
                              : (m.vram_unavailable.empty() ? std::string("unavailable")
                                                            : "unavailable: " + m.vram_unavailable),
                    "≤ " + trimmed(t.vram_gb_max) + " GB",
                    status(m.vram_gb.has_value(), m.vram_gb && *m.vram_gb <= t.vram_gb_max)});
  {
    std::string value = "not measured";
    if (m.tools_correct) {
      value = std::to_string(*m.tools_correct) + "/" + std::to_string(m.tools_total);
      if (m.tools_weighted) value += " (" + fixed(*m.tools_weighted, 2) + ")";
    }
    checks.push_back(
        // Out of the cases run; with none run there is no "of": "≥ 6", never "≥ 6/0".
        {"Tools", value,
         "≥ " + std::to_string(t.tools_min) +
             (m.tools_total > 0 ? "/" + std::to_string(m.tools_total) : std::string()),
         status(m.tools_correct.has_value(), m.tools_correct && *m.tools_correct >= t.tools_min)});
  }
  checks.push_back({"Vision",
                    m.vision_colours ? std::to_string(*m.vision_colours) + "/" +
                                           std::to_string(m.vision_total) + " colours"
                                     : "not measured",
                    "≥ " + std::to_string(t.vision_colours_min) + " colours (working)",
                    status(m.vision_colours.has_value(),
                           m.vision_colours && *m.vision_colours >= t.vision_colours_min)});
  {
    std::string value = "not measured";
    if (m.persons_found) {
      value = std::to_string(*m.persons_found) + "/" + std::to_string(m.persons_total) + " persons";
      if (m.places_found)
        value += ", " + std::to_string(*m.places_found) + "/" + std::to_string(m.places_total) +
                 " places";
    }
    checks.push_back({"Entities", value, "≥ " + std::to_string(t.persons_min) + " persons",
                      status(m.persons_found.has_value(),
                             m.persons_found && *m.persons_found >= t.persons_min)});
  }
  {
    std::string value = "not measured";
    if (m.kannada_entities) {
      value =
          std::to_string(*m.kannada_entities) + "/" + std::to_string(m.kannada_total) + " entities";
      if (m.kannada_reply) value += *m.kannada_reply ? ", Kannada reply" : ", no Kannada reply";
    }
    checks.push_back({"Kannada", value, "≥ " + std::to_string(t.kannada_entities_min) + " entities",
                      status(m.kannada_entities.has_value(),
                             m.kannada_entities && *m.kannada_entities >= t.kannada_entities_min)});
  }
  return checks;
}

Verdict verdict(const std::vector<ThresholdCheck>& checks) {
  Verdict v;
  for (const auto& check : checks) {
    if (check.status == CheckStatus::fail) v.failed.push_back(check.metric);
    if (check.status == CheckStatus::not_measured) v.not_measured.push_back(check.metric);
  }
  v.none_failed = v.failed.empty();
  v.all_pass = v.failed.empty() && v.not_measured.empty();
  return v;
}

Score score(const Metrics& m, const Suite& suite, const std::vector<std::string>& exclude) {
  Score s;
  // Quality: the mean of what was measured among entities, tool calls and Kannada.
  std::vector<double> quality;
  if (m.persons_found && m.persons_total + m.places_total > 0) {
    quality.push_back(static_cast<double>(*m.persons_found + m.places_found.value_or(0)) /
                      (m.persons_total + m.places_total));
  }
  if (m.tools_weighted) quality.push_back(*m.tools_weighted);
  if (m.kannada_entities && m.kannada_total > 0) {
    double entities = static_cast<double>(*m.kannada_entities) / m.kannada_total;
    quality.push_back(m.kannada_reply ? 0.5 * entities + (*m.kannada_reply ? 0.5 : 0.0) : entities);
  }
  if (!quality.empty() && !excluded(exclude, "quality")) {
    double sum = 0;
    for (double q : quality) sum += q;
    s.quality = clamp01(sum / static_cast<double>(quality.size()));
  }
  // Performance: half throughput (linear up to tok_s_full), half TTFT (full/ttft, capped at 1).
  std::vector<double> perf;
  if (m.tok_s) perf.push_back(clamp01(*m.tok_s / suite.scoring.tok_s_full));
  if (m.ttft_ms)
    perf.push_back(*m.ttft_ms <= 0 ? 1.0 : clamp01(suite.scoring.ttft_ms_full / *m.ttft_ms));
  if (!perf.empty() && !excluded(exclude, "performance")) {
    double sum = 0;
    for (double p : perf) sum += p;
    s.performance = sum / static_cast<double>(perf.size());
  }
  // Vision is binary, as in the seeds: working (enough colours named) or not.
  if (m.vision_colours && !excluded(exclude, "vision")) {
    s.vision = *m.vision_colours >= suite.thresholds.vision_colours_min ? 1.0 : 0.0;
  }
  if (m.vram_gb && !excluded(exclude, "vram"))
    s.vram = clamp01(1.0 - *m.vram_gb / suite.scoring.vram_gb_zero);
  if (m.stability && !excluded(exclude, "stability")) s.stability = clamp01(*m.stability);

  const std::pair<const char*, std::pair<const std::optional<double>*, double>> parts[] = {
      {"quality", {&s.quality, suite.weights.quality}},
      {"performance", {&s.performance, suite.weights.performance}},
      {"vision", {&s.vision, suite.weights.vision}},
      {"vram", {&s.vram, suite.weights.vram}},
      {"stability", {&s.stability, suite.weights.stability}}};
  double weighted = 0, weights = 0;
  for (const auto& [name, part] : parts) {
    if (!part.first->has_value()) {
      s.left_out.emplace_back(name);
      continue;
    }
    weighted += **part.first * part.second;
    weights += part.second;
  }
  s.total = weights > 0 ? 100.0 * weighted / weights : 0.0;
  return s;
}

nlohmann::json to_json(const Score& s) {
  nlohmann::json out = nlohmann::json::object();
  put(out, "quality", s.quality);
  put(out, "performance", s.performance);
  put(out, "vision", s.vision);
  put(out, "vram", s.vram);
  put(out, "stability", s.stability);
  out["total"] = s.total;
  out["left_out"] = s.left_out;
  return out;
}

Decision decide(const Metrics& candidate, const Metrics* baseline, const Suite& suite) {
  Decision d;
  auto v = verdict(check_thresholds(candidate, suite.thresholds));
  auto join = [](const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
  };
  if (baseline == nullptr) {
    d.candidate = score(candidate, suite);
    if (!v.none_failed) {
      d.outcome = "FAIL";
      d.reason = "fails the threshold" + std::string(v.failed.size() > 1 ? "s" : "") + " for " +
                 join(v.failed) + ".";
    } else {
      d.outcome = "PASS";
      d.reason =
          v.not_measured.empty()
              ? "meets every threshold."
              : "meets every measured threshold (not measured: " + join(v.not_measured) + ").";
    }
    return d;
  }
  // Score both on the components both have, so a reading one side lacks cannot tip the result.
  auto first = score(candidate, suite);
  auto second = score(*baseline, suite);
  std::vector<std::string> exclude = first.left_out;
  exclude.insert(exclude.end(), second.left_out.begin(), second.left_out.end());
  d.candidate = score(candidate, suite, exclude);
  d.baseline = score(*baseline, suite, exclude);
  if (d.baseline->total > 0) d.margin = d.candidate.total / d.baseline->total - 1.0;
  const std::string needed = fixed(100 * suite.swap_margin, 0) + "%";
  if (!v.none_failed) {
    d.outcome = "KEEP";
    d.reason = "the candidate fails the threshold" + std::string(v.failed.size() > 1 ? "s" : "") +
               " for " + join(v.failed) + ".";
  } else if (d.margin && *d.margin >= suite.swap_margin) {
    d.outcome = "SWAP";
    d.reason = "the candidate meets every measured threshold and scores " +
               fixed(100 * *d.margin, 1) + "% above the baseline (≥ " + needed + " needed).";
  } else {
    d.outcome = "KEEP";
    d.reason = "the candidate scores " +
               (d.margin ? fixed(100 * *d.margin, 1) + "%" : std::string("n/a")) +
               " against the baseline; a swap needs ≥ " + needed + ".";
  }
  return d;
}

nlohmann::json to_json(const Decision& d) {
  nlohmann::json out = {
      {"outcome", d.outcome}, {"reason", d.reason}, {"candidate", to_json(d.candidate)}};
  out["baseline"] = d.baseline ? to_json(*d.baseline) : nlohmann::json(nullptr);
  put(out, "margin", d.margin);
  return out;
}

}  // namespace llmwire::bench
