#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "llmwire/profile.hpp"
#include "llmwire/result_json.hpp"
#include "llmwire/stream.hpp"
#include "wire_test_support.hpp"

using llmwire::Dialect;
using wire_test::content_event;
using wire_test::decode;
using wire_test::done_event;
using wire_test::finish_event;

namespace {

// Kannada, Devanagari, an emoji and a ZWJ emoji sequence: many multibyte boundaries.
const std::string multilingual =
    "\xE0\xB2\x95\xE0\xB2\xA8\xE0\xB3\x8D\xE0\xB2\xA8\xE0\xB2\xA1 "
    "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87 "
    "\xF0\x9F\x9A\x80\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB";

}  // namespace

TEST_CASE("openai: content aggregates across chunks and events are emitted in order") {
  std::string body =
      content_event("Hello") + content_event(", world") + finish_event("stop") + done_event;
  for (std::size_t chunk : {0, 1, 7}) {
    std::vector<std::string> events;
    auto result = decode(body, Dialect::openai, chunk, &events);
    CAPTURE(chunk);
    CHECK(result.content == "Hello, world");
    CHECK_FALSE(result.reasoning.has_value());
    CHECK(result.finish_reason == "stop");
    CHECK(result.done);
    CHECK_FALSE(result.error.has_value());
    CHECK(events == std::vector<std::string>{R"({"text":"Hello","type":"content"})",
                                             R"({"text":", world","type":"content"})",
                                             R"({"reason":"stop","type":"finish"})",
                                             R"({"type":"done"})"});
  }
}

TEST_CASE("openai: Kannada and emoji split at every byte offset are never corrupted") {
  // Two events, split between characters (nlohmann would refuse to dump half a character).
  std::string body = content_event(multilingual.substr(0, 9)) +
                     content_event(multilingual.substr(9)) + finish_event("stop") + done_event;
  // Raw (unescaped) UTF-8 inside the JSON, like vLLM sends it.
  std::string raw = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + multilingual +
                    "\"}}]}\n\n" + done_event;
  for (const std::string& b : {body, raw}) {
    for (std::size_t split = 0; split <= b.size(); ++split) {
      auto result = wire_test::decode_split(b, Dialect::openai, split);
      CAPTURE(split);
      REQUIRE(result.content == multilingual);
    }
    CHECK(decode(b, Dialect::openai, 1).content == multilingual);
  }
}

TEST_CASE("openai: reasoning vs reasoning_content is never double counted") {
  std::string body =
      R"(data: {"choices":[{"index":0,"delta":{"reasoning":"Think","reasoning_content":"Think"}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"reasoning":null,"reasoning_content":" more"}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"reasoning_content":null,"reasoning":" done"}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"content":"Answer","reasoning":null}}]})"
      "\n\n" +
      done_event;
  for (std::size_t chunk : {0, 1, 7}) {
    auto result = decode(body, Dialect::openai, chunk);
    CHECK(result.reasoning == "Think more done");
    CHECK(result.content == "Answer");
  }
}

TEST_CASE("openai: tool-call fragments are assembled by index") {
  std::string body =
      R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{\"tz\":"}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \"Pa"}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ris\"}"}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"UTC\"}"}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":2,"id":"call_c","function":{"name":"noargs","arguments":""}}]}}]})"
      "\n\n"
      R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"
      "\n\n" +
      done_event;
  for (std::size_t chunk : {0, 1, 7}) {
    std::vector<std::string> events;
    auto result = decode(body, Dialect::openai, chunk, &events);
    REQUIRE(result.tool_calls.size() == 3);
    CHECK(result.tool_calls[0].id == "call_a");
    CHECK(result.tool_calls[0].name == "get_weather");
    CHECK(result.tool_calls[0].arguments == nlohmann::json{{"city", "Paris"}});
    CHECK(result.tool_calls[1].id == "call_b");
    CHECK(result.tool_calls[1].arguments == nlohmann::json{{"tz", "UTC"}});
    CHECK(result.tool_calls[2].arguments == nlohmann::json::object());  // "" means no arguments
    CHECK(result.finish_reason == "tool_calls");
    CHECK(result.content == "");  // an empty fragment arrived: "" rather than null
    // Complete events come before the finish event, begin events before their fragments.
    CHECK(
        events.front() ==
        R"({"id":"call_a","index":0,"name":"get_weather","origin":"server","type":"tool_call_begin"})");
    CHECK(events[events.size() - 2] == R"({"reason":"tool_calls","type":"finish"})");
  }
}

