// Hostile nesting and unrepresentable values from a server: decoded or reported, never a crash.
// Before json::parse bounded the depth, each deep case here overflowed the stack (SIGSEGV) in a
// recursive copy of the parsed value.

#include <doctest/doctest.h>

#include <string>

#include "llmwire/stream.hpp"
#include "wire_test_support.hpp"

using llmwire::Dialect;
using llmwire::ErrorKind;
using wire_test::content_event;
using wire_test::decode;
using wire_test::done_event;
using wire_test::finish_event;

namespace {

constexpr std::size_t hostile_depth = 100'000;

// `{"a":[[[…1…]]]}` as text, hostile_depth arrays deep.
std::string deep_arguments() {
  return "{\"a\":" + std::string(hostile_depth, '[') + "1" + std::string(hostile_depth, ']') + "}";
}

std::string tool_call_event(const std::string& arguments) {
  nlohmann::json chunk = {{"choices",
                           {{{"index", 0},
                             {"delta",
                              {{"tool_calls",
                                {{{"index", 0},
                                  {"id", "call_1"},
                                  {"type", "function"},
                                  {"function", {{"name", "f"}, {"arguments", arguments}}}}}}}}}}}};
  return "data: " + chunk.dump() + "\n\n";
}

}  // namespace

TEST_CASE("openai: tool-call arguments nested 100k deep end as an incomplete call, text kept") {
  const std::string args = deep_arguments();
  const std::string body =
      content_event("before") + tool_call_event(args) + finish_event("tool_calls") + done_event;
  CHECK(body.size() > 200'000);  // an 800 KB-class event, under the default event cap
  for (std::size_t chunk : {0, 7}) {
    CAPTURE(chunk);
    auto result = decode(body, Dialect::openai, chunk);
    CHECK(result.done);
    CHECK(result.content == "before");
    CHECK(result.tool_calls.empty());
    REQUIRE(result.incomplete_tool_calls.size() == 1);
    CHECK(result.incomplete_tool_calls[0].name == "f");
    CHECK(result.incomplete_tool_calls[0].raw_text == args);  // every byte the server sent
  }
}

TEST_CASE("openai: a chunk nested 100k deep is a parse error; what came before is kept") {
  const std::string deep = std::string(hostile_depth, '[') + std::string(hostile_depth, ']');
  const std::string body = content_event("kept") + "data: {\"choices\":" + deep + "}\n\n" +
                           content_event(" and after") + finish_event("stop") + done_event;
  auto result = decode(body, Dialect::openai);
  REQUIRE(result.error);
  CHECK(result.error->kind == ErrorKind::parse);
  CHECK(result.error->message.find("JSON nesting deeper than 512 levels") != std::string::npos);
  CHECK(result.content == "kept and after");
  CHECK(result.done);
}

TEST_CASE("ollama: a line whose arguments nest 100k deep is a parse error, not a crash") {
  const std::string line =
      R"({"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":)" +
      deep_arguments() + "}}]},\"done\":false}\n";
  const std::string body =
      R"({"message":{"role":"assistant","content":"hi"},"done":false})"
      "\n" +
      line +
      R"({"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"})"
      "\n";
  for (std::size_t chunk : {0, 7}) {
    CAPTURE(chunk);
    auto result = decode(body, Dialect::ollama, chunk);
    REQUIRE(result.error);
    CHECK(result.error->kind == ErrorKind::parse);
    CHECK(result.error->message.find("nesting deeper than 512") != std::string::npos);
    CHECK(result.content == "hi");
    CHECK(result.tool_calls.empty());
    CHECK(result.done);
  }
}

TEST_CASE("a lone surrogate or a 1e400 in a chunk keeps the chunk's text") {
  // Both used to drop the whole chunk as "not a JSON object".
  const std::string body =
      R"(data: {"choices":[{"index":0,"delta":{"content":"a\ud800b"}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"content":" c"},"logprobs":{"content":[{"logprob":-1e400}]}}]})"
      "\n\n" +
      finish_event("stop") + done_event;
  for (std::size_t chunk : {0, 1, 7}) {
    CAPTURE(chunk);
    auto result = decode(body, Dialect::openai, chunk);
    CHECK_FALSE(result.error);
    CHECK(result.content ==
          "a\xEF\xBF\xBD"
          "b c");
    CHECK(result.done);
  }
  const std::string ollama =
      R"({"message":{"role":"assistant","content":"x\udc00y"},"done":false})"
      "\n"
      R"({"message":{"role":"assistant","content":""},"done":true,"eval_duration":1e400})"
      "\n";
  auto result = decode(ollama, Dialect::ollama, 7);
  CHECK_FALSE(result.error);
  CHECK(result.content == "x\xEF\xBF\xBDy");
  CHECK(result.done);
}
