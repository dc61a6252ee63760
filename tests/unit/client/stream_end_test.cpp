// How a 2xx answer ends: the end signal completes the call at once whatever the connection
// does afterwards, and a body that is not an event stream is decoded or quoted, never lost.

#include <doctest/doctest.h>

#include "client_test_support.hpp"

namespace {

// `data: {"choices":[{"index":0,"delta":{"content":"zipped"}}]}\n\ndata: [DONE]\n\n`, gzipped.
constexpr char gzip_sse_bytes[] =
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\x4b\x49\x2c\x49\xb4\x52\xa8\x56\x4a\xce\xc8\xcf\x4c"
    "\x4e\x2d\x56\xb2\x8a\xae\x56\xca\xcc\x4b\x49\xad\x50\xb2\x32\xd0\x51\x4a\x49\xcd\x29\x49\x54"
    "\xb2\x02\x4a\xe7\xe7\x95\xa4\xe6\x95\x28\x59\x29\x55\x65\x16\x14\xa4\xa6\x28\xd5\xd6\xc6\xd6"
    "\x72\x71\xa5\x80\x75\x47\xbb\xf8\xfb\xb9\xc6\x72\x71\x01\x00\xe0\x3e\xae\x14\x4c\x00\x00\x00";
const std::string gzip_sse(gzip_sse_bytes, sizeof gzip_sse_bytes - 1);  // it holds NUL bytes

ScriptedReply body_reply(std::string content_type, std::string body) {
  ScriptedReply reply;
  reply.content_type = std::move(content_type);
  reply.chunks.push_back({.bytes = std::move(body)});
  return reply;
}

}  // namespace

TEST_CASE("[DONE] completes the call at once though the server keeps the connection open") {
  Server s;
  ScriptedReply reply = ScriptedReply::sse(vllm_stream({"all ", "here"}));
  reply.end = ScriptedEnd::stall;
  reply.stall = 20'000ms;  // far beyond the idle timeout
  s.server.set_default(reply);
  auto options = options_for({s.server.base_url()});
  options.idle_timeout = 5000ms;
  Client client(options);
  const auto start = Clock::now();
  auto result = client.chat(hello());
  const double took = ms_since(start);
  REQUIRE(result);
  CHECK(result->done);
  CHECK_FALSE(result->error);
  CHECK(result->content == "all here");
  CHECK(took < 1500);  // it used to wait for the 5 s idle timeout, then report done=false
  // The client keeps working (the drained attempt is cut without touching the next one).
  auto again = client.chat(hello());
  REQUIRE(again);
  CHECK(again->done);
}

TEST_CASE("Ollama done:true completes the call at once though the connection stays open") {
  Server s;
  ScriptedReply reply = ScriptedReply::ndjson(
      {R"({"model":"m","message":{"role":"assistant","content":"hi"},"done":false})",
       R"({"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","eval_count":1})"});
  reply.end = ScriptedEnd::stall;
  reply.stall = 20'000ms;
  s.server.set_default(reply);
  auto options = options_for({s.server.base_url()});
  options.api = Dialect::ollama;
  Client client(options);
  const auto start = Clock::now();
  auto result = client.chat(hello());
  REQUIRE(result);
  CHECK(result->done);
  CHECK(result->content == "hi");
  CHECK(ms_since(start) < 1500);
}

TEST_CASE("a 200 with an HTML page is a protocol error quoting the page") {
  Server s;
  s.server.set_default(body_reply(
      "text/html", "<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>\n"));
  Client client(options_for({s.server.base_url()}));
  auto result = client.chat(hello());
  REQUIRE(result);  // a 2xx body: a result with the error inside, like any broken stream
  REQUIRE(result->error);
  CHECK(result->error->kind == ErrorKind::protocol);
  CHECK(result->error->message.find("not an event stream") != std::string::npos);
  CHECK(result->error->message.find("502 Bad Gateway") != std::string::npos);
  CHECK_FALSE(result->done);
}

TEST_CASE("a 200 with a whole (non-streamed) completion is decoded as the answer") {
  Server s;
  s.server.set_default(body_reply(
      "application/json",
      R"({"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"whole answer","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":2}})"));
  Client client(options_for({s.server.base_url()}));
  auto result = client.chat(hello());
  REQUIRE(result);
  CHECK_FALSE(result->error);
  CHECK(result->done);
  CHECK(result->content == "whole answer");
  REQUIRE(result->tool_calls.size() == 1);
  CHECK(result->tool_calls[0].arguments == json{{"x", 1}});
  CHECK(result->finish_reason == "tool_calls");
  REQUIRE(result->usage);
  CHECK(result->usage->completion_tokens == 2);
}

TEST_CASE("a 200 with a JSON error object keeps the server's message") {
  Server s;
  s.server.set_default(body_reply(
      "application/json",
      R"({"error":{"message":"model 'm' is loading","type":"unavailable","code":503}})"));
  Client client(options_for({s.server.base_url()}));
  auto result = client.chat(hello());
  REQUIRE(result);
  REQUIRE(result->error);
  CHECK(result->error->kind == ErrorKind::server);
  CHECK(result->error->message == "model 'm' is loading");
  CHECK(result->error->provider_code == "503");
}

TEST_CASE("a gzip body the client did not ask for is decoded; identity is what it asks for") {
  Server s;
  ScriptedReply reply = body_reply("text/event-stream", gzip_sse);
  reply.headers.emplace_back("Content-Encoding", "gzip");
  s.server.set_default(reply);
  Client client(options_for({s.server.base_url()}));
  auto result = client.chat(hello());
  REQUIRE(result);
  CHECK_FALSE(result->error);
  CHECK(result->content == "zipped");
  CHECK(result->done);
  REQUIRE(s.server.requests().size() == 1);
  CHECK(s.server.requests()[0].header("Accept-Encoding") == "identity");
}