TEST_CASE("openai: finish_reason arrives with content or with an empty delta") {
  std::string with_content =
      R"(data: {"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"length"}]})"
      "\n\n" +
      done_event;
  CHECK(decode(with_content, Dialect::openai).finish_reason == "length");
  CHECK(decode(with_content, Dialect::openai).content == "x");
  std::string empty_delta = content_event("y") + finish_event("stop") + done_event;
  CHECK(decode(empty_delta, Dialect::openai).finish_reason == "stop");
}

TEST_CASE("openai: the usage chunk with choices:[] and llama-server timings") {
  std::string body =
      content_event("hi") + finish_event("stop") +
      R"(data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}})"
      "\n\n"
      R"(data: {"choices":[],"timings":{"prompt_n":12,"prompt_ms":8.5,"predicted_n":3,"predicted_ms":30.0,"predicted_per_second":100.0}})"
      "\n\n" +
      done_event;
  for (std::size_t chunk : {0, 1, 7}) {
    auto result = decode(body, Dialect::openai, chunk);
    REQUIRE(result.usage.has_value());
    CHECK(result.usage->prompt_tokens == 12);
    CHECK(result.usage->completion_tokens == 3);
    REQUIRE(result.server_timings.has_value());
    CHECK(result.server_timings->predicted_per_second == doctest::Approx(100.0));
    CHECK(result.server_timings->prompt_ms == doctest::Approx(8.5));
  }
}

TEST_CASE("openai: mid-stream errors keep the partial output") {
  SUBCASE("vLLM data: {error} then [DONE]") {
    std::string body =
        content_event("Partial") +
        R"(data: {"error": {"message": "CUDA error", "type": "InternalServerError", "param": null, "code": 500}})"
        "\n\n" +
        done_event;
    for (std::size_t chunk : {0, 1, 7}) {
      auto result = decode(body, Dialect::openai, chunk);
      CHECK(result.content == "Partial");
      REQUIRE(result.error.has_value());
      CHECK(result.error->kind == llmwire::ErrorKind::server);
      CHECK(result.error->message == "CUDA error");
      CHECK(result.error->provider_type == "InternalServerError");
      CHECK(result.error->provider_code == "500");
      CHECK(result.done);
    }
  }
  SUBCASE("llama-server data: {error} and the stream ends") {
    std::string body =
        content_event("Part") +
        R"(data: {"error":{"code":500,"message":"slot failed","type":"server_error"}})"
        "\n\n";
    auto result = decode(body, Dialect::openai);
    CHECK(result.content == "Part");
    REQUIRE(result.error.has_value());
    CHECK(result.error->message == "slot failed");
    CHECK_FALSE(result.done);
  }
  SUBCASE("a string error") {
    auto result = decode("data: {\"error\":\"overloaded\"}\n\n", Dialect::openai);
    REQUIRE(result.error.has_value());
    CHECK(result.error->message == "overloaded");
  }
  SUBCASE("old flat vLLM error object") {
    auto result =
        decode(R"(data: {"object":"error","message":"bad","type":"BadRequestError","code":400})"
               "\n\n",
               Dialect::openai);
    REQUIRE(result.error.has_value());
    CHECK(result.error->message == "bad");
  }
  SUBCASE("the old bare `error:` SSE field") {
    std::string body =
        "error: {\"code\":400,\"message\":\"context too "
        "long\",\"type\":\"invalid_request_error\"}\n\n" +
        done_event;
    for (std::size_t chunk : {0, 1, 7}) {
      auto result = decode(body, Dialect::openai, chunk);
      REQUIRE(result.error.has_value());
      CHECK(result.error->message == "context too long");
      CHECK(result.done);
      CHECK_FALSE(result.content.has_value());
    }
  }
  SUBCASE("a bare `error:` field that is not JSON") {
    auto result = decode("error: out of memory\n\n", Dialect::openai);
    REQUIRE(result.error.has_value());
    CHECK(result.error->message == "out of memory");
  }
}

