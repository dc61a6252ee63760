// parse_retry_after (src/client/retry_after.cpp) and SecretString.

#include <doctest/doctest.h>

#include "llmwire/client.hpp"

using namespace llmwire;
using namespace std::chrono_literals;

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
