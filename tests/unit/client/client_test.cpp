// The Client against the scripted loopback server: happy paths, every fault with its exact error
// kind, partial content surviving, cancellation timing, retries, pools, concurrency.

#include "llmwire/client.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "client_test_support.hpp"
#include "llmwire_sim/loopback_server.hpp"

TEST_CASE("streams content, usage and timings; sends the expected request") {
  Server s;
  const auto pieces = words(5);
  s.server.enqueue(ScriptedReply::sse(vllm_stream(pieces), 2ms));
  auto options = options_for({s.server.base_url()});
  options.api_key = "sk-secret-1";
  options.headers = {{"X-Trace", "abc"}};
  Client client(options);

  std::string streamed;
  int content_events = 0;
  auto result = client.stream(hello(), [&](const Event& e) {
    if (auto* d = std::get_if<ContentDelta>(&e)) {
      streamed += d->text;
      ++content_events;
    }
    return true;
  });
  REQUIRE(result);
  CHECK_FALSE(result->error);
  CHECK(result->done);
  CHECK_FALSE(result->cancelled);
  CHECK(streamed == joined(pieces));
  CHECK(result->content == joined(pieces));
  CHECK(content_events == 5);
  CHECK(result->finish_reason == "stop");
  REQUIRE(result->usage);
  CHECK(result->usage->completion_tokens == 5);
  CHECK(result->timings.ttft_ms.has_value());
  CHECK(*result->timings.ttft_ms >= 0);
  CHECK(result->timings.token_count_source == TokenCountSource::server_usage);
  CHECK(result->timings.decode_tok_s.has_value());
  CHECK(result->timings.gap_p50_ms.has_value());
  CHECK(*result->timings.total_ms >= *result->timings.ttft_ms);

  const auto requests = s.server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].path == "/v1/chat/completions");
  CHECK(requests[0].header("Authorization") == "Bearer sk-secret-1");
  CHECK(requests[0].header("X-Trace") == "abc");
  CHECK(requests[0].header("Content-Type") == "application/json");
  const json body = json::parse(requests[0].body);
  CHECK(body["model"] == "m");
  CHECK(body["stream"] == true);
  CHECK(body["stream_options"]["include_usage"] == true);
  CHECK(body["messages"][0]["content"] == "Hello");
}

TEST_CASE("include_usage can be switched off") {
  Server s;
  s.server.enqueue(ScriptedReply::sse(vllm_stream({"a"})));
  auto options = options_for({s.server.base_url()});
  options.include_usage = false;
  Client client(options);
  REQUIRE(client.chat(hello()));
  CHECK_FALSE(json::parse(s.server.requests().at(0).body).contains("stream_options"));
}

TEST_CASE("Ollama native dialect: /api/chat NDJSON") {
  Server s;
  s.server.enqueue(ScriptedReply::ndjson(
      {R"({"model":"m","created_at":"t","message":{"role":"assistant","content":"Hel"},"done":false})",
       R"({"model":"m","created_at":"t","message":{"role":"assistant","content":"lo"},"done":false})",
       R"({"model":"m","created_at":"t","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","eval_count":2,"eval_duration":40000000})"},
      1ms));
  auto options = options_for({s.server.base_url()});
  options.api = Dialect::ollama;
  Client client(options);
  auto result =
      client.chat(ChatRequest{.model = "m", .messages = {Message::user("hi")}, .max_tokens = 9});
  REQUIRE(result);
  CHECK(result->done);
  CHECK(result->content == "Hello");
  REQUIRE(result->server_timings);
  CHECK(result->server_timings->eval_count == 2);
  const auto request = s.server.requests().at(0);
  CHECK(request.path == "/api/chat");
  CHECK(json::parse(request.body)["options"]["num_predict"] == 9);
}

TEST_CASE("refused connection: connect error naming the endpoint, retried") {
  const std::string dead = "http://127.0.0.1:" + std::to_string(LoopbackServer::unused_port());
  Client client(options_for({dead}));
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::connect);
  CHECK(result.error().message.find(dead) != std::string::npos);
  CHECK(result.error().message.find("after 3 attempts") != std::string::npos);
  CHECK(client.stats().attempts == 3);
}

TEST_CASE("DNS failure is ErrorKind::dns and names the endpoint") {
  auto options = options_for({"http://llmwire-test.invalid:8000"});
  options.max_retries = 0;
  Client client(options);
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::dns);
  CHECK(result.error().message.find("llmwire-test.invalid") != std::string::npos);
}

