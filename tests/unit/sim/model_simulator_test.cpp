// The model simulator: token splitting, raw native rendering, the canned "model", and the HTTP
// side (both dialects, pacing, usage accounting, faults) over real loopback connections.

#include "llmwire_sim/model_simulator.hpp"

#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "bench/runner.hpp"
#include "bench/suite.hpp"

using namespace llmwire;
using namespace llmwire::sim;

namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += p;
  return out;
}

// The content of every `data:` event of an OpenAI SSE body, concatenated; counts events too.
struct SseSummary {
  std::string content;
  std::string reasoning;
  int content_events = 0;
  bool done = false;
  nlohmann::json usage;
  nlohmann::json tool_calls = nlohmann::json::array();
  std::string finish_reason;
};

SseSummary read_sse(const std::string& body) {
  SseSummary s;
  std::size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    auto end = body.find("\n\n", at);
    std::string data = body.substr(at + 6, end - at - 6);
    at = end;
    if (data == "[DONE]") {
      s.done = true;
      continue;
    }
    auto chunk = nlohmann::json::parse(data, nullptr, false);
    if (chunk.is_discarded()) continue;
    if (chunk.contains("usage")) s.usage = chunk["usage"];
    if (!chunk.contains("choices") || chunk["choices"].empty()) continue;
    const auto& choice = chunk["choices"][0];
    if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
      s.finish_reason = choice["finish_reason"];
    const auto& delta = choice["delta"];
    if (delta.contains("content") && delta["content"].is_string() &&
        !delta["content"].get<std::string>().empty()) {
      s.content += delta["content"].get<std::string>();
      ++s.content_events;
    }
    if (delta.contains("reasoning")) s.reasoning += delta["reasoning"].get<std::string>();
    if (delta.contains("tool_calls")) s.tool_calls.push_back(delta["tool_calls"]);
  }
  return s;
}

nlohmann::json chat_body(const std::string& prompt, bool thinking_off, bool tools = false) {
  nlohmann::json body = {{"model", "sim"},
                         {"stream", true},
                         {"stream_options", {{"include_usage", true}}},
                         {"max_tokens", 200},
                         {"messages", {{{"role", "user"}, {"content", prompt}}}}};
  if (thinking_off) body["chat_template_kwargs"] = {{"enable_thinking", false}};
  if (tools) {
    body["tools"] = nlohmann::json::array();
    for (const auto& tool : bench::default_suite().tools.tools) {
      body["tools"].push_back(
          {{"type", "function"},
           {"function", {{"name", tool.name}, {"parameters", tool.parameters}}}});
    }
  }
  return body;
}

}  // namespace

TEST_CASE("split_tokens keeps markers and UTF-8 whole and loses nothing") {
  std::string text =
      "Hello <|tool_call>call:web_search{query:<|\"|>ನಮಸ್ಕಾರ world<|\"|>}<tool_call|> done";
  auto tokens = split_tokens(text);
  CHECK(join(tokens) == text);
  CHECK(std::find(tokens.begin(), tokens.end(), "<|tool_call>") != tokens.end());
  CHECK(std::find(tokens.begin(), tokens.end(), "<tool_call|>") != tokens.end());
  CHECK(std::find(tokens.begin(), tokens.end(), "<|\"|>") != tokens.end());
  for (const auto& token : tokens) {
    // No token starts with a UTF-8 continuation byte: characters are never cut.
    CHECK((static_cast<unsigned char>(token[0]) & 0xC0) != 0x80);
  }
  CHECK(estimate_tokens(text) == static_cast<std::int64_t>(tokens.size()));
  // English prose averages about four bytes a token, like common BPE vocabularies.
  std::string prose(bench::default_suite().entities.text);
  double bytes_per_token =
      static_cast<double>(prose.size()) / static_cast<double>(estimate_tokens(prose));
  CHECK(bytes_per_token > 3.5);
  CHECK(bytes_per_token < 6.0);
}

TEST_CASE("tool calls render in each profile's raw native format") {
  std::vector<ToolCall> calls = {
      {.name = "web_search", .arguments = {{"query", "DGX \"Spark\""}, {"limit", 3}}}};
  CHECK(render_tool_calls("gemma4", calls) ==
        "<|tool_call>call:web_search{limit:3,query:<|\"|>DGX \"Spark\"<|\"|>}<tool_call|>");
  CHECK(render_tool_calls("qwen3-coder", calls) ==
        "<tool_call>\n<function=web_search>\n<parameter=limit>\n3\n</"
        "parameter>\n<parameter=query>\nDGX "
        "\"Spark\"\n</parameter>\n</function>\n</tool_call>\n");
  auto hermes = render_tool_calls("hermes", calls);
  REQUIRE(hermes.starts_with("<tool_call>\n"));
  auto json = nlohmann::json::parse(hermes.substr(12, hermes.size() - 12 - 14));
  CHECK(json["name"] == "web_search");
  CHECK(json["arguments"]["limit"] == 3);
  CHECK(render_reasoning("gemma4", "hmm") == "<|channel>thought\nhmm<channel|>");
  CHECK(render_reasoning("hermes", "hmm") == "<think>\nhmm\n</think>\n\n");
}

