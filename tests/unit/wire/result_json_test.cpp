#include "llmwire/result_json.hpp"

#include <doctest/doctest.h>

TEST_CASE("result_json: the aggregate shape is exactly the documented one") {
  llmwire::ChatResult empty;
  CHECK(llmwire::to_json(empty) == nlohmann::json::parse(R"({"content":null,"reasoning":null,
      "tool_calls":[],"finish_reason":null,"usage":null,"error":null,"server_timings":null,
      "done":false})"));

  llmwire::ChatResult full;
  full.content = "hi";
  full.reasoning = "r";
  full.tool_calls = {
      llmwire::ToolCall{.id = "", .name = "f", .arguments = {{"a", 1}}},
      llmwire::ToolCall{.id = "c1", .name = "g", .arguments = nlohmann::json::object()}};
  full.finish_reason = "tool_calls";
  full.usage = llmwire::Usage{.prompt_tokens = 5, .completion_tokens = 7};
  full.error = llmwire::make_error(llmwire::ErrorKind::server, "boom");
  full.done = true;
  full.incomplete_tool_calls = {llmwire::IncompleteToolCall{.name = "h", .raw_text = "{\"x"}};
  CHECK(llmwire::to_json(full) == nlohmann::json::parse(R"({"content":"hi","reasoning":"r",
      "tool_calls":[{"id":null,"name":"f","arguments":{"a":1}},{"id":"c1","name":"g","arguments":{}}],
      "incomplete_tool_calls":[{"name":"h","raw_text":"{\"x"}],
      "finish_reason":"tool_calls","usage":{"prompt_tokens":5,"completion_tokens":7},
      "error":{"message":"boom"},"error_detail":{"kind":"server"},"server_timings":null,
      "done":true})"));
}

TEST_CASE("result_json: events carry a type; invalid UTF-8 is dumped as U+FFFD") {
  llmwire::Error error = llmwire::make_error(llmwire::ErrorKind::protocol, "too big");
  CHECK(llmwire::to_json(llmwire::Event{llmwire::StreamError{&error}}) ==
        nlohmann::json{{"type", "error"}, {"kind", "protocol"}, {"message", "too big"}});
  CHECK(llmwire::to_json(llmwire::Event{llmwire::StreamDone{}}) ==
        nlohmann::json{{"type", "done"}});
  CHECK(llmwire::dump_json(llmwire::to_json(llmwire::Event{llmwire::ContentDelta{"a\xFF"}})) ==
        "{\"text\":\"a\xEF\xBF\xBD\",\"type\":\"content\"}");
}