TEST_CASE("TLS failure is ErrorKind::tls and names the endpoint") {
  Server s;  // speaks plain HTTP: a TLS handshake with it fails
  const std::string url = "https://127.0.0.1:" + std::to_string(s.server.port());
  auto options = options_for({url});
  options.max_retries = 0;
  Client client(options);
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::tls);
  CHECK(result.error().message.find(url) != std::string::npos);
}

TEST_CASE("500 with a vLLM error body: decoded, retried twice, then returned") {
  Server s;
  s.server.set_default(ScriptedReply::error(
      500,
      R"({"error":{"message":"EngineCore died","type":"InternalServerError","param":null,"code":500}})"));
  Client client(options_for({s.server.base_url()}));
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::http);
  CHECK(result.error().http_status == 500);
  CHECK(result.error().provider_type == "InternalServerError");
  CHECK(result.error().provider_code == "500");
  CHECK(result.error().message.find("EngineCore died") != std::string::npos);
  CHECK(s.server.request_count() == 3);
}

TEST_CASE("400 is not retried") {
  Server s;
  s.server.set_default(ScriptedReply::error(
      400,
      R"({"error":{"message":"\"auto\" tool choice requires --enable-auto-tool-choice","type":"BadRequestError","param":null,"code":400}})"));
  Client client(options_for({s.server.base_url()}));
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::http);
  CHECK(result.error().http_status == 400);
  CHECK(s.server.request_count() == 1);
}

TEST_CASE("429 with Retry-After: waits as told, then succeeds") {
  Server s;
  s.server.enqueue(ScriptedReply::error(429, R"({"error":"busy"})", {{"Retry-After", "1"}}));
  s.server.enqueue(ScriptedReply::sse(vllm_stream({"ok"})));
  Client client(options_for({s.server.base_url()}));
  const auto start = Clock::now();
  auto result = client.chat(hello());
  REQUIRE(result);
  CHECK(result->content == "ok");
  CHECK(s.server.request_count() == 2);
  CHECK(ms_since(start) >= 950);
  const auto requests = s.server.requests();
  CHECK(std::chrono::duration<double, std::milli>(requests[1].received - requests[0].received)
            .count() >= 950);
}

TEST_CASE("429 with retry-after-ms is honoured to the millisecond") {
  Server s;
  s.server.enqueue(ScriptedReply::error(429, R"({"error":"busy"})",
                                        {{"retry-after-ms", "300"}, {"Retry-After", "5"}}));
  s.server.enqueue(ScriptedReply::sse(vllm_stream({"ok"})));
  Client client(options_for({s.server.base_url()}));
  const auto start = Clock::now();
  auto result = client.chat(hello());
  REQUIRE(result);
  const double elapsed = ms_since(start);
  CHECK(elapsed >= 290);
  CHECK(elapsed < 3000);  // the 5 s Retry-After lost to retry-after-ms
}

TEST_CASE("429 asking for longer than the cap is returned, not slept on") {
  Server s;
  s.server.set_default(ScriptedReply::error(
      429, R"({"error":{"message":"quota","type":"rate_limit","code":"rate_limit_exceeded"}})",
      {{"Retry-After", "120"}}));
  auto options = options_for({s.server.base_url()});
  options.retry_after_cap = 2000ms;
  Client client(options);
  const auto start = Clock::now();
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::rate_limited);
  REQUIRE(result.error().retry_after);
  CHECK(*result.error().retry_after == 120000ms);
  CHECK(s.server.request_count() == 1);
  CHECK(ms_since(start) < 1000);
}

TEST_CASE("disconnect mid-stream: stream_broken, partial content kept, never retried") {
  Server s;
  const auto pieces = words(3);
  auto reply = ScriptedReply::sse(vllm_stream(pieces, false), 1ms);
  reply.end = ScriptedEnd::disconnect;
  s.server.set_default(reply);
  Client client(options_for({s.server.base_url()}));
  auto result = client.chat(hello());
  REQUIRE(result);
  REQUIRE(result->error);
  CHECK(result->error->kind == ErrorKind::stream_broken);
  CHECK(result->error->message.find(s.server.base_url()) != std::string::npos);
  CHECK_FALSE(result->done);
  CHECK(result->content == joined(pieces));
  CHECK(s.server.request_count() == 1);
}

TEST_CASE("clean close without [DONE] is stream_broken too") {
  Server s;
  s.server.enqueue(ScriptedReply::sse(vllm_stream({"par", "tial"}, false)));
  Client client(options_for({s.server.base_url()}));
  auto result = client.chat(hello());
  REQUIRE(result);
  REQUIRE(result->error);
  CHECK(result->error->kind == ErrorKind::stream_broken);
  CHECK(result->content == "partial");
}

