#pragma once
/// @file client.hpp
/// The streaming chat client: one Client talks to one endpoint or a pool of replicas.
///
///     llmwire::Client client({.endpoints = {"http://127.0.0.1:8000"}});
///     auto result = client.stream(
///         {.model = "gemma4:26b", .messages = {llmwire::Message::user("Hi")}},
///         [](const llmwire::Event& e) {
///           if (auto* d = std::get_if<llmwire::ContentDelta>(&e)) std::cout << d->text;
///           return true;  // false cancels within milliseconds
///         });
///     if (!result) { /* failed before streaming: result.error() */ }
///     else if (result->error) { /* broke mid-stream; result->content holds what arrived */ }
///
/// Threading model
/// ---------------
/// - A Client owns ONE event-loop thread that drives a libcurl multi handle. Every transfer of
///   that Client runs on it, so many streams share one thread and the connection cache
///   (keep-alive connections are reused across requests to the same endpoint).
/// - Every public member function is thread-safe: any number of threads may call chat(),
///   stream() and start() on the same Client at once.
/// - Event callbacks (EventSink) run ON THE EVENT-LOOP THREAD, in order, one at a time for the
///   whole Client. Keep them short (copy the text, signal your thread); a slow callback delays
///   every other stream of this Client. Returning false cancels that stream at once.
/// - chat()/stream() block the calling thread until the response ends. Calling them from
///   inside a callback would deadlock and is refused (ErrorKind::invalid_argument).
/// - Destroying the Client cancels what is still running and joins the thread; handles from
///   start() then report ErrorKind::cancelled.
///
/// Result shape
/// ------------
/// - Errors before any response body byte was handed over (connect, DNS, TLS, HTTP status,
///   first-byte timeout) come back as the Result's error, after retries and failover.
/// - Once streaming has started the Result holds a ChatResult; if the stream then broke,
///   timed out or was cancelled, `error` / `cancelled` say so and everything received is kept.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmwire/chat.hpp"
#include "llmwire/error.hpp"
#include "llmwire/error_body.hpp"
#include "llmwire/events.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/request.hpp"
#include "llmwire/server_info.hpp"
#include "llmwire/stream.hpp"

namespace llmwire {

/// A secret (API key) that zeroes its memory when destroyed or overwritten. It has no stream
/// operator and no implicit conversion, so it cannot end up in a log line by accident.
class SecretString {
 public:
  SecretString() = default;
  SecretString(std::string value) noexcept
      : value_(std::move(value)) {}                                // NOLINT: implicit on purpose
  SecretString(const char* value) : value_(value ? value : "") {}  // NOLINT
  SecretString(const SecretString& other) : value_(other.value_) {}
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(const SecretString& other);
  SecretString& operator=(SecretString&& other) noexcept;
  ~SecretString();

  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }
  /// The secret itself, for building the Authorization header. Do not log it.
  [[nodiscard]] std::string_view reveal() const noexcept { return value_; }
  /// What to show instead of the secret: "" when empty, otherwise "[REDACTED]".
  [[nodiscard]] std::string_view redacted() const noexcept { return empty() ? "" : "[REDACTED]"; }

 private:
  void wipe() noexcept;
  std::string value_;
};

/// How the client behaves; designated initializers recommended.
struct ClientOptions {
  /// Base URLs of replicas serving the same model, e.g. "http://127.0.0.1:8000" (a trailing
  /// "/v1" is fine). A full ".../chat/completions" or ".../api/chat" URL is used as given.
  std::vector<std::string> endpoints;
  Dialect api = Dialect::openai;  ///< openai: /v1/chat/completions (SSE); ollama: /api/chat.
  SecretString api_key;           ///< Sent as "Authorization: Bearer …" when not empty.
  std::vector<std::pair<std::string, std::string>> headers;  ///< Extra request headers.

  bool tls_verify = true;  ///< Verify peer certificate and host name.
  std::string ca_file;     ///< PEM bundle to verify with; empty = the system store.
  /// nullopt: proxy from the environment (curl's http_proxy/https_proxy/no_proxy rules);
  /// "": no proxy; otherwise the proxy URL. Loopback endpoints never go through a proxy.
  std::optional<std::string> proxy;

