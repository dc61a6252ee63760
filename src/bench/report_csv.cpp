// CSV beside results.json: the samples and the summaries (see report.hpp).

#include <cmath>
#include <cstdio>
#include <string>

#include "bench/report.hpp"

namespace llmwire::bench {
namespace {

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return {};
  if (value.is_string()) return field(value.get<std::string>());
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  if (value.is_number()) {
    const double v = value.get<double>();
    if (!std::isfinite(v)) return {};
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6g", v);
    return buffer;
  }
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return field(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

const nlohmann::json& member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json null;
  if (!object.is_object()) return null;
  auto it = object.find(key);
  return it == object.end() ? null : *it;
}

constexpr const char* sample_columns[] = {"ttft_ms",      "first_sentence_ms", "tok_s",
                                          "itl_p50_ms",   "itl_p90_ms",        "itl_p99_ms",
                                          "total_ms",     "completion_tokens", "prompt_tokens",
                                          "token_source", "server_tok_s",      "server_ttft_ms",
                                          "error"};

}  // namespace

std::string samples_csv(const nlohmann::json& results) {
  std::string out =
      "test,level,prompt,run,ttft_ms,first_sentence_ms,tok_s,itl_p50_ms,itl_p90_ms,itl_p99_ms,"
      "e2e_ms,completion_tokens,prompt_tokens,token_source,server_tok_s,server_ttft_ms,error\n";
  const auto& tests = member(results, "tests");
  if (!tests.is_object()) return out;
  for (const auto& [name, test] : tests.items()) {
    const auto& samples = member(test, "samples");
    if (!samples.is_array()) continue;
    for (const auto& s : samples) {
      out += field(name) + "," + cell(member(s, "level")) + "," + cell(member(s, "prompt")) + "," +
             cell(member(s, member(s, "run").is_null() ? "round" : "run"));  // quality: round
      for (const char* column : sample_columns) out += "," + cell(member(s, column));
      out += "\n";
    }
  }
  return out;
}

std::string summary_csv(const nlohmann::json& results) {
  std::string out = "test,level,metric,n,mean,p50,p90,p99,min,max\n";
  auto row = [&](const std::string& test, const nlohmann::json& level, const std::string& metric,
                 const nlohmann::json& summary) {
    if (!summary.is_object() || !summary.contains("n")) return;
    out += field(test) + "," + cell(level) + "," + field(metric);
    for (const char* key : {"n", "mean", "p50", "p90", "p99", "min", "max"})
      out += "," + cell(member(summary, key));
    out += "\n";
  };
  const auto& tests = member(results, "tests");
  if (!tests.is_object()) return out;
  for (const auto& [name, test] : tests.items()) {
    if (!test.is_object()) continue;
    for (const auto& [metric, value] : test.items()) {
      if (value.is_object() && value.contains("n")) row(name, nullptr, metric, value);
    }
    const auto& sweep = member(test, "sweep");
    if (!sweep.is_array()) continue;
    for (const auto& level : sweep) {
      for (const auto& [metric, value] : level.items())
        if (value.is_object() && value.contains("n"))
          row(name, member(level, "parallel"), metric, value);
    }
  }
  return out;
}

}  // namespace llmwire::bench
