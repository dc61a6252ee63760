// The headline numbers against what a real llama-server sent, served back from a loopback
// server with its pacing: the client's decode tok/s (the bench's, ChatResult::timings) agrees
// with the server's own figure within 2%.

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

TEST_CASE("captured 500-token stream at the server's own rate: tok/s within 2% of its timings") {
  // The capture holds the bytes, not their times: the content events are written at the rate
  // the server reported (timings.predicted_ms over its 500 tokens), after its prompt_ms.
  const std::string body = llmwire_test::read_captured("stream_500.sse");
  const auto events = events_of(body);
  double prompt_ms = 0, predicted_ms = 0, server_tok_s = 0;
  for (const auto& event : events) {
    if (event.find("\"timings\"") == std::string::npos) continue;
    auto timings = nlohmann::json::parse(event.substr(6))["timings"];
    prompt_ms = timings["prompt_ms"];
    predicted_ms = timings["predicted_ms"];
    server_tok_s = timings["predicted_per_second"];
  }
  REQUIRE(predicted_ms > 0);
  std::vector<std::pair<double, std::string>> reads;
  std::size_t content_events = 0;
  for (const auto& event : events)
    content_events += event.find("\"content\":\"") != std::string::npos ? 1 : 0;
  REQUIRE(content_events > 400);
  std::size_t k = 0;
  double t = prompt_ms;
  for (const auto& event : events) {
    if (event.find("\"content\":\"") != std::string::npos) {
      t = prompt_ms +
          predicted_ms * static_cast<double>(k++) / static_cast<double>(content_events - 1);
    }
    reads.emplace_back(t, event);
  }
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