TEST_CASE("stall longer than the idle timeout: timeout with partial content") {
  Server s;
  auto reply = ScriptedReply::sse(vllm_stream({"a", "b"}, false));
  reply.end = ScriptedEnd::stall;
  reply.stall = 5000ms;
  s.server.enqueue(reply);
  auto options = options_for({s.server.base_url()});
  options.idle_timeout = 200ms;
  Client client(options);
  const auto start = Clock::now();
  auto result = client.chat(hello());
  const double elapsed = ms_since(start);
  REQUIRE(result);
  REQUIRE(result->error);
  CHECK(result->error->kind == ErrorKind::timeout);
  CHECK(result->error->message.find("idle") != std::string::npos);
  CHECK(result->content == "ab");
  CHECK(elapsed >= 190);
  CHECK(elapsed < 1500);
  CHECK(s.server.request_count() == 1);
  s.server.stop();
}

TEST_CASE("first-byte timeout is retried, then reported as timeout") {
  Server s;
  auto slow = ScriptedReply::sse(vllm_stream({"late"}));
  slow.first_byte_delay = 3000ms;
  s.server.set_default(slow);
  auto options = options_for({s.server.base_url()});
  options.first_byte_timeout = 150ms;
  options.max_retries = 1;
  Client client(options);
  const auto start = Clock::now();
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::timeout);
  CHECK(result.error().message.find("first-byte") != std::string::npos);
  CHECK(s.server.request_count() == 2);
  CHECK(ms_since(start) < 2000);
  s.server.stop();
}

TEST_CASE("total timeout ends a slow stream with its partial content") {
  Server s;
  // A 4 s stream cut at 1.5 s: room for a slow start (TSan slows everything several times)
  // while the cut still falls well inside the stream.
  s.server.enqueue(ScriptedReply::sse(vllm_stream(words(200)), 20ms));
  auto options = options_for({s.server.base_url()});
  options.total_timeout = 1500ms;
  Client client(options);
  auto result = client.chat(hello());
  REQUIRE(result);
  REQUIRE(result->error);
  CHECK(result->error->kind == ErrorKind::timeout);
  CHECK(result->error->message.find("total") != std::string::npos);
  REQUIRE(result->content);
  CHECK_FALSE(result->content->empty());
  CHECK(result->content->size() < joined(words(200)).size());
  s.server.stop();
}

TEST_CASE("1-byte trickle decodes exactly") {
  Server s;
  const auto pieces = std::vector<std::string>{"héllo ", "wörld ", "✓"};
  auto reply = ScriptedReply::sse(vllm_stream(pieces));
  reply.trickle_bytes = 1;
  s.server.enqueue(reply);
  Client client(options_for({s.server.base_url()}));
  std::string streamed;
  auto result = client.stream(hello(), [&](const Event& e) {
    if (auto* d = std::get_if<ContentDelta>(&e)) streamed += d->text;
    return true;
  });
  REQUIRE(result);
  CHECK_FALSE(result->error);
  CHECK(result->done);
  CHECK(result->content == joined(pieces));
  CHECK(streamed == joined(pieces));
}

TEST_CASE("callback returning false cancels within 100 ms, partial content kept") {
  Server s;
  const auto pieces = words(40);
  s.server.enqueue(ScriptedReply::sse(vllm_stream(pieces), 50ms));
  Client client(options_for({s.server.base_url()}));
  int seen = 0;
  Clock::time_point stopped_at;
  auto result = client.stream(hello(), [&](const Event& e) {
    if (std::holds_alternative<ContentDelta>(e) && ++seen == 3) {
      stopped_at = Clock::now();
      return false;
    }
    return true;
  });
  const double cancel_ms = ms_since(stopped_at);
  REQUIRE(result);
  CHECK(result->cancelled);
  CHECK_FALSE(result->done);
  REQUIRE(result->error);
  CHECK(result->error->kind == ErrorKind::cancelled);
  CHECK(result->content == joined(pieces, 3));
  CHECK(cancel_ms < 100);
  CHECK(s.server.request_count() == 1);
  s.server.stop();
}