TEST_CASE("the canned model routes tools like the seeds' models did") {
  SimRequest request;
  request.tool_names = {"web_search", "search_memory", "get_entity_details"};
  auto route = [&](std::string text) {
    request.last_user_text = std::move(text);
    auto reply = decide_reply(request, false);
    REQUIRE(reply.tool_calls.size() == 1);
    return reply.tool_calls[0];
  };
  CHECK(route("What's the weather like in Bangalore today?").name == "web_search");
  CHECK(route("Do you remember what I said about my vacation plans?").name == "search_memory");
  auto arun = route("Tell me about Arun.");
  CHECK(arun.name == "get_entity_details");
  CHECK(arun.arguments["name"] == "Arun");
  // The seeds' one miss: a named person pulls the model to the entity tool.
  CHECK(route("What did Priya say about the product launch?").name == "get_entity_details");
  // A tool that is not offered is never called.
  request.tool_names = {"web_search"};
  CHECK(route("Tell me about Arun.").name == "web_search");
}

TEST_CASE("entity extraction answers JSON, malformed on demand") {
  const auto& suite = bench::default_suite();
  SimRequest request;
  request.last_user_text = suite.entities.prompt + suite.entities.text;
  request.wants_json = true;
  auto good = decide_reply(request, false);
  auto parsed = nlohmann::json::parse(good.content);
  CHECK(parsed["persons"].size() == 7);
  CHECK(parsed["places"] == nlohmann::json({"Bangalore", "Mysore", "Coorg"}));
  auto bad = decide_reply(request, true);
  CHECK(nlohmann::json::parse(bad.content, nullptr, false).is_discarded());
  CHECK(bad.content.find("\"places: [") != std::string::npos);
}

TEST_CASE("the simulated model sees the colours of the generated vision PNG") {
  const auto& vision = bench::default_suite().vision;
  auto png = bench::grid_png(vision);
  REQUIRE(png);
  auto description =
      describe_png(std::string_view(reinterpret_cast<const char*>(png->data()), png->size()));
  CHECK(description.find("5 colours") != std::string::npos);
  CHECK(description.find("Red is in the top-left") != std::string::npos);
  CHECK(description.find("Blue is in the top-right") != std::string::npos);
  CHECK(description.find("Green is in the bottom-left") != std::string::npos);
  CHECK(description.find("Yellow is in the bottom-right") != std::string::npos);
  CHECK(description.find("Purple is in the center") != std::string::npos);
  CHECK(describe_png("not a png").empty());
}