TEST_CASE("openai: truncation keeps every byte before the cut, done stays false") {
  std::string body = content_event("This is cut") + content_event(" off") +
                     R"(data: {"choices":[{"index":0,"delta":{"content":" never)";
  for (std::size_t chunk : {0, 1, 7}) {
    auto result = decode(body, Dialect::openai, chunk);
    CHECK(result.content == "This is cut off");
    CHECK_FALSE(result.done);
    CHECK_FALSE(result.finish_reason.has_value());
    CHECK_FALSE(result.error.has_value());  // the transport decides whether that is an error
  }
}

TEST_CASE("openai: a tool call cut off mid-arguments is incomplete, never executed") {
  std::string body =
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"rm","arguments":"{\"path\": \"/tm"}}]}}]})"
      "\n\n";
  std::vector<std::string> events;
  auto result = decode(body, Dialect::openai, 0, &events);
  CHECK(result.tool_calls.empty());
  REQUIRE(result.incomplete_tool_calls.size() == 1);
  CHECK(result.incomplete_tool_calls[0].name == "rm");
  CHECK(result.incomplete_tool_calls[0].raw_text == "{\"path\": \"/tm");
  CHECK(events.back() ==
        R"({"name":"rm","raw_text":"{\"path\": \"/tm","type":"tool_call_incomplete"})");
}

TEST_CASE("openai: invalid UTF-8 becomes U+FFFD, not a crash or a lost chunk") {
  std::string body =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\xFF"
      "b\xE2\x82\"}}]}\n\n" +
      done_event;
  for (std::size_t chunk : {0, 1, 7}) {
    auto result = decode(body, Dialect::openai, chunk);
    CHECK(result.content ==
          "a\xEF\xBF\xBD"
          "b\xEF\xBF\xBD");
    CHECK_FALSE(result.error.has_value());
  }
}

TEST_CASE("openai: a malformed chunk is reported as a parse error; decoding goes on") {
  std::string body = "data: {not json\n\n" + content_event("ok") + done_event;
  auto result = decode(body, Dialect::openai);
  REQUIRE(result.error.has_value());
  CHECK(result.error->kind == llmwire::ErrorKind::parse);
  CHECK(result.content == "ok");
  CHECK(result.done);
}

TEST_CASE("openai: anything after [DONE] is ignored") {
  std::string body =
      content_event("a") + done_event + content_event("b") + "data: {\"error\":\"late\"}\n\n";
  for (std::size_t chunk : {0, 1, 7}) {
    auto result = decode(body, Dialect::openai, chunk);
    CHECK(result.content == "a");
    CHECK_FALSE(result.error.has_value());
    CHECK(result.done);
  }
}

TEST_CASE("openai: only the first choice is aggregated") {
  std::string body =
      R"(data: {"choices":[{"index":0,"delta":{"content":"A"}},{"index":1,"delta":{"content":"B"}}]})"
      "\n\n" +
      done_event;
  CHECK(decode(body, Dialect::openai).content == "A");
}

TEST_CASE("openai: an event over max_event_bytes is a protocol error; output so far is kept") {
  std::string body = content_event("kept") + content_event(std::string(500, 'x')) + done_event;
  llmwire::DecoderOptions options{.max_event_bytes = 200};
  auto result = decode(body, Dialect::openai, 7, nullptr, options);
  CHECK(result.content == "kept");
  REQUIRE(result.error.has_value());
  CHECK(result.error->kind == llmwire::ErrorKind::protocol);
  CHECK_FALSE(result.done);
}

TEST_CASE("openai: a new tool-call index per fragment stops at 1024 calls, a protocol error") {
  std::string body;
  for (int i = 0; i < 1500; ++i) {
    body += R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":)" + std::to_string(i) +
            R"(,"id":"c","function":{"name":"f","arguments":"{}"}}]}}]})" + "\n\n";
  }
  body += done_event;
  auto result = decode(body, Dialect::openai, 7);
  REQUIRE(result.error.has_value());
  CHECK(result.error->kind == llmwire::ErrorKind::protocol);
  CHECK(result.tool_calls.size() == 1024);  // the calls before the limit are kept
  CHECK_FALSE(result.done);
}