TEST_CASE("ChatHandle::cancel from another thread stops a quiet stream within 100 ms") {
  Server s;
  auto reply = ScriptedReply::sse(vllm_stream({"first"}, false));
  reply.end = ScriptedEnd::stall;  // then nothing: only a cross-thread cancel can end it soon
  reply.stall = 5000ms;
  s.server.enqueue(reply);
  Client client(options_for({s.server.base_url()}));
  std::atomic<bool> got_first{false};
  ChatHandle handle = client.start(hello(), [&](const Event& e) {
    if (std::holds_alternative<ContentDelta>(e)) got_first = true;
    return true;
  });
  while (!got_first) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  CHECK_FALSE(handle.ready());
  const auto start = Clock::now();
  handle.cancel();
  auto result = handle.wait();
  CHECK(ms_since(start) < 100);
  REQUIRE(result);
  CHECK(result->cancelled);
  CHECK(result->content == "first");
  CHECK(handle.wait().error().kind == ErrorKind::invalid_argument);  // only once
  s.server.stop();
}

TEST_CASE("a mid-stream server error event is reported with the partial content") {
  Server s;
  auto payloads = vllm_stream({"par"}, false);
  payloads.push_back(
      R"({"error":{"message":"out of KV cache","type":"InternalServerError","param":null,"code":500}})");
  payloads.push_back("[DONE]");
  s.server.enqueue(ScriptedReply::sse(payloads));
  Client client(options_for({s.server.base_url()}));
  auto result = client.chat(hello());
  REQUIRE(result);
  REQUIRE(result->error);
  CHECK(result->error->message.find("out of KV cache") != std::string::npos);
  CHECK(result->content == "par");
  CHECK(s.server.request_count() == 1);
}

TEST_CASE("the API key never appears in errors") {
  Server s;
  s.server.set_default(ScriptedReply::error(
      401,
      R"({"error":{"message":"Incorrect API key provided: sk-very-secret","type":"invalid_request_error","code":"invalid_api_key"}})"));
  auto options = options_for({s.server.base_url()});
  options.api_key = "sk-very-secret";
  Client client(options);
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().http_status == 401);
  CHECK(result.error().message.find("sk-very-secret") == std::string::npos);
  CHECK(result.error().message.find("[REDACTED]") != std::string::npos);
}

TEST_CASE("endpoint pool: fails over from a dead replica before the first byte") {
  Server good;
  good.server.set_default(ScriptedReply::sse(vllm_stream({"ok"})));
  const std::string dead = "http://127.0.0.1:" + std::to_string(LoopbackServer::unused_port());
  auto options = options_for({dead, good.server.base_url()});
  options.max_retries = 0;  // failover does not need retries
  Client client(options);
  for (int i = 0; i < 4; ++i) {
    auto result = client.chat(hello());
    REQUIRE(result);
    CHECK(result->content == "ok");
  }
  CHECK(good.server.request_count() == 4);
  // The dead replica was tried at most once: afterwards it is avoided during its cooldown.
  CHECK(client.stats().attempts <= 5);
}

TEST_CASE("endpoint pool: a 503 replica fails over to a healthy one") {
  Server bad, good;
  bad.server.set_default(ScriptedReply::error(
      503, R"({"error":{"code":503,"message":"Loading model","type":"unavailable_error"}})"));
  good.server.set_default(ScriptedReply::sse(vllm_stream({"ok"})));
  auto options = options_for({bad.server.base_url(), good.server.base_url()});
  options.max_retries = 0;
  Client client(options);
  for (int i = 0; i < 3; ++i) {
    auto result = client.chat(hello());
    REQUIRE(result);
    CHECK(result->content == "ok");
  }
  CHECK(good.server.request_count() == 3);
  CHECK(bad.server.request_count() <= 1);
}

TEST_CASE("endpoint pool: concurrent requests go to the least-busy replica") {
  Server a, b;
  const auto slow = ScriptedReply::sse(vllm_stream(words(5)), 40ms);
  a.server.set_default(slow);
  b.server.set_default(slow);
  Client client(options_for({a.server.base_url(), b.server.base_url()}));
  std::vector<ChatHandle> handles;
  for (int i = 0; i < 6; ++i) handles.push_back(client.start(hello()));
  for (auto& handle : handles) {
    auto result = handle.wait();
    REQUIRE(result);
    CHECK(result->done);
  }
  CHECK(a.server.request_count() == 3);
  CHECK(b.server.request_count() == 3);
}

TEST_CASE("one Client from many threads, many streams at once") {
  Server s;
  const auto pieces = words(20);
  s.server.set_default(ScriptedReply::sse(vllm_stream(pieces), 1ms));
  Client client(options_for({s.server.base_url()}));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        std::string streamed;
        auto result = client.stream(hello(), [&](const Event& e) {
          if (auto* d = std::get_if<ContentDelta>(&e)) streamed += d->text;
          return true;
        });
        if (result && result->done && result->content == joined(pieces) &&
            streamed == joined(pieces))
          ++ok;
      }
    });
  }
  std::vector<ChatHandle> handles;
  for (int i = 0; i < 30; ++i) handles.push_back(client.start(hello()));
  for (auto& handle : handles) {
    auto result = handle.wait();
    if (result && result->done && result->content == joined(pieces)) ++ok;
  }
  for (auto& thread : threads) thread.join();
  CHECK(ok == 50);
  CHECK(s.server.request_count() == 50);
}

