// Metadata calls (Client::get / post_json) and inspect_server() against real loopback servers:
// the scripted server serving the captured llama-server bodies, and the simulator.

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "captured.hpp"
#include "client/url.hpp"
#include "client_test_support.hpp"
#include "llmwire_sim/model_simulator.hpp"

namespace {

ScriptedReply body_reply(int status, std::string body, std::string type = "application/json") {
  ScriptedReply reply;
  reply.status = status;
  reply.content_type = std::move(type);
  reply.chunks.push_back({std::move(body)});
  return reply;
}

// What the real llama-server answered (captured), by path; 404 elsewhere.
ScriptedReply llama_server_route(const sim::ReceivedRequest& request) {
  if (request.path == "/v1/models")
    return body_reply(200, llmwire_test::read_captured("v1_models.json"));
  if (request.path == "/props") return body_reply(200, llmwire_test::read_captured("props.json"));
  if (request.path == "/metrics")
    return body_reply(200, llmwire_test::read_captured("metrics_after_bench.txt"),
                      "text/plain; version=0.0.4");
  if (request.path == "/health") return body_reply(200, R"({"status":"ok"})");
  return body_reply(404, R"({"error":{"code":404,"message":"File Not Found"}})");
}

}  // namespace

TEST_CASE("server_root strips request paths, /v1 and /api, and keeps a proxy prefix") {
  using detail::server_root;
  CHECK(server_root("http://h:8000") == "http://h:8000");
  CHECK(server_root("http://h:8000/") == "http://h:8000");
  CHECK(server_root("http://h:8000/v1") == "http://h:8000");
  CHECK(server_root("http://h:8000/v1/") == "http://h:8000");
  CHECK(server_root("http://h:8000/v1/chat/completions") == "http://h:8000");
  CHECK(server_root("http://h:11434/api/chat") == "http://h:11434");
  CHECK(server_root("http://h:11434/api") == "http://h:11434");
  CHECK(server_root("https://gw.example/llm/v1") == "https://gw.example/llm");
  CHECK(server_root("https://gw.example/llm/chat/completions") == "https://gw.example/llm");
}

TEST_CASE("get() sends the key and headers, answers any status, and keeps the body") {
  LoopbackServer server;
  server.set_handler(llama_server_route);
  REQUIRE(server.start());
  Client client({.endpoints = {server.base_url() + "/v1"},
                 .api_key = "sk-metadata-key-123",
                 .headers = {{"X-Team", "voice"}}});
  auto models = client.get("/v1/models");
  REQUIRE(models);
  CHECK(models->status == 200);
  CHECK(models->content_type == "application/json");
  CHECK(models->url == server.base_url() + "/v1/models");
  CHECK(models->body == llmwire_test::read_captured("v1_models.json"));
  auto missing = client.get("/nosuch");
  REQUIRE(missing);  // an HTTP error status is an answer, not a failure
  CHECK(missing->status == 404);
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].path == "/v1/models");
  CHECK(requests[0].header("Authorization") == "Bearer sk-metadata-key-123");
  CHECK(requests[0].header("X-Team") == "voice");
}

TEST_CASE("post_json() posts the body as JSON") {
  LoopbackServer server;
  server.set_default(body_reply(200, R"({"model_info":{"gemma4.context_length":131072}})"));
  REQUIRE(server.start());
  Client client({.endpoints = {server.base_url()}, .api = Dialect::ollama});
  auto shown = client.post_json("/api/show", {{"model", "gemma4"}});
  REQUIRE(shown);
  CHECK(shown->status == 200);
  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(json::parse(requests[0].body) == json{{"model", "gemma4"}});
  CHECK(requests[0].header("Content-Type") == "application/json");
}