TEST_CASE("OpenAI SSE: raw Gemma 4 text, thinking channel, usage matching the paced tokens") {
  ModelSimulator simulator({.profile = "gemma4", .tok_s = 2000, .ttft_ms = 5});
  auto port = simulator.start();
  REQUIRE(port);
  httplib::Client http("127.0.0.1", *port);

  SUBCASE("thinking on by default: the channel is in the content, raw") {
    auto res = http.Post("/v1/chat/completions", chat_body("Say hello.", false).dump(),
                         "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type").starts_with("text/event-stream"));
    auto s = read_sse(res->body);
    CHECK(s.done);
    CHECK(s.content.starts_with("<|channel>thought\n"));
    CHECK(s.content.find("<channel|>") != std::string::npos);
    CHECK(s.usage["completion_tokens"] == s.content_events);
    CHECK(s.usage["prompt_tokens"].get<int>() > 0);
    CHECK(s.finish_reason == "stop");
  }
  SUBCASE("thinking off: no channel") {
    auto res =
        http.Post("/v1/chat/completions", chat_body("Say hello.", true).dump(), "application/json");
    REQUIRE(res);
    auto s = read_sse(res->body);
    CHECK(s.content.find("<|channel>") == std::string::npos);
    CHECK(s.usage["completion_tokens"] == s.content_events);
  }
  SUBCASE("tools sent: the call is Gemma 4 text in content, as with no server tool parser") {
    auto res = http.Post("/v1/chat/completions",
                         chat_body("Tell me about Arun.", true, true).dump(), "application/json");
    REQUIRE(res);
    auto s = read_sse(res->body);
    CHECK(s.content == "<|tool_call>call:get_entity_details{name:<|\"|>Arun<|\"|>}<tool_call|>");
    CHECK(s.tool_calls.empty());
    CHECK(s.finish_reason == "tool_calls");
  }
  SUBCASE("max_tokens cuts a long answer with finish_reason length") {
    auto body = chat_body("Write an essay about local inference.", true);
    body["max_tokens"] = 37;
    auto res = http.Post("/v1/chat/completions", body.dump(), "application/json");
    REQUIRE(res);
    auto s = read_sse(res->body);
    CHECK(s.usage["completion_tokens"] == 37);
    CHECK(s.content_events == 37);
    CHECK(s.finish_reason == "length");
  }
  SUBCASE("/v1/models reports the context length") {
    auto res = http.Get("/v1/models");
    REQUIRE(res);
    auto doc = nlohmann::json::parse(res->body);
    CHECK(doc["data"][0]["max_model_len"] == 131072);
  }
  SUBCASE("a prompt longer than the context is an HTTP 400, like vLLM") {
    auto body = chat_body(std::string(200000, '.'), true);  // one token per punctuation byte
    auto res = http.Post("/v1/chat/completions", body.dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(res->body.find("maximum context length") != std::string::npos);
  }
  simulator.stop();
}

TEST_CASE("server-parsed mode sends structured tool calls and a reasoning field") {
  ModelSimulator simulator(
      {.profile = "gemma4", .tok_s = 2000, .ttft_ms = 1, .server_parser = ServerParser::native});
  auto port = simulator.start();
  REQUIRE(port);
  httplib::Client http("127.0.0.1", *port);
  auto res = http.Post("/v1/chat/completions", chat_body("Tell me about Arun.", false, true).dump(),
                       "application/json");
  REQUIRE(res);
  auto s = read_sse(res->body);
  CHECK(s.content.empty());
  CHECK(!s.reasoning.empty());
  REQUIRE(!s.tool_calls.empty());
  CHECK(s.tool_calls[0][0]["function"]["name"] == "get_entity_details");
  std::string arguments;
  for (const auto& delta : s.tool_calls) arguments += delta[0]["function"].value("arguments", "");
  CHECK(nlohmann::json::parse(arguments) == nlohmann::json({{"name", "Arun"}}));
}

TEST_CASE("Ollama NDJSON: lines, Go-style escapes, thinking field, final counters") {
  ModelSimulator simulator({.profile = "gemma4", .tok_s = 2000, .ttft_ms = 1});
  auto port = simulator.start();
  REQUIRE(port);
  httplib::Client http("127.0.0.1", *port);
  nlohmann::json body = {
      {"model", "gemma4"},
      {"messages", {{{"role", "user"}, {"content", "Tell me about Arun."}}}},
      {"tools", {{{"type", "function"}, {"function", {{"name", "get_entity_details"}}}}}}};
  auto res = http.Post("/api/chat", body.dump(), "application/json");
  REQUIRE(res);
  CHECK(res->get_header_value("Content-Type").starts_with("application/x-ndjson"));
  std::vector<nlohmann::json> lines;
  std::size_t at = 0;
  for (auto end = res->body.find('\n'); end != std::string::npos;
       at = end + 1, end = res->body.find('\n', at)) {
    lines.push_back(nlohmann::json::parse(res->body.substr(at, end - at)));
  }
  REQUIRE(lines.size() > 2);
  CHECK(lines.back()["done"] == true);
  CHECK(lines.back()["done_reason"] == "tool_calls");
  std::string thinking;
  int paced = 0;
  nlohmann::json calls;
  for (const auto& line : lines) {
    if (line["done"] == true) continue;
    thinking += line["message"].value("thinking", "");
    ++paced;
    if (line["message"].contains("tool_calls")) calls = line["message"]["tool_calls"];
  }
  CHECK(!thinking.empty());  // Ollama thinks unless told `think: false`
  REQUIRE(calls.is_array());
  CHECK(calls[0]["function"]["name"] == "get_entity_details");
  CHECK(calls[0]["function"]["arguments"]["name"] == "Arun");
  CHECK(lines.back()["eval_count"].get<int>() >= paced - 1);
  CHECK(lines.back()["eval_duration"].get<long long>() > 0);
  // Go's encoder escapes '<' — a raw Gemma answer would travel as \u003c.
  CHECK(res->body.find('<') == std::string::npos);
}