TEST_CASE("ollama: content, thinking, whole tool calls, done and metrics") {
  std::string body =
      R"({"model":"m","message":{"role":"assistant","content":"","thinking":"Hmm"},"done":false})"
      "\n"
      R"({"model":"m","message":{"role":"assistant","content":"Hi \u003cb\u003e"},"done":false})"
      "\n"
      R"({"model":"m","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"x":1}}},{"id":"call_1","function":{"index":1,"name":"g","arguments":{}}}]},"done":false})"
      "\n"
      R"({"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":2000,"prompt_eval_count":9,"eval_count":4,"eval_duration":1000})"
      "\n";
  for (std::size_t chunk : {0, 1, 7}) {
    auto result = decode(body, Dialect::ollama, chunk);
    CHECK(result.reasoning == "Hmm");
    CHECK(result.content == "Hi <b>");
    REQUIRE(result.tool_calls.size() == 2);
    CHECK(result.tool_calls[0].id.empty());
    CHECK(result.tool_calls[0].name == "f");
    CHECK(result.tool_calls[0].arguments == nlohmann::json{{"x", 1}});
    CHECK(result.tool_calls[1].id == "call_1");
    CHECK(result.finish_reason == "stop");
    REQUIRE(result.usage.has_value());
    CHECK(result.usage->prompt_tokens == 9);
    CHECK(result.usage->completion_tokens == 4);
    REQUIRE(result.server_timings.has_value());
    CHECK(result.server_timings->eval_duration_ns == 1000);
    CHECK(result.done);
    CHECK(llmwire::to_json(result)["tool_calls"][0]["id"].is_null());
  }
}

TEST_CASE("ollama: a mid-stream error line keeps the partial output") {
  std::string body = R"({"message":{"role":"assistant","content":"Yes"},"done":false})"
                     "\n"
                     R"({"error":"model crashed"})"
                     "\n";
  auto result = decode(body, Dialect::ollama, 7);
  CHECK(result.content == "Yes");
  REQUIRE(result.error.has_value());
  CHECK(result.error->message == "model crashed");
  CHECK_FALSE(result.done);
}

TEST_CASE("ollama: a last line without LF counts if complete, is dropped if cut") {
  std::string complete = R"({"message":{"content":"a"},"done":false})"
                         "\n"
                         R"({"message":{"content":"b"},"done":true,"done_reason":"stop"})";
  auto result = decode(complete, Dialect::ollama, 3);
  CHECK(result.content == "ab");
  CHECK(result.done);
  std::string cut = R"({"message":{"content":"a"},"done":false})"
                    "\n"
                    R"({"message":{"content":"b"},"do)";
  result = decode(cut, Dialect::ollama, 3);
  CHECK(result.content == "a");
  CHECK_FALSE(result.done);
  CHECK_FALSE(result.error.has_value());
}

TEST_CASE("ollama: invalid UTF-8 in a line becomes U+FFFD") {
  std::string body = "{\"message\":{\"content\":\"x\xC3(\"},\"done\":false}\n";
  CHECK(decode(body, Dialect::ollama, 1).content == "x\xEF\xBF\xBD(");
}

TEST_CASE("decoder: a sink returning false cancels and keeps what arrived") {
  std::string body = content_event("one") + content_event("two") + done_event;
  llmwire::ResponseDecoder decoder(Dialect::openai);
  int seen = 0;
  llmwire::EventSink sink = [&seen](const llmwire::Event&) { return ++seen < 1; };
  CHECK_FALSE(decoder.feed(body, sink));
  CHECK_FALSE(decoder.feed(content_event("three"), sink));
  decoder.finish(sink);
  CHECK(seen == 1);
  CHECK(decoder.result().cancelled);
  CHECK(decoder.result().content == "one");
  CHECK_FALSE(decoder.result().done);
}

namespace {

// A tiny output parser for the hook: "@name(args)" in the text is a recovered tool call;
// other text is content. It holds back only an unfinished "@…" tail.
class TestParser final : public llmwire::OutputParser {
 public:
  explicit TestParser(int* finish_calls) : finish_calls_(finish_calls) {}

