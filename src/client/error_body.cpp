// Non-2xx bodies of each server → Error (FORMATS.md §1 "Errors before streaming", §2 "Errors"),
// and Retry-After parsing for the retry policy.

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "llmwire/client.hpp"
#include "llmwire/json_parse.hpp"
#include "llmwire/printable.hpp"

namespace llmwire {
namespace {

std::string scalar_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_null()) return {};
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// A body that is not JSON (a proxy's HTML page, plain text) still says something useful.
std::string body_excerpt(std::string_view body) {
  body = trim(body);
  constexpr std::size_t limit = 300;
  std::string out(body.substr(0, limit));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (body.size() > limit) out += "…";
  return out;
}

}  // namespace

Error decode_error_body(int http_status, std::string_view body) {
  Error error{.kind = http_status == 429 ? ErrorKind::rate_limited : ErrorKind::http,
              .message = {},
              .http_status = http_status};
  try {
    auto parsed = json::parse(body);
    const nlohmann::json json = parsed ? std::move(*parsed) : nlohmann::json();
    if (json.is_object()) {
      const nlohmann::json* fields = nullptr;
      if (auto it = json.find("error"); it != json.end()) {
        if (it->is_string()) {
          error.message = it->get<std::string>();  // Ollama native: {"error":"…"}
        } else if (it->is_object()) {
          fields = &*it;  // vLLM ≥ 0.10.1, llama-server, Ollama /v1, OpenAI
        }
      } else if (json.value("object", "") == "error" || json.contains("message")) {
        fields = &json;  // older vLLM: flat {"object":"error","message",…}
      }
      if (fields != nullptr) {
        if (auto m = fields->find("message"); m != fields->end()) error.message = scalar_text(*m);
        if (auto t = fields->find("type"); t != fields->end())
          error.provider_type = scalar_text(*t);
        if (auto c = fields->find("code"); c != fields->end())
          error.provider_code = scalar_text(*c);
      }
      // FastAPI validation errors ({"detail": …}) from servers without their own handler.
      if (error.message.empty()) {
        if (auto d = json.find("detail"); d != json.end()) error.message = scalar_text(*d);
      }
    }
  } catch (const nlohmann::json::exception&) {
    // Not JSON: fall through to the excerpt.
  }
  if (error.message.empty()) error.message = body_excerpt(body);
  if (error.message.empty()) {  // nothing but whitespace, or no body at all
    error.message = "HTTP " + std::to_string(http_status) + " with an empty body";
  }
  // The body is the server's text: it may hold ESC/BEL meant for whoever prints the message.
  escape_controls(error.message);
  escape_controls(error.provider_type);
  escape_controls(error.provider_code);
  return error;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, bool is_ms, std::chrono::system_clock::time_point now) {
  // A server's absurd value ("1e300", year 9999) is saturated here: far above any sane
  // retry_after_cap, yet small enough that neither the conversions below nor the caller's
  // `now + delay` overflow (signed overflow is undefined behaviour).
  constexpr long long max_ms = 1'000'000'000'000;  // ~31 years
  value = trim(value);
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
