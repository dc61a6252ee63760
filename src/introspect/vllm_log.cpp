// vLLM's memory figures from its start-up log (see server_info.hpp). The lines are vLLM's own
// (its GPU model runner and worker): "Model loading took 15.7621 GiB and 12.3 seconds",
// "Available KV cache memory: 81.80 GiB", "GPU KV cache size: 1,234,567 tokens".

#include <charconv>
#include <map>

#include "llmwire/server_info.hpp"

namespace llmwire {
namespace {

// The number right after `at` (spaces skipped); commas as thousands separators are allowed.
std::optional<double> number_after(std::string_view line, std::size_t at) {
  while (at < line.size() && line[at] == ' ') ++at;
  std::string digits;
  while (at < line.size() &&
         ((line[at] >= '0' && line[at] <= '9') || line[at] == '.' || line[at] == ',')) {
    if (line[at] != ',') digits.push_back(line[at]);
    ++at;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
    return std::nullopt;
  return value;
}

// What follows the number: its unit word ("GiB", "GB", "tokens").
std::string_view unit_after(std::string_view line, std::size_t at) {
  while (at < line.size() && line[at] == ' ') ++at;
  while (at < line.size() &&
         ((line[at] >= '0' && line[at] <= '9') || line[at] == '.' || line[at] == ','))
    ++at;
  while (at < line.size() && line[at] == ' ') ++at;
  std::size_t end = at;
  while (end < line.size() && line[end] != ' ' && line[end] != ',' && line[end] != '\r') ++end;
  return line.substr(at, end - at);
}

// Tensor-parallel workers prefix their lines with "rank=N"; the figures are per GPU.
std::string rank_of(std::string_view line) {
  auto at = line.find("rank=");
  if (at == std::string_view::npos) return {};
  std::size_t end = at + 5;
  while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
  return std::string(line.substr(at, end - at));
}

std::optional<double> in_gib(double value, std::string_view unit) {
  if (unit == "GiB") return value;
  if (unit == "GB") return value * 1e9 / (1024.0 * 1024.0 * 1024.0);
  if (unit == "MiB") return value / 1024.0;
  return std::nullopt;
}

std::optional<double> total(const std::map<std::string, double>& per_rank) {
  if (per_rank.empty()) return std::nullopt;
  double sum = 0;
  for (const auto& [rank, value] : per_rank) sum += value;
  return sum;
}

}  // namespace

VllmLogMemory parse_vllm_log(std::string_view text) {
  VllmLogMemory memory;
  std::map<std::string, double> model, kv;
  std::map<std::string, std::int64_t> tokens;
  constexpr std::string_view model_markers[] = {"Model loading took", "Loading model weights took"};
  constexpr std::string_view kv_marker = "Available KV cache memory:";
  constexpr std::string_view tokens_marker = "GPU KV cache size:";
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    for (std::string_view marker : model_markers) {
      if (auto at = line.find(marker); at != std::string_view::npos) {
        const std::size_t from = at + marker.size();
        auto value = number_after(line, from);
        auto gib = value ? in_gib(*value, unit_after(line, from)) : std::nullopt;
        if (gib) {
          // A new start-up (a rank reporting again) replaces what came before.
          if (model.contains(rank_of(line))) {
            model.clear();
            kv.clear();
            tokens.clear();
          }
          model[rank_of(line)] = *gib;
          ++memory.lines_matched;
        }
        break;
      }
    }
    if (auto at = line.find(kv_marker); at != std::string_view::npos) {
      const std::size_t from = at + kv_marker.size();
      auto value = number_after(line, from);
      if (auto gib = value ? in_gib(*value, unit_after(line, from)) : std::nullopt) {
        kv[rank_of(line)] = *gib;
        ++memory.lines_matched;
      }
    }
    if (auto at = line.find(tokens_marker); at != std::string_view::npos) {
      const std::size_t from = at + tokens_marker.size();
      auto value = number_after(line, from);
      // A count, and one an int64 holds: a mangled line ("1,234,5671234,567…" can run to 10^27)
      // is skipped rather than converted (found by fuzz_server_info under UBSan).
      if (value && unit_after(line, from) == "tokens" && *value >= 0 && *value < 9.0e18 &&
          *value == static_cast<double>(static_cast<std::int64_t>(*value))) {
        tokens[rank_of(line)] = static_cast<std::int64_t>(*value);
        ++memory.lines_matched;
      }
    }
  }
  memory.model_gib = total(model);
  memory.kv_cache_gib = total(kv);
  if (!tokens.empty()) memory.kv_cache_tokens = tokens.begin()->second;  // the pool, not per GPU
  return memory;
}

}  // namespace llmwire
