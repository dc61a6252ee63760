#include "llmwire/error.hpp"

#include <doctest/doctest.h>

#include "llmwire/chat.hpp"

using namespace llmwire;

TEST_CASE("to_string gives each error kind a stable name") {
  CHECK(to_string(ErrorKind::rate_limited) == "rate_limited");
  CHECK(to_string(ErrorKind::stream_broken) == "stream_broken");
  CHECK(to_string(ErrorKind::gpu_unavailable) == "gpu_unavailable");
}

TEST_CASE("fail() builds an unexpected Result carrying kind and message") {
  auto parse_digit = [](char c) -> Result<int> {
    if (c < '0' || c > '9') return fail(ErrorKind::parse, std::string("not a digit: ") + c);
    return c - '0';
  };
  REQUIRE(parse_digit('7').has_value());
  CHECK(*parse_digit('7') == 7);
  auto bad = parse_digit('x');
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().kind == ErrorKind::parse);
  CHECK(bad.error().message == "not a digit: x");
  CHECK(bad.error().http_status == 0);
  CHECK_FALSE(bad.error().retry_after.has_value());
}

TEST_CASE("Message factories set role and fields") {
  auto tool = Message::tool_result("call_1", "web_search", "{\"hits\":3}");
  CHECK(tool.role == Role::tool);
  CHECK(tool.tool_call_id == "call_1");
  CHECK(tool.name == "web_search");
  CHECK(to_string(tool.role) == "tool");
  CHECK(Message::system("x").role == Role::system);
}