TEST_CASE("faults on demand") {
  ModelSimulator simulator({.profile = "hermes",
                            .tok_s = 2000,
                            .ttft_ms = 1,
                            .fault_after_tokens = 3,
                            .retry_after_s = 7,
                            .stall_ms = 100});
  auto port = simulator.start();
  REQUIRE(port);
  httplib::Client http("127.0.0.1", *port);
  auto post = [&](const char* fault) {
    return http.Post("/v1/chat/completions", {{"x-llmwire-sim-fault", fault}},
                     chat_body("Write an essay.", true).dump(), "application/json");
  };
  SUBCASE("500") {
    auto res = post("500");
    REQUIRE(res);
    CHECK(res->status == 500);
    CHECK(nlohmann::json::parse(res->body)["error"]["type"] == "InternalServerError");
  }
  SUBCASE("429 with Retry-After") {
    auto res = post("429");
    REQUIRE(res);
    CHECK(res->status == 429);
    CHECK(res->get_header_value("Retry-After") == "7");
  }
  SUBCASE("disconnect and stall end without [DONE]") {
    for (const char* fault : {"disconnect", "stall"}) {
      auto started = std::chrono::steady_clock::now();
      auto res = post(fault);
      if (res) CHECK(res->body.find("[DONE]") == std::string::npos);
      if (std::string(fault) == "stall")
        CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(100));
    }
  }
  SUBCASE("garbage bytes mid-stream, then the stream goes on") {
    auto res = post("garbage");
    REQUIRE(res);
    CHECK(res->body.find("<<garbage bytes>>") != std::string::npos);
    CHECK(res->body.find("[DONE]") != std::string::npos);
  }
  CHECK(!parse_fault("flood"));
  CHECK(*parse_fault("429") == Fault::rate_limit);
}

TEST_CASE("malformed JSON at a set rate") {
  ModelSimulator simulator({.tok_s = 5000, .ttft_ms = 0, .malformed_json_rate = 0.5});
  auto port = simulator.start();
  REQUIRE(port);
  httplib::Client http("127.0.0.1", *port);
  const auto& suite = bench::default_suite();
  int malformed = 0;
  for (int i = 0; i < 4; ++i) {
    auto body = chat_body(suite.entities.prompt + suite.entities.text, true);
    body["response_format"] = {{"type", "json_object"}};
    auto res = http.Post("/v1/chat/completions", body.dump(), "application/json");
    REQUIRE(res);
    malformed += nlohmann::json::parse(read_sse(res->body).content, nullptr, false).is_discarded();
  }
  CHECK(malformed == 2);
  CHECK(simulator.stats().requests == 4);
}

TEST_CASE("the simulator refuses a profile it cannot speak, naming those it can") {
  ModelSimulator simulator({.profile = "nosuch"});
  auto port = simulator.start();
  REQUIRE_FALSE(port);
  CHECK(port.error().kind == ErrorKind::invalid_argument);
  CHECK(port.error().message ==
        "unknown simulator profile 'nosuch' (known: gemma4, qwen3-coder, nemotron, hermes, plain)");
  for (const char* name : {"gemma4", "qwen3-coder", "qwen3_coder", "nemotron3", "hermes", "plain"})
    CHECK(is_simulator_profile(name));
}

TEST_CASE("64 connections at once are all taken at once: no SYN waits a second for the backlog") {
  // Debian's cpp-httplib listens with a backlog of 5; the simulator raises it (listen_backlog.hpp).
  // With 5, a burst of connects overflows the accept queue and the dropped SYNs are resent after
  // 1 s (CI saw a 1029 ms TTFT at the bench's 8-stream level). 64 non-blocking connects at once
  // must all complete well inside that second.
  ModelSimulator simulator({.profile = "gemma4"});
  auto port = simulator.start();
  REQUIRE(port);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(*port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<int> sockets;
  for (int i = 0; i < 64; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    REQUIRE(fd >= 0);
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    REQUIRE((rc == 0 || errno == EINPROGRESS));
    sockets.push_back(fd);
  }
  const auto started = std::chrono::steady_clock::now();
  int connected = 0;
  for (int fd : sockets) {
    pollfd p{.fd = fd, .events = POLLOUT, .revents = 0};
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    const int left = std::max<int>(0, 500 - static_cast<int>(spent.count()));
    int error = 0;
    socklen_t size = sizeof error;
    if (::poll(&p, 1, left) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 &&
        error == 0)
      ++connected;
  }
  for (int fd : sockets) ::close(fd);
  CHECK(connected == 64);
}