  std::chrono::milliseconds connect_timeout{10'000};
  /// Request start → first response byte (status line). Covers prefill and model loading.
  std::chrono::milliseconds first_byte_timeout{120'000};
  std::chrono::milliseconds idle_timeout{30'000};  ///< Longest silence once the response began.
  std::chrono::milliseconds total_timeout{0};      ///< Whole request; 0 = no limit.

  /// Retries after the first attempt, only before any response body byte was handed to the
  /// caller: on connect errors, timeouts before the first byte, 408, 409, 429 and 5xx.
  int max_retries = 2;
  std::chrono::milliseconds backoff_initial{250};  ///< Backoff = initial·2^n, full jitter.
  std::chrono::milliseconds backoff_max{8'000};
  /// Longest Retry-After / retry-after-ms honoured; a server asking for longer gets its error
  /// returned (with Error::retry_after) instead of a silent long sleep.
  std::chrono::milliseconds retry_after_cap{30'000};
  /// How long a replica that failed to connect or answered 5xx is avoided by the pool.
  std::chrono::milliseconds endpoint_cooldown{5'000};

  /// OpenAI dialect: ask for `stream_options.include_usage` (token counts from the server).
  bool include_usage = true;
  /// Apply the model's profile (profile.hpp): request edits, thinking toggle and the profile's
  /// output parser (tool calls / reasoning recovered from raw text). The profile is
  /// ChatRequest::profile when set, else the best match for the model id.
  bool use_profiles = true;
  /// Profiles to choose from; nullptr = the built-ins (ProfileSet::builtin()).
  std::shared_ptr<const ProfileSet> profiles;
  std::size_t max_error_body_bytes = 64 * 1024;  ///< Non-2xx bodies kept for decoding.
  DecoderOptions decoder;
};

/// Per-call options.
struct CallOptions {
  /// Record the exchange (request body, response bytes with arrival offsets) as a transcript
  /// (transcript.hpp) at this path; empty = no recording. The API key is never written.
  std::string record_path;
};

/// A request started with Client::start(): cancel it from any thread, wait for its result.
class ChatHandle {
 public:
  ChatHandle();
  ~ChatHandle();
  ChatHandle(ChatHandle&&) noexcept;
  ChatHandle& operator=(ChatHandle&&) noexcept;

  /// Asks the event loop to stop this stream now; safe from any thread, idempotent.
  void cancel();
  /// True once wait() would not block.
  [[nodiscard]] bool ready() const;
  /// Blocks until the request finished; call once (later calls give ErrorKind::invalid_argument).
  [[nodiscard]] Result<ChatResult> wait();

  struct State;

 private:
  friend class Client;
  explicit ChatHandle(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

/// The answer to a metadata call (Client::get, Client::post_json): any HTTP status.
struct HttpResponse {
  int status = 0;
  std::string body;          ///< Decoded if the server compressed it; secrets masked.
  std::string content_type;  ///< The Content-Type header's value, "" when absent.
  std::string url;           ///< The URL asked, without userinfo.
};

/// Per-call limits of a metadata call.
struct FetchOptions {
  std::chrono::milliseconds timeout{10'000};  ///< The whole exchange, connect included.
  std::size_t max_body_bytes = 16u << 20;     ///< A longer body is an error, not truncated.
};

/// Counters for tests and diagnostics.
struct ClientStats {
  std::size_t attempts = 0;         ///< HTTP attempts started (retries and failovers included).
  std::size_t retries = 0;          ///< Attempts that were retries or failovers.
  std::size_t new_connections = 0;  ///< TCP connections opened (the rest were reused).
};

class Client {
 public:
  /// Starts the event-loop thread. Endpoint URLs are checked by create(); the constructor
  /// accepts anything and reports bad options on the first call.
  explicit Client(ClientOptions options);
  /// Like the constructor, but validates the options first.
  [[nodiscard]] static Result<Client> create(ClientOptions options);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends `request` and returns the aggregate once the response is complete.
  [[nodiscard]] Result<ChatResult> chat(const ChatRequest& request, const CallOptions& call = {});
  /// Streams `request`; `on_event` runs on the event-loop thread (see the threading model).
  [[nodiscard]] Result<ChatResult> stream(const ChatRequest& request, EventSink on_event,
                                          const CallOptions& call = {});
  /// Starts `request` without blocking; the handle cancels and waits. `on_event` may be empty.
  [[nodiscard]] ChatHandle start(const ChatRequest& request, EventSink on_event = {},
                                 const CallOptions& call = {});

  /// Metadata calls (server introspection, not chat): GET `path` ("/v1/models", "/metrics")
  /// from the first endpoint's server root, which is its base URL without a request path, "/v1"
  /// or "/api" ("http://h:8000/v1" → "http://h:8000"). The client's key, headers, TLS, proxy and
  /// connect timeout apply, as for chat. Runs on the calling thread, not the event loop, and is
  /// never retried. Errors: transport failures and timeouts (as for chat), a body over
  /// FetchOptions::max_body_bytes, a path not starting with '/'; an HTTP error status is a
  /// response. Refused on the event-loop thread (from an event callback).
  [[nodiscard]] Result<HttpResponse> get(std::string_view path, const FetchOptions& options = {});
  /// POSTs `body` as JSON to `path`, like get() (Ollama's "/api/show").
  [[nodiscard]] Result<HttpResponse> post_json(std::string_view path, const nlohmann::json& body,
                                               const FetchOptions& options = {});

  [[nodiscard]] ClientStats stats() const;
  [[nodiscard]] const ClientOptions& options() const noexcept;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// What inspect_server() asks.
struct InspectOptions {
  std::string model;    ///< The model whose context length is wanted; "" = the only one.
  bool metrics = true;  ///< Also read /metrics (vLLM, SGLang, llama-server).
  FetchOptions fetch{.timeout = std::chrono::milliseconds(5'000)};  ///< Per call.
};

/// Asks the client's (first) server what it is: kind and version, models and their runtime
/// context, llama-server /props, Ollama /api/ps (GPU/CPU split), /metrics, /health. Each call
/// that fails or is not served is noted in ServerInfo::notes, not an error; the result is an
/// error only when the server cannot be reached at all (the first call's transport error).
[[nodiscard]] Result<ServerInfo> inspect_server(Client& client, const InspectOptions& options = {});

/// Parses a Retry-After value (delta seconds or an HTTP date, relative to `now`) or, when
/// `is_ms` is set, a retry-after-ms value. nullopt when unparseable.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, bool is_ms,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace llmwire
