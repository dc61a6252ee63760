// The headline numbers against what a real llama-server sent, served back from a loopback
// server with its pacing: the client's decode tok/s (the bench's, ChatResult::timings) agrees
// with the server's own figure within 2%.

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/runner.hpp"
#include "bench/suite.hpp"
#include "captured.hpp"
#include "llmwire/client.hpp"
#include "llmwire/transcript.hpp"
#include "llmwire_sim/loopback_server.hpp"

using namespace llmwire;

namespace {

const std::string& dir = llmwire_test::captured_dir;

// The SSE events of a body, in order (each with its blank-line terminator).
std::vector<std::string> events_of(const std::string& body) {
  std::vector<std::string> events;
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t end = body.find("\n\n", at);
    end = end == std::string::npos ? body.size() : end + 2;
    events.push_back(body.substr(at, end - at));
    at = end;
  }
  return events;
}

Result<ChatResult> stream_from(sim::LoopbackServer& server) {
  REQUIRE(server.start());
  Client client({.endpoints = {server.base_url()}, .use_profiles = false});
  ChatRequest request{.model = "model/tiny-gemma4vocab.gguf"};
  request.messages.push_back(Message::user("Write a story."));
  return client.stream(request, [](const Event&) { return true; });
}

}  // namespace

namespace {

// The captured 500-token stream as a paced reply. The capture holds the bytes, not their times:
// the content events are written at the rate the server reported (timings.predicted_ms over its
// 500 tokens), after its prompt_ms.
struct PacedCapture {
  std::vector<std::pair<double, std::string>> reads;
  double prompt_ms = 0, predicted_ms = 0, server_tok_s = 0;
};

PacedCapture paced_stream_500() {
  PacedCapture capture;
  const std::string body = llmwire_test::read_captured("stream_500.sse");
  const auto events = events_of(body);
  for (const auto& event : events) {
    if (event.find("\"timings\"") == std::string::npos) continue;
    auto timings = nlohmann::json::parse(event.substr(6))["timings"];
    capture.prompt_ms = timings["prompt_ms"];
    capture.predicted_ms = timings["predicted_ms"];
    capture.server_tok_s = timings["predicted_per_second"];
  }
  REQUIRE(capture.predicted_ms > 0);
  std::size_t content_events = 0;
  for (const auto& event : events)
    content_events += event.find("\"content\":\"") != std::string::npos ? 1 : 0;
  REQUIRE(content_events > 400);
  std::size_t k = 0;
  double t = capture.prompt_ms;
  for (const auto& event : events) {
    if (event.find("\"content\":\"") != std::string::npos) {
      t = capture.prompt_ms +
          capture.predicted_ms * static_cast<double>(k++) / static_cast<double>(content_events - 1);
    }
    capture.reads.emplace_back(t, event);
  }
  return capture;
}

}  // namespace

TEST_CASE("captured 500-token stream at the server's own rate: tok/s within 2% of its timings") {
  const auto capture = paced_stream_500();
  const auto& reads = capture.reads;
  const double prompt_ms = capture.prompt_ms, server_tok_s = capture.server_tok_s;
  sim::LoopbackServer server;
  server.enqueue(sim::ScriptedReply::paced(reads));
  auto result = stream_from(server);
  REQUIRE(result);
  REQUIRE(result->timings.decode_tok_s);
  REQUIRE(result->server_timings);
  CHECK(*result->server_timings->predicted_per_second == doctest::Approx(server_tok_s));
  MESSAGE("client " << *result->timings.decode_tok_s << " tok/s, server " << server_tok_s);
  CHECK(*result->timings.decode_tok_s == doctest::Approx(server_tok_s).epsilon(0.02));
  CHECK(result->timings.token_count_source == TokenCountSource::server_usage);
  CHECK(*result->timings.ttft_ms >= prompt_ms);
}