  bool feed(std::string_view text, const llmwire::EventSink& sink) override {
    held_.append(text);
    for (;;) {
      auto at = held_.find('@');
      if (at == std::string::npos) {
        return flush(held_.size(), sink);
      }
      if (!flush(at, sink)) return false;
      auto close = held_.find(')');
      if (close == std::string::npos) return true;  // wait for the rest of the call
      auto open = held_.find('(');
      llmwire::ToolCall call{
          .id = "",
          .name = held_.substr(1, open - 1),
          .arguments = nlohmann::json::parse(held_.substr(open + 1, close - open - 1)),
          .origin = llmwire::ToolCallOrigin::recovered};
      held_.erase(0, close + 1);
      if (!sink(llmwire::ToolCallBegin{.index = index_,
                                       .id = "",
                                       .name = call.name,
                                       .origin = llmwire::ToolCallOrigin::recovered}) ||
          !sink(llmwire::ToolCallComplete{.index = index_, .call = &call})) {
        return false;
      }
      ++index_;
    }
  }

  bool finish(const llmwire::EventSink& sink) override {
    ++*finish_calls_;
    if (held_.empty()) return true;
    llmwire::IncompleteToolCall call{.name = "", .raw_text = held_};
    held_.clear();
    return sink(llmwire::ToolCallIncomplete{&call});
  }

 private:
  bool flush(std::size_t n, const llmwire::EventSink& sink) {
    if (n == 0) return true;
    std::string text = held_.substr(0, n);
    held_.erase(0, n);
    return sink(llmwire::ContentDelta{text});
  }

  std::string held_;
  int index_ = 0;
  int* finish_calls_;
};

}  // namespace

TEST_CASE("decoder: the output parser hook routes content through the parser") {
  std::string body =
      R"(data: {"choices":[{"index":0,"delta":{"reasoning_content":"server thinks"}}]})"
      "\n\n" +
      content_event("Sure. @get_weather({\"city\":") + content_event("\"Oslo\"}) done") +
      R"(data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"s1","function":{"name":"server_tool","arguments":"{}"}}]}}]})"
      "\n\n" +
      finish_event("stop") + done_event;
  for (std::size_t chunk : {0, 1, 7}) {
    int finish_calls = 0;
    llmwire::ResponseDecoder decoder(Dialect::openai);
    decoder.set_output_parser(std::make_unique<TestParser>(&finish_calls));
    for (std::size_t at = 0; at < body.size(); at += chunk == 0 ? body.size() : chunk) {
      decoder.feed(std::string_view(body).substr(at, chunk == 0 ? body.size() : chunk), {});
    }
    decoder.finish({});
    const auto& result = decoder.result();
    CHECK(finish_calls == 1);
    CHECK(result.content == "Sure.  done");
    CHECK(result.reasoning == "server thinks");  // server-structured reasoning passes through
    REQUIRE(result.tool_calls.size() == 2);
    CHECK(result.tool_calls[0].name == "get_weather");
    CHECK(result.tool_calls[0].origin == llmwire::ToolCallOrigin::recovered);
    CHECK(result.tool_calls[0].arguments == nlohmann::json{{"city", "Oslo"}});
    CHECK(result.tool_calls[1].name == "server_tool");
    CHECK(result.tool_calls[1].origin == llmwire::ToolCallOrigin::server);
  }
}

TEST_CASE("decoder: parser.finish() runs at the end of a truncated stream too") {
  int finish_calls = 0;
  llmwire::ResponseDecoder decoder(Dialect::openai);
  decoder.set_output_parser(std::make_unique<TestParser>(&finish_calls));
  decoder.feed(content_event("text @cut(") + "data: {", {});
  decoder.finish({});
  decoder.finish({});  // idempotent
  CHECK(finish_calls == 1);
  CHECK(decoder.result().content == "text ");
  REQUIRE(decoder.result().incomplete_tool_calls.size() == 1);
  CHECK(decoder.result().incomplete_tool_calls[0].raw_text == "@cut(");
  CHECK_FALSE(decoder.result().done);
}

TEST_CASE("decoder: dialect names round-trip") {
  CHECK(llmwire::to_string(Dialect::openai) == "openai");
  CHECK(llmwire::to_string(Dialect::ollama) == "ollama");
  CHECK(llmwire::dialect_from_string("ollama") == Dialect::ollama);
  CHECK_FALSE(llmwire::dialect_from_string("OpenAI").has_value());
}
