// The Client's recording (a transcript replays to the same ChatResult) and its use of model
// profiles (request edits, raw-text tool calls recovered by the profile's output parser).

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "llmwire/client.hpp"
#include "llmwire/result_json.hpp"
#include "llmwire/transcript.hpp"
#include "llmwire_sim/loopback_server.hpp"

using namespace llmwire;
using llmwire::sim::LoopbackServer;
using llmwire::sim::ScriptedChunk;
using llmwire::sim::ScriptedReply;
using nlohmann::json;

namespace {

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::path(LLMWIRE_TEST_BINARY_DIR) / ("client_" + name);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The reads of a bundled transcript, served with the same splits (no pauses).
ScriptedReply reply_from_transcript(const std::string& name) {
  auto transcript = read_transcript(std::string(LLMWIRE_TEST_TRANSCRIPTS_DIR) + "/" + name);
  REQUIRE(transcript);
  ScriptedReply reply;
  reply.content_type =
      transcript->dialect == Dialect::ollama ? "application/x-ndjson" : "text/event-stream";
  for (const auto& chunk : transcript->chunks)
    reply.chunks.push_back(ScriptedChunk{.bytes = chunk.bytes});
  return reply;
}

ChatRequest hello(std::string model = "m") {
  return ChatRequest{.model = std::move(model), .messages = {Message::user("Hello")}};
}

std::string content_of(const std::string& text) {
  return json{
      {"choices", {{{"index", 0}, {"delta", {{"content", text}}}, {"finish_reason", nullptr}}}}}
      .dump();
}

}  // namespace

TEST_CASE("a recorded exchange replays to the same ChatResult") {
  LoopbackServer server;
  REQUIRE(server.start());
  server.enqueue(reply_from_transcript("vllm_tool_calls.jsonl"));
  Client client(ClientOptions{.endpoints = {server.base_url()}, .api_key = "sk-rec-secret"});
  const auto path = temp_path("recorded.jsonl");
  auto live = client.chat(hello(), CallOptions{.record_path = path.string()});
  REQUIRE(live);
  REQUIRE_FALSE(live->error);
  REQUIRE_FALSE(live->tool_calls.empty());

  const std::string text = read_file(path);
  CHECK(text.find("sk-rec-secret") == std::string::npos);
  auto transcript = read_transcript(path);
  REQUIRE(transcript);
  CHECK(transcript->status == 200);
  CHECK(transcript->end == "complete");
  CHECK(transcript->dialect == Dialect::openai);
  CHECK(transcript->request_body["model"] == "m");
  CHECK(transcript->url == server.base_url() + "/v1/chat/completions");
  CHECK_FALSE(transcript->chunks.empty());

  for (std::size_t rechunk : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
    CAPTURE(rechunk);
    ResponseDecoder decoder(transcript->dialect);
    replay_transcript(*transcript, decoder, {}, rechunk);
    CHECK(to_json(decoder.result()) == to_json(*live));
  }
}

TEST_CASE("a failed request is recorded with its status and error body") {
  LoopbackServer server;
  REQUIRE(server.start());
  server.set_default(ScriptedReply::error(
      400, R"({"error":{"message":"bad","type":"BadRequestError","code":400}})"));
  Client client(ClientOptions{.endpoints = {server.base_url()}});
  const auto path = temp_path("failed.jsonl");
  auto result = client.chat(hello(), CallOptions{.record_path = path.string()});
  REQUIRE_FALSE(result);
  auto transcript = read_transcript(path);
  REQUIRE(transcript);
  CHECK(transcript->status == 400);
  CHECK(transcript->body().find("\"bad\"") != std::string::npos);
  CHECK(transcript->end.starts_with("error: "));
}

TEST_CASE("an unwritable record path fails before sending anything") {
  LoopbackServer server;
  REQUIRE(server.start());
  Client client(ClientOptions{.endpoints = {server.base_url()}});
  auto result = client.chat(hello(), CallOptions{.record_path = "/nonexistent-dir/x.jsonl"});
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::io);
  CHECK(server.request_count() == 0);
}

TEST_CASE("the model's profile edits the request and recovers raw-text tool calls") {
  LoopbackServer server;
  REQUIRE(server.start());
  // A server without a tool parser: Gemma 4's call arrives as raw text, split mid-marker.
  const std::vector<std::string> payloads{
      content_of("Checking. <|tool_"), content_of("call>call:get_weather{city:<|\"|>Aus"),
      content_of("tin<|\"|>}<tool_call|>"),
      json{{"choices", {{{"index", 0}, {"delta", json::object()}, {"finish_reason", "stop"}}}}}
          .dump(),
      "[DONE]"};
  server.set_default(ScriptedReply::sse(payloads));

  SUBCASE("profile on (picked by model id)") {
    Client client(ClientOptions{.endpoints = {server.base_url()}});
    auto result = client.chat(hello("google/gemma-4-26B-A4B-it"));
    REQUIRE(result);
    REQUIRE(result->tool_calls.size() == 1);
    CHECK(result->tool_calls[0].name == "get_weather");
    CHECK(result->tool_calls[0].arguments == json{{"city", "Austin"}});
    CHECK(result->tool_calls[0].origin == ToolCallOrigin::recovered);
    REQUIRE(result->content);
    CHECK(result->content->find("<|tool_call>") == std::string::npos);
    const json body = json::parse(server.requests().at(0).body);
    CHECK(body["skip_special_tokens"] == false);  // gemma4's request edit
    CHECK(body["stop"] == json::array({"<|tool_response>"}));
  }
  SUBCASE("request.extra still wins over the profile's edits") {
    Client client(ClientOptions{.endpoints = {server.base_url()}});
    auto request = hello("google/gemma-4-26B-A4B-it");
    request.extra = {{"skip_special_tokens", true}};
    REQUIRE(client.chat(request));
    CHECK(json::parse(server.requests().at(0).body)["skip_special_tokens"] == true);
  }
  SUBCASE("profiles off: the raw text stays content") {
    Client client(ClientOptions{.endpoints = {server.base_url()}, .use_profiles = false});
    auto result = client.chat(hello("google/gemma-4-26B-A4B-it"));
    REQUIRE(result);
    CHECK(result->tool_calls.empty());
    REQUIRE(result->content);
    CHECK(result->content->find("<|tool_call>call:get_weather") != std::string::npos);
    CHECK_FALSE(json::parse(server.requests().at(0).body).contains("skip_special_tokens"));
  }
  SUBCASE("an explicit unknown profile is an error before sending") {
    Client client(ClientOptions{.endpoints = {server.base_url()}});
    auto request = hello();
    request.profile = "no-such-profile";
    auto result = client.chat(request);
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == ErrorKind::invalid_argument);
    CHECK(server.request_count() == 0);
  }
}
