// Retry-After parsing for the client's retry policy (curl reads HTTP dates).

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "core/trim.hpp"
#include "llmwire/client.hpp"

namespace llmwire {

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, bool is_ms, std::chrono::system_clock::time_point now) {
  // A server's absurd value ("1e300", year 9999) is saturated here: far above any sane
  // retry_after_cap, yet small enough that neither the conversions below nor the caller's
  // `now + delay` overflow (signed overflow is undefined behaviour).
  constexpr long long max_ms = 1'000'000'000'000;  // ~31 years
  value = detail::trim_blanks(value);
  if (value.empty()) return std::nullopt;
  if (is_ms) {
    // retry-after-ms may carry a fraction ("1500.5"); OpenAI's SDKs accept that.
    double ms = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(ms) || ms < 0)
      return std::nullopt;
    return std::chrono::milliseconds(
        ms >= static_cast<double>(max_ms) ? max_ms : static_cast<long long>(std::ceil(ms)));
  }
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc::result_out_of_range && end == value.data() + value.size() &&
      value.front() != '-') {
    return std::chrono::milliseconds(max_ms);  // more digits than a long long holds
  }
  if (ec == std::errc{} && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::milliseconds(std::min(seconds, max_ms / 1000) * 1000);
  }
  // An HTTP date (RFC 9110 IMF-fixdate, or the obsolete forms): curl_getdate knows them all.
  const std::string date(value);
  const time_t when = curl_getdate(date.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  // Compared in seconds first: from_time_t of a date far in the future or the past (year 1611)
  // overflows system_clock's nanoseconds.
  const time_t now_seconds = std::chrono::system_clock::to_time_t(now);
  if (when <= now_seconds) return std::chrono::milliseconds(0);
  if (when - now_seconds > max_ms / 1000) return std::chrono::milliseconds(max_ms);
  const auto delta = std::chrono::system_clock::from_time_t(when) - now;
  if (delta <= std::chrono::system_clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(delta);
}

}  // namespace llmwire
