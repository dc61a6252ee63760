#pragma once
// Client-side timings of one response: TTFT, inter-delta gaps, decode tok/s (chat.hpp Timings).

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "llmwire/chat.hpp"
#include "llmwire/events.hpp"

namespace llmwire::detail {

class TransferTimings {
 public:
  using Clock = std::chrono::steady_clock;

  /// Notes when the output a caller sees began: the first content or reasoning event, the first
  /// tool-call event, the first sentence's end (after the profile's parser, as delivered).
  void on_event(const Event& event, Clock::time_point now);
  /// Notes the arrival of one fragment as the server sent it (ResponseDecoder's wire-delta
  /// observer): the decode rate and the gaps are the server's, whatever the profile's parser
  /// holds back and releases later. Called on the hot path: no allocation beyond the amortised
  /// growth of the gap vector.
  void on_wire_delta(Clock::time_point now);

  /// Fills result.timings, measured from `sent` (start of the attempt that answered) to `end`;
  /// `first_byte` is when the response began (for a held-back output's decode window).
  void fill(ChatResult& result, Clock::time_point sent, Clock::time_point end,
            std::optional<Clock::time_point> first_byte = std::nullopt) const;

  /// Discards what an earlier attempt recorded.
  void reset();

 private:
  std::optional<Clock::time_point> first_visible_;  // first content or reasoning delta
  std::optional<Clock::time_point> first_tool_;     // first tool-call event
  std::optional<Clock::time_point> first_sentence_;
  std::optional<Clock::time_point> first_delta_, last_delta_;
  std::size_t deltas_ = 0;
  std::vector<float> gaps_ms_;
};

/// Nearest-rank percentile (p in 0..100) of `values`, which it sorts. nullopt when empty.
[[nodiscard]] std::optional<double> percentile(std::vector<float>& values, double p);

}  // namespace llmwire::detail
