// Client-side timings (see transfer_timings.hpp).

#include "client/transfer_timings.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <variant>

namespace llmwire::detail {

namespace {
double ms_between(TransferTimings::Clock::time_point from, TransferTimings::Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}
}  // namespace

namespace {

// A sentence ends at '.', '!', '?', the Devanagari/Kannada danda '।' (U+0964) or a newline.
bool ends_a_sentence(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' || c == '!' || c == '?' || c == '\n') return true;
    if (c == '\xE0' && i + 2 < text.size() && text[i + 1] == '\xA5' && text[i + 2] == '\xA4')
      return true;
  }
  return false;
}

}  // namespace

void TransferTimings::on_event(const Event& event, Clock::time_point now) {
  const auto* content = std::get_if<ContentDelta>(&event);
  const bool visible = content != nullptr || std::holds_alternative<ReasoningDelta>(event);
  const bool tool = std::holds_alternative<ToolCallBegin>(event) ||
                    std::holds_alternative<ToolCallArgumentsDelta>(event);
  if (tool && !first_tool_) first_tool_ = now;
  if (content != nullptr && !first_sentence_ && ends_a_sentence(content->text))
    first_sentence_ = now;
  if (visible && !first_visible_) first_visible_ = now;
}

void TransferTimings::on_wire_delta(Clock::time_point now) {
  // Content, reasoning and tool-argument fragments alike: each is the server's tokens.
  if (last_delta_) gaps_ms_.push_back(static_cast<float>(ms_between(*last_delta_, now)));
  if (!first_delta_) first_delta_ = now;
  last_delta_ = now;
  ++deltas_;
}

void TransferTimings::reset() {
  *this = TransferTimings{};
}

std::optional<double> percentile(std::vector<float>& values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const std::size_t index =
      static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(values.size()))) - 1;
  return values[index];
}

void TransferTimings::fill(ChatResult& result, Clock::time_point sent, Clock::time_point end,
                           std::optional<Clock::time_point> first_byte) const {
  Timings& t = result.timings;
  if (first_visible_) {
    t.ttft_ms = ms_between(sent, *first_visible_);
  } else if (first_tool_) {
    t.ttft_ms = ms_between(sent, *first_tool_);
  }
  if (first_sentence_) t.first_sentence_ms = ms_between(sent, *first_sentence_);
  t.total_ms = ms_between(sent, end);
  std::int64_t tokens = 0;
  if (result.usage && result.usage->completion_tokens > 0) {
    tokens = result.usage->completion_tokens;
    t.token_count_source = TokenCountSource::server_usage;
  } else if (deltas_ > 0) {
    tokens = static_cast<std::int64_t>(deltas_);
    t.token_count_source = TokenCountSource::counted_deltas;
  }
  // Held back: only tool calls, in fewer deltas than half the tokens the server counted.
  const bool held_back = !first_visible_ && first_tool_ &&
                         t.token_count_source == TokenCountSource::server_usage &&
                         static_cast<std::int64_t>(deltas_) * 2 < tokens;
  std::optional<Clock::time_point> window_start = first_delta_;
  if (held_back && first_byte && first_delta_ && *first_byte < *first_delta_) {
    window_start = first_byte;
    t.output_held_back = true;
  }
  if (tokens >= 2 && window_start && last_delta_ && *last_delta_ > *window_start) {
    t.decode_tok_s = static_cast<double>(tokens - 1) /
                     std::chrono::duration<double>(*last_delta_ - *window_start).count();
  }
  std::vector<float> gaps = gaps_ms_;
  t.gap_p50_ms = percentile(gaps, 50);
  t.gap_p90_ms = percentile(gaps, 90);
  t.gap_p99_ms = percentile(gaps, 99);
}

}  // namespace llmwire::detail