TEST_CASE("keep-alive: sequential requests reuse one connection") {
  Server s;
  s.server.set_default(ScriptedReply::sse(vllm_stream({"x"})));
  Client client(options_for({s.server.base_url()}));
  for (int i = 0; i < 4; ++i) REQUIRE(client.chat(hello()));
  const auto requests = s.server.requests();
  REQUIRE(requests.size() == 4);
  for (const auto& request : requests) CHECK(request.remote_port == requests[0].remote_port);
  CHECK(client.stats().new_connections == 1);
}

TEST_CASE("calling chat() from inside a callback is refused, not a deadlock") {
  Server s;
  s.server.set_default(ScriptedReply::sse(vllm_stream({"x"})));
  Client client(options_for({s.server.base_url()}));
  std::optional<Error> inner;
  auto result = client.stream(hello(), [&](const Event& e) {
    if (std::holds_alternative<ContentDelta>(e)) {
      auto nested = client.chat(hello());
      if (!nested) inner = nested.error();
    }
    return true;
  });
  REQUIRE(result);
  REQUIRE(inner);
  CHECK(inner->kind == ErrorKind::invalid_argument);
}

TEST_CASE("bad options are reported, not thrown") {
  CHECK(Client::create(ClientOptions{}).error().kind == ErrorKind::invalid_argument);
  CHECK(Client::create(ClientOptions{.endpoints = {"localhost:8000"}}).error().kind ==
        ErrorKind::invalid_argument);
  Client client(ClientOptions{.endpoints = {"nope"}});
  CHECK(client.chat(hello()).error().kind == ErrorKind::invalid_argument);
}

TEST_CASE("destroying the Client cancels running streams") {
  Server s;
  auto reply = ScriptedReply::sse(vllm_stream({"a"}, false));
  reply.end = ScriptedEnd::stall;
  reply.stall = 5000ms;
  s.server.set_default(reply);
  ChatHandle handle;
  const auto start = Clock::now();
  {
    Client client(options_for({s.server.base_url()}));
    handle = client.start(hello());
    std::this_thread::sleep_for(50ms);
  }
  auto result = handle.wait();
  CHECK(ms_since(start) < 1000);
  if (result) {
    CHECK(result->cancelled);
  } else {
    CHECK(result.error().kind == ErrorKind::cancelled);
  }
  s.server.stop();
}

TEST_CASE("an exception from the callback cancels the stream instead of crossing libcurl") {
  Server s;
  s.server.set_default(ScriptedReply::sse(vllm_stream({"a", "b", "c"})));
  Client client(options_for({s.server.base_url()}));
  auto result = client.stream(hello(), [&](const Event& e) -> bool {
    if (std::holds_alternative<ContentDelta>(e)) throw std::runtime_error("boom");
    return true;
  });
  REQUIRE(result);
  CHECK(result->cancelled);
  REQUIRE(result->error);
  CHECK(result->error->message.find("exception") != std::string::npos);
  // The client keeps working afterwards.
  auto next = client.chat(hello());
  REQUIRE(next);
  CHECK(next->content == "abc");
}

TEST_CASE("a reply paced like a recording keeps its gaps, and the timings see them") {
  Server s;
  const auto payloads = vllm_stream({"a", "b", "c", "d"});
  std::vector<std::pair<double, std::string>> reads;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    reads.emplace_back(60.0 * static_cast<double>(i), "data: " + payloads[i] + "\n\n");
  }
  s.server.enqueue(ScriptedReply::paced(reads));
  Client client(options_for({s.server.base_url()}));
  auto result = client.chat(hello());
  REQUIRE(result);
  CHECK(result->done);
  CHECK(result->content == "abcd");
  REQUIRE(result->timings.gap_p50_ms);
  CHECK(*result->timings.gap_p50_ms >= 50);  // deltas arrive 60 ms apart
  CHECK(*result->timings.gap_p50_ms < 400);  // generous: a loaded CI machine
  REQUIRE(result->timings.decode_tok_s);
  CHECK(*result->timings.decode_tok_s > 2);  // 3 tokens after the first over ~180 ms ≈ 16.7/s
  CHECK(*result->timings.decode_tok_s < 40);
  CHECK(*result->timings.total_ms >= 5 * 60 - 10);
}