TEST_CASE("metadata calls: unreachable, too slow, too large, bad paths are clear errors") {
  Client nobody({.endpoints = {"http://127.0.0.1:" + std::to_string(LoopbackServer::unused_port())},
                 .api_key = "sk-never-shown-4567"});
  auto refused = nobody.get("/v1/models");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::connect);

  LoopbackServer server;
  ScriptedReply slow = body_reply(200, "{}");
  slow.first_byte_delay = 2s;
  server.enqueue(slow);
  server.set_default(body_reply(200, std::string(2000, 'x'), "text/plain"));
  REQUIRE(server.start());
  Client client({.endpoints = {server.base_url()}});
  auto start = Clock::now();
  auto late = client.get("/v1/models", {.timeout = 200ms});
  REQUIRE_FALSE(late);
  CHECK(late.error().kind == ErrorKind::timeout);
  CHECK(Clock::now() - start < 1500ms);
  auto large = client.get("/metrics", {.max_body_bytes = 1000});
  REQUIRE_FALSE(large);
  CHECK(large.error().message.find("1000-byte limit") != std::string::npos);
  CHECK(client.get("/metrics", {.max_body_bytes = 2000})->body.size() == 2000);
  CHECK(client.get("v1/models").error().kind == ErrorKind::invalid_argument);
  CHECK(client.get("/a b").error().kind == ErrorKind::invalid_argument);
  CHECK(client.get("/x\r\nInjected: 1").error().kind == ErrorKind::invalid_argument);
  CHECK(client.get("/x", {.timeout = 0ms}).error().kind == ErrorKind::invalid_argument);
}

TEST_CASE("metadata calls mask the key when a server echoes it") {
  LoopbackServer server;
  server.set_default(body_reply(401, R"({"error":"bad key sk-echoed-secret-999"})"));
  REQUIRE(server.start());
  Client client({.endpoints = {server.base_url()}, .api_key = "sk-echoed-secret-999"});
  auto answer = client.get("/v1/models");
  REQUIRE(answer);
  CHECK(answer->status == 401);
  CHECK(answer->body.find("sk-echoed-secret-999") == std::string::npos);
  CHECK(answer->body.find("[REDACTED]") != std::string::npos);
}

TEST_CASE("inspect_server on the captured llama-server: kind, build, context, metrics, health") {
  LoopbackServer server;
  server.set_handler(llama_server_route);
  REQUIRE(server.start());
  Client client({.endpoints = {server.base_url() + "/v1"}});
  auto info = inspect_server(client, {.model = "model/tiny-gemma4vocab.gguf"});
  REQUIRE(info);
  CHECK(info->kind == ServerKind::llama_server);
  CHECK(info->url == server.base_url());
  CHECK(info->version == "b0-unknown");
  CHECK(info->context_length == 4096);
  CHECK(info->context_source == "/v1/models");
  REQUIRE(info->llama_props);
  CHECK(info->llama_props->total_slots == 3);
  REQUIRE(info->metrics);
  CHECK(info->metrics->sum("llamacpp:tokens_predicted_total") == 16968);
  CHECK(info->healthy == true);
  CHECK(info->notes.empty());
  auto doc = json::parse(server_info_json(*info));
  CHECK(doc["server"] == "llama-server");
  CHECK(doc["metrics"]["series"]["llamacpp:tokens_predicted_total"] == 16968.0);
}

TEST_CASE("inspect_server notes what a server does not serve, and fails only when unreachable") {
  LoopbackServer server;
  server.set_handler([](const sim::ReceivedRequest& request) {
    if (request.path == "/v1/models")
      return body_reply(200, R"({"object":"list","data":[{"id":"m","owned_by":"vllm",)"
                             R"("max_model_len":8192}]})");
    if (request.path == "/version") return body_reply(200, R"({"version":"0.11.0"})");
    if (request.path == "/metrics") return body_reply(200, "broken line\n", "text/plain");
    return body_reply(404, "{}");
  });
  REQUIRE(server.start());
  Client client({.endpoints = {server.base_url()}});
  auto info = inspect_server(client);
  REQUIRE(info);
  CHECK(info->kind == ServerKind::vllm);
  CHECK(info->version == "0.11.0");
  CHECK(info->context_length == 8192);  // the only model served
  CHECK_FALSE(info->metrics);
  CHECK(info->healthy == false);
  REQUIRE(info->notes.size() == 2);
  CHECK(info->notes[0].starts_with("/metrics: metrics line 1"));
  CHECK(info->notes[1] == "/health: HTTP 404");

  Client nobody(
      {.endpoints = {"http://127.0.0.1:" + std::to_string(LoopbackServer::unused_port())}});
  auto unreachable = inspect_server(nobody);
  REQUIRE_FALSE(unreachable);
  CHECK(unreachable.error().kind == ErrorKind::connect);
}

