#pragma once
/// @file loopback_server.hpp
/// A scripted loopback HTTP server for tests and benchmarks: each request gets a ScriptedReply
/// (status, headers, body bytes with pacing) and can be made to fail the ways real servers do —
/// a slow first byte, a disconnect mid-stream, a stall, a 1-byte trickle. It records every
/// request it received so tests can assert on bodies, headers and connection reuse.
///
///     llmwire::sim::LoopbackServer server;
///     server.enqueue(llmwire::sim::ScriptedReply::error(429, R"({"error":"busy"})",
///     {{"Retry-After", "1"}}));
///     server.enqueue(llmwire::sim::ScriptedReply::sse({R"({"choices":[…]})", "[DONE]"}));
///     auto port = server.start();       // a free port on 127.0.0.1
///     call_client(server.base_url());   // "http://127.0.0.1:<port>"
///     CHECK(server.requests().size() == 2);

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmwire/error.hpp"

namespace llmwire::sim {

/// One write of the response body.
struct ScriptedChunk {
  std::string bytes;
  std::chrono::microseconds delay{0};  ///< Pause before this write.
  /// When set: write at this offset from the request's arrival instead (a deadline, so a
  /// recording's pacing is replayed without the drift that summed pauses accumulate).
  std::optional<std::chrono::microseconds> at;
};

/// How a scripted body ends.
enum class ScriptedEnd {
  finish,      ///< Normally (the terminating chunk of a chunked body).
  disconnect,  ///< Close the connection after the chunks, without the terminating chunk.
  stall,       ///< After the chunks, send nothing for `stall` (or until stop()), then close.
};

struct ScriptedReply {
  int status = 200;
  std::string content_type = "text/event-stream";
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<ScriptedChunk> chunks;
  std::chrono::microseconds first_byte_delay{0};  ///< Before the status line is sent.
  /// When > 0, every chunk is re-split into writes of this many bytes, `trickle_delay` apart.
  std::size_t trickle_bytes = 0;
  std::chrono::microseconds trickle_delay{0};
  ScriptedEnd end = ScriptedEnd::finish;
  std::chrono::milliseconds stall{0};

  /// An OpenAI-style SSE body: each payload becomes `data: <payload>\n\n`, `every` apart.
  [[nodiscard]] static ScriptedReply sse(const std::vector<std::string>& payloads,
                                         std::chrono::microseconds every = {});
  /// An NDJSON body (Ollama native): one line per object, `every` apart.
  [[nodiscard]] static ScriptedReply ndjson(const std::vector<std::string>& lines,
                                            std::chrono::microseconds every = {});
  /// A non-2xx answer with a JSON body and optional extra headers.
  [[nodiscard]] static ScriptedReply error(
      int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {});
  /// A body paced like a recording: (milliseconds since the request, bytes) per read, each
  /// written at its offset (ScriptedChunk::at).
  [[nodiscard]] static ScriptedReply paced(const std::vector<std::pair<double, std::string>>& reads,
                                           std::string content_type = "text/event-stream");
};

/// A request as the server received it.
struct ReceivedRequest {
  std::string method;
  std::string path;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int remote_port = -1;  ///< The client's port: equal ports mean a reused connection.
  std::chrono::steady_clock::time_point received;

  /// The first header named `name` (case-insensitive), or "".
  [[nodiscard]] std::string header(std::string_view name) const;
};

struct LoopbackOptions {
  std::string host = "127.0.0.1";
  int threads = 64;  ///< Connections served at once (httplib's pool is one thread per connection).
  std::size_t keep_alive_max_requests = 1000;
};

/// The server. Replies come from the handler if set, else the FIFO queue, else the default
/// reply (404 unless set_default was called). Any path and method is answered.
class LoopbackServer {
 public:
  explicit LoopbackServer(LoopbackOptions options = {});
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  /// Binds a free port and serves on a background thread. Returns the port.
  [[nodiscard]] Result<int> start();
  /// Stops serving; interrupts pauses and stalls. Idempotent.
  void stop();

  [[nodiscard]] int port() const noexcept;
  [[nodiscard]] std::string base_url() const;

  void enqueue(ScriptedReply reply);
  void set_default(ScriptedReply reply);
  void set_handler(std::function<ScriptedReply(const ReceivedRequest&)> handler);

  [[nodiscard]] std::vector<ReceivedRequest> requests() const;
  [[nodiscard]] std::size_t request_count() const;
  /// Steady-clock time of the first body byte written per request (in arrival order): lets a
  /// benchmark measure the client's overhead over the server's first byte.
  [[nodiscard]] std::vector<std::chrono::steady_clock::time_point> first_body_writes() const;

  /// A loopback port that nothing listens on (connections to it are refused).
  [[nodiscard]] static int unused_port();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmwire::sim