TEST_CASE("captured stream with its recorded arrival times: tok/s as the recording shows it") {
  // The killed-mid-stream transcript kept when each read arrived (812 reads over ~1.5 s).
  auto transcript = read_transcript(dir + "killed_mid_stream.transcript.jsonl");
  REQUIRE(transcript);
  std::vector<std::pair<double, std::string>> reads;
  std::size_t content = 0;
  double first = -1, last = 0;
  for (const auto& chunk : transcript->chunks) {
    reads.emplace_back(chunk.t_ms, chunk.bytes);
    if (chunk.bytes.find("\"content\":\"") != std::string::npos) {
      ++content;
      if (first < 0) first = chunk.t_ms;
      last = chunk.t_ms;
    }
  }
  REQUIRE(content > 500);
  const double recorded_tok_s = static_cast<double>(content - 1) / ((last - first) / 1000.0);
  sim::LoopbackServer server;
  auto reply = sim::ScriptedReply::paced(reads);
  reply.end = sim::ScriptedEnd::disconnect;  // as the killed server did
  server.enqueue(reply);
  auto result = stream_from(server);
  REQUIRE(result);  // a broken stream is a result with its error, everything kept
  REQUIRE(result->error);
  CHECK(result->error->kind == ErrorKind::stream_broken);
  REQUIRE(result->timings.decode_tok_s);
  CHECK(result->timings.token_count_source == TokenCountSource::counted_deltas);
  MESSAGE("client " << *result->timings.decode_tok_s << " tok/s, recorded " << recorded_tok_s);
  CHECK(*result->timings.decode_tok_s == doctest::Approx(recorded_tok_s).epsilon(0.02));
}

TEST_CASE("the whole bench against the captured llama-server: its tok/s is the server's") {
  // A loopback server answering as the real llama-server did: its captured /v1/models, /props,
  // /metrics and /health, and the captured 500-token stream, with its pacing, for every chat
  // request. run_suite (what `llmwire bench` runs) inspects it, warms up, and measures.
  const auto capture = paced_stream_500();
  sim::LoopbackServer server;
  server.set_handler([&capture](const sim::ReceivedRequest& request) {
    auto body = [](int status, std::string text, std::string type) {
      sim::ScriptedReply reply;
      reply.status = status;
      reply.content_type = std::move(type);
      reply.chunks.push_back({std::move(text)});
      return reply;
    };
    if (request.path == "/v1/models")
      return body(200, llmwire_test::read_captured("v1_models.json"), "application/json");
    if (request.path == "/props")
      return body(200, llmwire_test::read_captured("props.json"), "application/json");
    if (request.path == "/metrics")
      return body(200, llmwire_test::read_captured("metrics_after_bench.txt"), "text/plain");
    if (request.path == "/health") return body(200, R"({"status":"ok"})", "application/json");
    if (request.path == "/v1/chat/completions") return sim::ScriptedReply::paced(capture.reads);
    return body(404, R"({"error":{"code":404,"message":"File Not Found"}})", "application/json");
  });
  REQUIRE(server.start());
  Client client({.endpoints = {server.base_url()}});
  // The model id picks the gemma4 profile, whose parser holds text back while a tool call may
  // be starting: the rate must still be the server's. (This test first found the loopback
  // servers writing with Nagle's algorithm on: one run's first token came 39 ms late on the
  // reused connection and the bench said 583 tok/s; they now set TCP_NODELAY.)
  bench::Endpoint endpoint{.url = server.base_url(), .model = "model/tiny-gemma4vocab.gguf"};
  bench::RunOptions options;
  options.only = {"throughput", "ttft"};
  auto info = inspect_server(client, {.model = endpoint.model});
  REQUIRE(info);
  options.server = std::move(*info);
  bench::Suite suite = bench::default_suite();
  suite.throughput.runs = 1;
  suite.throughput.prompts.resize(2);
  suite.ttft.prompts.resize(2);
  auto results = bench::run_suite(suite, endpoint, bench::client_chat(client),
                                  bench::client_parallel_chat(client), options);

  CHECK(results["profile"] == "gemma4");
  CHECK(results["server"]["server"] == "llama-server");
  CHECK(results["server"]["version"] == options.server->version);
  CHECK(results["requests"]["failed"] == 0);
  const auto& throughput = results["tests"]["throughput"];
  REQUIRE(throughput["samples"].size() == 2);
  for (const auto& sample : throughput["samples"]) {
    CHECK(sample["error"].is_null());
    CHECK(sample["token_source"] == "server_usage");  // the capture's usage: 500 tokens
  }
  const double bench_tok_s = results["metrics"]["tok_s"].get<double>();
  MESSAGE("bench " << bench_tok_s << " tok/s, server " << capture.server_tok_s);
  CHECK(bench_tok_s == doctest::Approx(capture.server_tok_s).epsilon(0.02));
  // TTFT is the server's prompt time plus loopback: never below what the server spent.
  CHECK(results["metrics"]["ttft_ms"].get<double>() >= capture.prompt_ms);
  CHECK(results["tests"]["ttft"]["status"] == "ok");
}
