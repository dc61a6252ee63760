#pragma once
// Shared by the client tests: vLLM-shaped streams, a started scripted server, fast options.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "llmwire/client.hpp"
#include "llmwire_sim/loopback_server.hpp"

using namespace llmwire;
using namespace std::chrono_literals;
using llmwire::sim::LoopbackServer;
using llmwire::sim::ScriptedEnd;
using llmwire::sim::ScriptedReply;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace client_test {

inline std::string chunk(const json& delta, const json& finish = nullptr) {
  return json{
      {"id", "chatcmpl-1"},
      {"object", "chat.completion.chunk"},
      {"created", 1},
      {"model", "m"},
      {"choices",
       {{{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", finish}}}}}
      .dump();
}

/// A vLLM-shaped stream of `pieces`, with the usage chunk and [DONE].
inline std::vector<std::string> vllm_stream(const std::vector<std::string>& pieces,
                                            bool end = true) {
  std::vector<std::string> out{chunk({{"role", "assistant"}, {"content", ""}})};
  for (const auto& piece : pieces) out.push_back(chunk({{"content", piece}}));
  if (end) {
    out.push_back(chunk(json::object(), "stop"));
    out.push_back(json{{"id", "chatcmpl-1"},
                       {"object", "chat.completion.chunk"},
                       {"choices", json::array()},
                       {"usage",
                        {{"prompt_tokens", 7},
                         {"completion_tokens", static_cast<int>(pieces.size())},
                         {"total_tokens", 7 + static_cast<int>(pieces.size())}}}}
                      .dump());
    out.push_back("[DONE]");
  }
  return out;
}

inline std::vector<std::string> words(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("w" + std::to_string(i) + " ");
  return out;
}

inline std::string joined(const std::vector<std::string>& pieces,
                          std::size_t n = std::string::npos) {
  std::string out;
  for (std::size_t i = 0; i < pieces.size() && i < n; ++i) out += pieces[i];
  return out;
}

inline ChatRequest hello() {
  return ChatRequest{.model = "m", .messages = {Message::user("Hello")}};
}

/// Options for tests: fast backoff so retry tests stay quick.
inline ClientOptions options_for(std::vector<std::string> endpoints) {
  return ClientOptions{.endpoints = std::move(endpoints),
                       .connect_timeout = 2000ms,
                       .first_byte_timeout = 5000ms,
                       .idle_timeout = 5000ms,
                       .backoff_initial = 10ms,
                       .backoff_max = 50ms};
}

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Server {
  LoopbackServer server;
  Server() { REQUIRE(server.start()); }
};

}  // namespace client_test

using namespace client_test;  // NOLINT: test helpers
