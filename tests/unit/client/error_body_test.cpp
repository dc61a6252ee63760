// decode_error_body and parse_retry_after (src/client/error_body.cpp).

#include <doctest/doctest.h>

#include "llmwire/client.hpp"

using namespace llmwire;
using namespace std::chrono_literals;

TEST_CASE("error bodies of each server decode into Error") {
  SUBCASE("vLLM >= 0.10.1 nested shape") {
    const Error e = decode_error_body(
        400,
        R"({"error":{"message":"max_tokens is too large","type":"BadRequestError","param":null,"code":400}})");
    CHECK(e.kind == ErrorKind::http);
    CHECK(e.http_status == 400);
    CHECK(e.message == "max_tokens is too large");
    CHECK(e.provider_type == "BadRequestError");
    CHECK(e.provider_code == "400");
  }
  SUBCASE("older vLLM flat shape") {
    const Error e = decode_error_body(
        500,
        R"({"object":"error","message":"engine dead","type":"InternalServerError","param":null,"code":500})");
    CHECK(e.kind == ErrorKind::http);
    CHECK(e.message == "engine dead");
    CHECK(e.provider_type == "InternalServerError");
    CHECK(e.provider_code == "500");
  }
  SUBCASE("llama-server") {
    const Error e = decode_error_body(
        503, R"({"error":{"code":503,"message":"Loading model","type":"unavailable_error"}})");
    CHECK(e.http_status == 503);
    CHECK(e.message == "Loading model");
    CHECK(e.provider_type == "unavailable_error");
    CHECK(e.provider_code == "503");
  }
  SUBCASE("Ollama native") {
    const Error e = decode_error_body(
        404, R"({"error":"model \"gemma4:26b\" not found, try pulling it first"})");
    CHECK(e.kind == ErrorKind::http);
    CHECK(e.message == "model \"gemma4:26b\" not found, try pulling it first");
    CHECK(e.provider_type.empty());
    CHECK(e.provider_code.empty());
  }
  SUBCASE("Ollama /v1") {
    const Error e = decode_error_body(
        400,
        R"({"error":{"message":"invalid model","type":"invalid_request_error","param":null,"code":null}})");
    CHECK(e.message == "invalid model");
    CHECK(e.provider_type == "invalid_request_error");
    CHECK(e.provider_code.empty());
  }
  SUBCASE("429 is rate_limited") {
    const Error e = decode_error_body(
        429,
        R"({"error":{"message":"slow down","type":"rate_limit","code":"rate_limit_exceeded"}})");
    CHECK(e.kind == ErrorKind::rate_limited);
    CHECK(e.provider_code == "rate_limit_exceeded");
  }
  SUBCASE("non-JSON body keeps an excerpt") {
    const Error e = decode_error_body(502, "<html>\n<body>Bad Gateway</body></html>");
    CHECK(e.message == "<html> <body>Bad Gateway</body></html>");
  }
  SUBCASE("empty body") {
    CHECK(decode_error_body(500, "").message == "HTTP 500 with an empty body");
    // Found by fuzz_error_body: a whitespace-only body gave an empty message.
    CHECK(decode_error_body(502, "\n\n \t").message == "HTTP 502 with an empty body");
  }
  SUBCASE("truncated JSON does not throw") {
    const Error e = decode_error_body(500, R"({"error":{"message":"cut)");
    CHECK(e.message == R"({"error":{"message":"cut)");
  }
}

TEST_CASE("Retry-After: seconds, HTTP date, retry-after-ms") {
  using std::chrono::milliseconds;
  CHECK(parse_retry_after("2", false) == milliseconds(2000));
  CHECK(parse_retry_after(" 0 ", false) == milliseconds(0));
  CHECK(parse_retry_after("1500", true) == milliseconds(1500));
  CHECK(parse_retry_after("12.2", true) == milliseconds(13));
  CHECK_FALSE(parse_retry_after("soon", false));
  CHECK_FALSE(parse_retry_after("-3", false));
  CHECK_FALSE(parse_retry_after("abc", true));
  CHECK_FALSE(parse_retry_after("", false));
  // 1994-11-06 08:49:37 UTC = 784111777
  const auto now = std::chrono::system_clock::from_time_t(784111777 - 5);
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", false, now) == milliseconds(5000));
  // A date in the past means "now".
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", false, now + 60s) == milliseconds(0));
  // Absurd values saturate (no overflow into a negative or wrapped delay): still more than a
  // year, so the client's retry_after_cap refuses to wait for them.
  const auto year = std::chrono::hours(24 * 365);
  for (auto [text, is_ms] : {std::pair{"1e300", true}, std::pair{"9223372036854775", false},
                             std::pair{"99999999999999999999999", false},
                             std::pair{"Fri, 31 Dec 9999 23:59:59 GMT", false}}) {
    CAPTURE(text);
    auto saturated = parse_retry_after(text, is_ms, now);
    REQUIRE(saturated);
    CHECK(*saturated > year);
  }
}

TEST_CASE("SecretString wipes and never shows itself") {
  SecretString key("sk-test-123");
  CHECK(key.reveal() == "sk-test-123");
  CHECK(key.redacted() == "[REDACTED]");
  SecretString moved(std::move(key));
  CHECK(moved.reveal() == "sk-test-123");
  CHECK(key.empty());  // NOLINT(bugprone-use-after-move): moving wipes the source
  SecretString copy;
  copy = moved;
  CHECK(copy.reveal() == "sk-test-123");
  copy = SecretString();
  CHECK(copy.empty());
  CHECK(copy.redacted().empty());
}