TEST_CASE("inspect_server on SGLang: /server_info, or the older /get_server_info") {
  for (const std::string route : {"/server_info", "/get_server_info"}) {
    CAPTURE(route);
    LoopbackServer server;
    server.set_handler([route](const sim::ReceivedRequest& request) {
      if (request.path == "/v1/models")
        return body_reply(200, R"({"object":"list","data":[{"id":"gemma4","owned_by":"sglang",)"
                               R"("max_model_len":32768}]})");
      if (request.path == route)
        return body_reply(200, R"({"mem_fraction_static":0.88,"max_total_num_tokens":1215680,)"
                               R"("max_running_requests":8,"version":"0.5.2"})");
      if (request.path == "/health") return body_reply(200, "");
      return body_reply(404, R"({"detail":"Not Found"})");
    });
    REQUIRE(server.start());
    Client client({.endpoints = {server.base_url()}});
    auto info = inspect_server(client, {.model = "gemma4"});
    REQUIRE(info);
    CHECK(info->kind == ServerKind::sglang);
    CHECK(info->version == "0.5.2");
    REQUIRE(info->sglang);
    CHECK(info->sglang->mem_fraction_static == doctest::Approx(0.88));
    CHECK(info->sglang->max_running_requests == 8);
    CHECK(info->context_length == 32768);
    CHECK(info->context_source == "/v1/models");
    // The old route is asked only after the new one was not found, and that 404 is no note.
    const auto requests = server.requests();
    CHECK(std::any_of(requests.begin(), requests.end(), [](const auto& r) {
            return r.path == "/get_server_info";
          }) == (route == "/get_server_info"));
    for (const auto& note : info->notes) CHECK(note.find("server_info") == std::string::npos);
    auto json = nlohmann::json::parse(server_info_json(*info));
    CHECK(json["sglang"]["max_total_num_tokens"] == 1215680);
  }
}

TEST_CASE("inspect_server on Ollama: version, the loaded model's GPU/CPU split and context") {
  LoopbackServer server;
  server.set_handler([](const sim::ReceivedRequest& request) {
    if (request.path == "/api/version") return body_reply(200, R"({"version":"0.12.3"})");
    if (request.path == "/api/ps")
      return body_reply(200, R"({"models":[{"name":"gemma4","size":6591830464,)"
                             R"("size_vram":5333539264,"context_length":4096}]})");
    return body_reply(404, "{}");
  });
  REQUIRE(server.start());
  Client client({.endpoints = {server.base_url()}, .api = Dialect::ollama});
  auto info = inspect_server(client, {.model = "gemma4"});
  REQUIRE(info);
  CHECK(info->kind == ServerKind::ollama);
  CHECK(info->version == "0.12.3");
  REQUIRE(info->ollama_loaded.size() == 1);
  CHECK(info->ollama_loaded[0].cpu_fraction() > 0.19);
  CHECK(info->context_length == 4096);
  CHECK(info->context_source == "/api/ps context_length");
}

TEST_CASE("inspect_server on the simulator (OpenAI and Ollama dialects)") {
  sim::ModelSimulator simulator({.profile = "gemma4", .tok_s = 1000, .context_tokens = 16384});
  auto port = simulator.start();
  REQUIRE(port);
  const std::string base = "http://127.0.0.1:" + std::to_string(*port);
  Client openai({.endpoints = {base + "/v1"}});
  auto info = inspect_server(openai);
  REQUIRE(info);
  CHECK(info->kind == ServerKind::simulator);
  CHECK(info->context_length == 16384);
  CHECK(info->healthy == true);
  Client ollama({.endpoints = {base}, .api = Dialect::ollama});
  auto native = inspect_server(ollama, {.model = simulator.options().model});
  REQUIRE(native);
  CHECK(native->context_length == 16384);
  CHECK(native->context_source.starts_with("/api/show"));
}
