// The client: one libcurl multi handle driven by one event-loop thread (see client.hpp for the
// threading model). Each ChatRequest becomes a Transfer that lives on the loop thread from
// submission to completion; its attempts (retries, failovers) are curl easy handles.

#include "llmwire/client.hpp"

#include <curl/curl.h>
#include <string.h>  // explicit_bzero

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "client/curl_setup.hpp"
#include "client/metadata_call.hpp"
#include "client/transfer_timings.hpp"
#include "client/url.hpp"
#include "core/secret_mask.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/transcript.hpp"
#include "llmwire/version.hpp"

namespace llmwire {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

std::once_flag curl_init_once;

void ensure_curl_initialised() {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Endpoint {
  std::string url;      ///< Full request URL.
  std::string root;     ///< Server root for metadata paths (server_root()).
  std::string display;  ///< What error messages call it (the URL as configured).
  bool loopback = false;
  int active = 0;
  Clock::time_point unhealthy_until{};
};

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = line[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != name[i]) return false;
  }
  return true;
}

// The longest duration the client works with: any longer timeout, backoff or retry cap is
// saturated to it, so `now + d` can never overflow the clock (signed overflow is UB).
constexpr milliseconds longest_duration{std::chrono::hours(24 * 365 * 10)};

// Negative durations are refused; absurdly long ones are saturated (see longest_duration).
std::optional<Error> check_durations(ClientOptions& o) {
  struct Named {
    const char* name;
    milliseconds* value;
  };
  for (Named d :
       {Named{"connect_timeout", &o.connect_timeout},
        Named{"first_byte_timeout", &o.first_byte_timeout}, Named{"idle_timeout", &o.idle_timeout},
        Named{"total_timeout", &o.total_timeout}, Named{"backoff_initial", &o.backoff_initial},
        Named{"backoff_max", &o.backoff_max}, Named{"retry_after_cap", &o.retry_after_cap},
        Named{"endpoint_cooldown", &o.endpoint_cooldown}}) {
    if (d.value->count() < 0) {
      return make_error(ErrorKind::invalid_argument,
                        std::string("ClientOptions::") + d.name + " must not be negative");
    }
    *d.value = std::min(*d.value, longest_duration);
  }
  if (o.max_retries < 0) {
    return make_error(ErrorKind::invalid_argument,
                      "ClientOptions::max_retries must not be negative");
  }
  return std::nullopt;
}

// A header line is built as "name: value": CR or LF in either would inject another header.
std::optional<Error> check_headers(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) {
    const bool bad_name = name.empty() || name.find_first_of(":\r\n \t") != std::string::npos;
    if (bad_name || value.find_first_of("\r\n") != std::string::npos ||
        value.find('\0') != std::string::npos) {
      std::string shown = name.substr(0, 40);
      for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
      }
      return make_error(ErrorKind::invalid_argument,
                        "ClientOptions::headers: header '" + shown +
                            "' has a name or value with CR, LF, NUL or a colon in the name");
    }
  }
  return std::nullopt;
}

bool is_retryable_status(int status) {
  return status == 408 || status == 409 || status == 429 || (status >= 500 && status <= 599);
}

}  // namespace

// ---- the handle shared between a caller and the loop ----------------------------------------

/// Lets a ChatHandle reach the loop to wake it, even after the Client is gone.
struct LoopLink {
  std::mutex mu;
  Client::Impl* impl = nullptr;
};

struct ChatHandle::State {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool taken = false;
  std::optional<Result<ChatResult>> result;
  std::atomic<bool> cancel_requested{false};
  std::shared_ptr<LoopLink> link;

  void complete(Result<ChatResult> value) {
    {
      std::lock_guard lock(mu);
      result = std::move(value);
      done = true;
    }
    cv.notify_all();
  }
};

// ---- one request ---------------------------------------------------------------------------

struct Transfer {
  Client::Impl* impl = nullptr;  // the client that runs it (the curl callbacks need it)
  std::shared_ptr<ChatHandle::State> handle;
  std::string body;
  EventSink user_sink;
  EventSink sink;  // user_sink wrapped with timing capture
  ResponseDecoder decoder;
  detail::TransferTimings timings;

  // Per attempt.
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  int endpoint = -1;
  int status = 0;
  std::optional<milliseconds> retry_after;
  std::string error_body;
  std::size_t max_error_body = 64 * 1024;
  // The loop's next timer scan, lowered when the first byte arrives (idle timer starts).
  Clock::time_point* next_scan = nullptr;
  milliseconds idle_timeout{0};
  bool body_started = false;  // a 2xx body byte reached the decoder: no retry from here on
  bool sink_stopped = false;  // the callback returned false
  // The server's end signal arrived and the result went to the caller at once; the attempt
  // only drains (or is cut) from here on, whatever the server does with the connection.
  bool delivered = false;
  Clock::time_point delivered_at{};
  bool connected = false;  // the attempt reached a server (known once its handle is released)
  std::optional<Error> abort_error;  // set by the loop's timer scan before removing the handle
  char error_buffer[CURL_ERROR_SIZE] = {};
  Clock::time_point attempt_start{};
  std::optional<Clock::time_point> first_byte;
  Clock::time_point last_byte{};

  // Across attempts.
  Clock::time_point request_start{};
  std::vector<bool> tried;
  int retries_used = 0;
  int attempts = 0;
  bool waiting = false;  // between attempts, until retry_at
  Clock::time_point retry_at{};
  std::size_t active_index = 0;
  std::optional<Error> last_error;

  // Recording (only when CallOptions::record_path is set).
  std::string record_path;
  std::optional<detail::StreamMask> record_mask;  // masks secrets in recorded chunks
  std::optional<TranscriptWriter> recorder;
  TranscriptHeader record_header;
  bool record_failed = false;

  explicit Transfer(Dialect dialect, const DecoderOptions& options) : decoder(dialect, options) {}
};

// ---- the client ----------------------------------------------------------------------------

class Client::Impl {
 public:
  explicit Impl(ClientOptions options) : options_(std::move(options)) {
    ensure_curl_initialised();
    // The secrets, decided once: the key and every URL password (curl sends that as Basic
    // auth; it is never shown). Views into options_, which never changes after this.
    secrets_.push_back(options_.api_key.reveal());
    for (const std::string& base : options_.endpoints)
      secrets_.push_back(detail::url_password(base));
    mask_ = detail::SecretMask(secrets_);
    for (const std::string& base : options_.endpoints) {
      auto url = detail::request_url(base, options_.api);
      if (!url) {
        config_error_ = url.error();
        mask_.redact(*config_error_);
        break;
      }
      endpoints_.push_back(Endpoint{.url = *url,
                                    .root = detail::server_root(base),
                                    .display = detail::without_userinfo(base),
                                    .loopback = detail::is_loopback(base)});
    }
    if (!config_error_) config_error_ = check_durations(options_);
    if (!config_error_) config_error_ = check_headers(options_.headers);
    if (!config_error_ && endpoints_.empty()) {
      config_error_ = make_error(ErrorKind::invalid_argument, "no endpoint configured");
    }
    user_agent_ = std::string("llmwire/") + version_string;
    link_ = std::make_shared<LoopLink>();
    link_->impl = this;
    multi_ = curl_multi_init();
    // Keep idle keep-alive connections for every stream that may come back.
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, 4096L);
    std::random_device seed;
    rng_.seed(seed());
    loop_ = std::thread([this] { run_loop(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(link_->mu);
      link_->impl = nullptr;
    }
    stop_.store(true);
    curl_multi_wakeup(multi_);
    if (loop_.joinable()) loop_.join();
    curl_multi_cleanup(multi_);
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  const ClientOptions& options() const { return options_; }
  const std::optional<Error>& config_error() const { return config_error_; }
  bool on_loop_thread() const { return std::this_thread::get_id() == loop_.get_id(); }

  ClientStats stats() const {
    return ClientStats{.attempts = attempts_.load(),
                       .retries = retries_.load(),
                       .new_connections = new_connections_.load()};
  }

  ChatHandle start(const ChatRequest& request, EventSink on_event, const CallOptions& call) {
    auto state = std::make_shared<ChatHandle::State>();
    state->link = link_;
    if (config_error_) {
      state->complete(tl::unexpected(*config_error_));
      return ChatHandle(state);
    }
    EncodeOptions encode{.stream = true, .include_usage = options_.include_usage};
    const Profile* profile = nullptr;
    if (options_.use_profiles) {
      const ProfileSet& set = options_.profiles ? *options_.profiles : builtin_profiles_;
      auto selected = set.select(request.model, request.profile);
      if (!selected) {
        state->complete(tl::unexpected(selected.error()));
        return ChatHandle(state);
      }
      profile = *selected;
      // The profile's image policy and audio capability shape media parts as they are encoded
      // (image.hpp).
      encode.image_policy = profile->image;
      encode.audio_input = profile->capabilities.audio;
    }
    auto body = encode_request(request, options_.api, encode);
    if (!body) {
      state->complete(tl::unexpected(body.error()));
      return ChatHandle(state);
    }
    auto transfer = std::make_shared<Transfer>(options_.api, options_.decoder);
    if (!mask_.empty()) transfer->decoder.mask_secrets(secrets_);
    if (profile != nullptr) {
      if (auto applied = apply_model_profile(request, *profile, *body, transfer->decoder);
          !applied) {
        state->complete(tl::unexpected(applied.error()));
        return ChatHandle(state);
      }
    }
    if (!call.record_path.empty()) {
      // Fail early, on the caller's thread, when the file cannot be created; the loop thread
      // writes it once the response status is known.
      std::FILE* probe = std::fopen(call.record_path.c_str(), "wb");
      if (probe == nullptr) {
        state->complete(fail(ErrorKind::io, "cannot create transcript '" + call.record_path + "'"));
        return ChatHandle(state);
      }
      std::fclose(probe);
      transfer->record_path = call.record_path;
      transfer->record_header.dialect = options_.api;
      transfer->record_header.provenance =
          std::string("recorded by llmwire ") + version_string + " (Client)";
      transfer->record_header.request_body = redact_json(*body);
      transfer->record_header.request_headers = request_headers_for_record();
      transfer->record_header.secrets_masked = !mask_.empty();
      transfer->record_mask.emplace(&mask_);
    }
    transfer->handle = state;
    transfer->impl = this;
    transfer->max_error_body = options_.max_error_body_bytes;
    transfer->next_scan = &next_scan_;
    transfer->idle_timeout = options_.idle_timeout;
    transfer->body = body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    transfer->user_sink = std::move(on_event);
    Transfer* raw = transfer.get();
    // The decode rate is timed on the server's fragments as they arrive, not on the events
    // the profile's parser releases (it holds text back while a tool call may be starting).
    transfer->decoder.set_wire_delta_observer([raw] { raw->timings.on_wire_delta(Clock::now()); });
    transfer->sink = [raw](const Event& event) {
      raw->timings.on_event(event, Clock::now());
      if (!raw->user_sink) return true;
      // An exception must not unwind through libcurl's C frames: it cancels the stream instead.
      try {
        return raw->user_sink(event);
      } catch (...) {
        raw->abort_error =
            make_error(ErrorKind::cancelled, "the event callback threw an exception");
        return false;
      }
    };
    transfer->tried.assign(endpoints_.size(), false);
    {
      std::lock_guard lock(incoming_mu_);
      incoming_.push_back(std::move(transfer));
    }
    curl_multi_wakeup(multi_);
    return ChatHandle(state);
  }

  /// The model's profile: request edits and thinking toggle on the body, its output parser on
  /// the decoder (recovers tool calls and reasoning left in raw text).
  Result<void> apply_model_profile(const ChatRequest& request, const Profile& profile,
                                   nlohmann::json& body, ResponseDecoder& decoder) const {
    const ApiFlavor flavor =
        options_.api == Dialect::ollama ? ApiFlavor::ollama_native : ApiFlavor::openai_compatible;
    if (auto applied = apply_profile(body, request, flavor, profile); !applied) return applied;
    // The request's own passthrough fields still have the last word over profile edits.
    if (request.extra.is_object() && !request.extra.empty()) body.merge_patch(request.extra);
    if (!profile.output_parser.empty()) {
      auto parser = make_output_parser(profile.output_parser, parser_options_for(request, profile));
      if (!parser) return tl::unexpected(parser.error());
      decoder.set_output_parser(std::move(*parser));
    }
    return {};
  }

  std::vector<std::pair<std::string, std::string>> request_headers_for_record() const {
    std::vector<std::pair<std::string, std::string>> headers{
        {"Content-Type", "application/json"},
        {"Accept", options_.api == Dialect::ollama ? "application/x-ndjson" : "text/event-stream"}};
    if (!options_.api_key.empty()) headers.emplace_back("Authorization", "[REDACTED]");
    for (const auto& header : options_.headers) headers.push_back(header);
    return redact_headers(std::move(headers));
  }

  Result<HttpResponse> metadata(std::string_view path, const std::optional<std::string>& body,
                                const FetchOptions& fetch) const {
    if (config_error_) return tl::unexpected(*config_error_);
    const Endpoint& endpoint = endpoints_.front();
    return detail::metadata_call(
        options_, mask_,
        {.root = endpoint.root, .display = endpoint.display, .loopback = endpoint.loopback}, path,
        body, fetch, user_agent_);
  }

  /// Called by ChatHandle::cancel() (any thread) through the LoopLink.
  void request_cancel() {
    cancel_pending_.store(true);
    curl_multi_wakeup(multi_);
  }

 private:
  // ---- loop ----------------------------------------------------------------------------------

  void run_loop() {
    while (!stop_.load()) {
      retired_.clear();
      take_incoming();
      int running = 0;
      curl_multi_perform(multi_, &running);
      drain_messages();
      const auto now = Clock::now();
      if (cancel_pending_.exchange(false) || now >= next_scan_) scan(now);
      long curl_timeout = -1;
      curl_multi_timeout(multi_, &curl_timeout);
      auto wait = std::chrono::duration_cast<milliseconds>(next_scan_ - Clock::now()).count() + 1;
      wait = std::clamp<long long>(wait, 0, 1000);
      if (curl_timeout >= 0) wait = std::min<long long>(wait, curl_timeout);
      curl_multi_poll(multi_, nullptr, 0, static_cast<int>(wait), nullptr);
    }
    shutdown();
    if (self_) {
      loop_.detach();  // ~Impl below must not join the thread it runs on
      std::unique_ptr<Impl> last = std::move(self_);
    }  // nothing may touch `this` after this point
  }

  void take_incoming() {
    std::vector<std::shared_ptr<Transfer>> batch;
    {
      std::lock_guard lock(incoming_mu_);
      batch.swap(incoming_);
    }
    const auto now = Clock::now();
    for (auto& transfer : batch) {
      transfer->request_start = now;
      transfer->active_index = active_.size();
      active_.push_back(transfer);
      start_attempt(*transfer, now);
    }
  }

 public:
  /// The Client is being destroyed from one of its own callbacks: joining the loop thread from
  /// itself is impossible, so the Impl owns itself until the loop, back from the callback,
  /// has stopped every transfer; it is then destroyed on the loop thread, as the loop's last act.
  void destroy_from_loop(std::unique_ptr<Impl> self) {
    self_ = std::move(self);
    stop_.store(true);
  }

 private:
  void drain_messages() {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* transfer = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
      if (transfer != nullptr) finish_attempt(*transfer, message->data.result);
    }
  }

  /// Timers: first-byte, idle and total timeouts, due retries, cross-thread cancels.
  void scan(Clock::time_point now) {
    // Callees (retry scheduling, new attempts) lower next_scan_ themselves while we iterate.
    next_scan_ = now + milliseconds(1000);
    auto& next = next_scan_;
    // Iterate over a copy: finishing a transfer removes it from active_.
    std::vector<std::shared_ptr<Transfer>> snapshot = active_;
    for (const auto& holder : snapshot) {
      Transfer& t = *holder;
      if (t.delivered) {
        // Bytes after the end signal are discarded; a server that keeps the connection open
        // gets a short grace to end it cleanly (so it can be reused), then it is closed.
        const auto deadline = t.delivered_at + drain_after_done;
        if (now >= deadline) {
          abort(t, make_error(ErrorKind::cancelled, "drained after the end signal"));
        } else {
          next = std::min(next, deadline);
        }
        continue;
      }
      if (t.handle->cancel_requested.load()) {
        abort(t, make_error(ErrorKind::cancelled, "cancelled by the caller"));
        continue;
      }
      if (options_.total_timeout.count() > 0) {
        const auto deadline = t.request_start + options_.total_timeout;
        if (now >= deadline) {
          abort(t, make_error(ErrorKind::timeout,
                              "total timeout of " + std::to_string(options_.total_timeout.count()) +
                                  " ms expired (" + endpoint_name(t) + ")"));
          continue;
        }
        next = std::min(next, deadline);
      }
      if (t.waiting) {
        if (now >= t.retry_at) {
          t.waiting = false;
          start_attempt(t, now);
        } else {
          next = std::min(next, t.retry_at);
        }
        continue;
      }
      if (t.easy == nullptr) continue;
      if (!t.first_byte) {
        const auto deadline = t.attempt_start + options_.first_byte_timeout;
        if (now >= deadline) {
          abort(t, make_error(ErrorKind::timeout,
                              "no response from " + endpoint_name(t) + " within " +
                                  std::to_string(options_.first_byte_timeout.count()) +
                                  " ms (first-byte timeout)"));
          continue;
        }
        next = std::min(next, deadline);
      } else {
        const auto deadline = t.last_byte + options_.idle_timeout;
        if (now >= deadline) {
          abort(t,
                make_error(ErrorKind::timeout, endpoint_name(t) + " sent nothing for " +
                                                   std::to_string(options_.idle_timeout.count()) +
                                                   " ms (idle timeout)"));
          continue;
        }
        next = std::min(next, deadline);
      }
    }
  }

  void shutdown() {
    take_incoming_without_start();
    std::vector<std::shared_ptr<Transfer>> snapshot = active_;
    for (const auto& t : snapshot)
      abort(*t, make_error(ErrorKind::cancelled, "the client was destroyed"));
  }

  void take_incoming_without_start() {
    std::lock_guard lock(incoming_mu_);
    for (auto& transfer : incoming_) {
      transfer->handle->complete(fail(ErrorKind::cancelled, "the client was destroyed"));
    }
    incoming_.clear();
  }

  // ---- attempts ------------------------------------------------------------------------------

  static constexpr milliseconds drain_after_done{2000};

  std::string endpoint_name(const Transfer& t) const {
    return t.endpoint >= 0 ? endpoints_[static_cast<std::size_t>(t.endpoint)].display
                           : std::string("(no endpoint)");
  }

  /// Least-busy healthy endpoint, preferring ones this request has not tried yet.
  int pick_endpoint(const Transfer& t, Clock::time_point now) {
    int best = -1;
    std::tuple<bool, bool, int> best_key{};
    const std::size_t n = endpoints_.size();
    const std::size_t offset = round_robin_++ % n;  // spreads ties
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = (offset + k) % n;
      const Endpoint& e = endpoints_[i];
      const std::tuple<bool, bool, int> key{t.tried[i], e.unhealthy_until > now, e.active};
      if (best < 0 || key < best_key) {
        best = static_cast<int>(i);
        best_key = key;
      }
    }
    return best;
  }

  void start_attempt(Transfer& t, Clock::time_point now) {
    t.endpoint = pick_endpoint(t, now);
    Endpoint& endpoint = endpoints_[static_cast<std::size_t>(t.endpoint)];
    t.tried[static_cast<std::size_t>(t.endpoint)] = true;
    t.status = 0;
    t.retry_after.reset();
    t.error_body.clear();
    t.record_header.response_headers.clear();
    t.body_started = false;
    t.connected = false;
    t.abort_error.reset();
    t.error_buffer[0] = '\0';
    t.first_byte.reset();
    t.attempt_start = now;
    t.last_byte = now;
    ++t.attempts;
    ++attempts_;
    if (t.attempts > 1) ++retries_;

    CURL* easy = curl_easy_init();
    t.easy = easy;
    t.headers = detail::request_headers(options_, options_.api == Dialect::ollama
                                                      ? "Accept: application/x-ndjson"
                                                      : "Accept: text/event-stream");
    detail::set_connection_options(easy, options_, endpoint.url, endpoint.loopback, t.headers,
                                   user_agent_, t.error_buffer);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t.body.size()));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::on_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
    ++endpoint.active;
    curl_multi_add_handle(multi_, easy);
    next_scan_ = std::min(next_scan_, now + options_.first_byte_timeout);
    if (options_.total_timeout.count() > 0) {
      next_scan_ = std::min(next_scan_, t.request_start + options_.total_timeout);
    }
  }

  /// Ends the running attempt early (timeout, cancel): the handle leaves the multi first.
  void abort(Transfer& t, Error error) {
    if (t.easy == nullptr) {
      // Waiting for a retry: nothing to remove. A cancel is still reported as a result.
      if (error.kind == ErrorKind::cancelled) {
        ChatResult result = t.decoder.take_result();
        result.cancelled = true;
        result.error = std::move(error);
        complete(t, std::move(result));
      } else {
        complete_with_error(t, std::move(error));
      }
      return;
    }
    t.abort_error = std::move(error);
    finish_attempt(t, CURLE_ABORTED_BY_CALLBACK);
  }

  void release_easy(Transfer& t) {
    if (t.easy == nullptr) return;
    char* ip = nullptr;
    t.connected = curl_easy_getinfo(t.easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
                  ip != nullptr && *ip != '\0';
    long connects = 0;
    curl_easy_getinfo(t.easy, CURLINFO_NUM_CONNECTS, &connects);
    new_connections_ += static_cast<std::size_t>(std::max(0L, connects));
    curl_multi_remove_handle(multi_, t.easy);
    curl_easy_cleanup(t.easy);
    t.easy = nullptr;
    detail::free_request_headers(t.headers);
    t.headers = nullptr;
    --endpoints_[static_cast<std::size_t>(t.endpoint)].active;
  }

  void finish_attempt(Transfer& t, CURLcode code) {
    release_easy(t);
    // Before anything quotes or records it (an error page may echo the key back): the message
    // quotes a redacted copy, the transcript keeps the same-length mask.
    std::string shown_error_body = t.error_body;
    mask_.redact(shown_error_body);
    mask_.mask_same_length(t.error_body);
    if (t.delivered) {  // the caller has its result already
      remove_active(t);
      return;
    }
    const auto now = Clock::now();
    const bool cancelled =
        t.sink_stopped || (t.abort_error && t.abort_error->kind == ErrorKind::cancelled);

    if (t.body_started) {
      // Streaming began: whatever happens now is reported with the partial result, never retried.
      if (!cancelled) t.decoder.finish(t.sink);
      ChatResult result = t.decoder.take_result();
      if (cancelled) {
        result.cancelled = true;
        result.done = false;
        result.error = t.abort_error ? *t.abort_error
                                     : make_error(ErrorKind::cancelled, "cancelled by the caller");
      } else if (t.abort_error) {
        result.done = false;
        result.error = *t.abort_error;  // idle / total timeout mid-stream
      } else if (code != CURLE_OK && !result.error) {
        // (An error event the server sent before closing says more than curl's cause: kept.)
        result.done = false;
        result.error = make_error(ErrorKind::stream_broken, "the stream from " + endpoint_name(t) +
                                                                " broke: " + curl_cause(t, code));
      } else if (!result.done && !result.error) {
        // The decoder leaves this call to the transport: the connection closed cleanly but the
        // server never sent its end signal ([DONE] / done:true).
        result.error =
            make_error(ErrorKind::stream_broken, "the stream from " + endpoint_name(t) +
                                                     " ended without the server's end signal");
      }
      if (result.error) mask_.redact(*result.error);
      t.timings.fill(result, t.attempt_start, now, t.first_byte);
      complete(t, std::move(result));
      return;
    }

    if (cancelled) {
      // Cancelled before any body byte: still a result, so the caller sees `cancelled`.
      ChatResult result = t.decoder.take_result();
      result.cancelled = true;
      result.error = t.abort_error ? *t.abort_error
                                   : make_error(ErrorKind::cancelled, "cancelled by the caller");
      t.timings.fill(result, t.attempt_start, now, t.first_byte);
      complete(t, std::move(result));
      return;
    }

    if (t.status >= 200 && t.status < 300 && code == CURLE_OK) {
      // A 2xx with an empty body.
      t.decoder.finish(t.sink);
      ChatResult result = t.decoder.take_result();
      if (!result.done && !result.error) {
        result.error =
            make_error(ErrorKind::stream_broken, endpoint_name(t) + " answered with an empty body");
      }
      t.timings.fill(result, t.attempt_start, now, t.first_byte);
      complete(t, std::move(result));
      return;
    }

    // Failed before streaming: classify, then fail over / retry / give up.
    Endpoint& endpoint = endpoints_[static_cast<std::size_t>(t.endpoint)];
    Error error;
    bool retryable = false;
    bool endpoint_fault = false;  // the replica itself looks unhealthy
    bool failover = false;        // worth trying another replica
    if (t.abort_error) {
      error = *t.abort_error;  // timeouts found by scan()
      const bool first_byte_timeout = !t.first_byte && error.kind == ErrorKind::timeout &&
                                      error.message.find("first-byte") != std::string::npos;
      retryable = first_byte_timeout;
      endpoint_fault = first_byte_timeout;
      failover = first_byte_timeout;
    } else if (t.status != 0 && (t.status < 200 || t.status >= 300) &&
               (code == CURLE_OK || !t.error_body.empty())) {
      error = decode_error_body(t.status, shown_error_body);
      error.retry_after = t.retry_after;
      error.message =
          endpoint_name(t) + " answered HTTP " + std::to_string(t.status) + ": " + error.message;
      retryable = is_retryable_status(t.status);
      endpoint_fault = t.status >= 500;
      failover = retryable;
    } else {
      error = transport_error(t, code);
      retryable = error.kind == ErrorKind::connect || error.kind == ErrorKind::timeout;
      endpoint_fault = true;
      failover = true;
    }
    mask_.redact(error);
    if (endpoint_fault) endpoint.unhealthy_until = now + options_.endpoint_cooldown;

    // Fail over at once to a replica this request has not tried, if one looks healthy.
    if (failover) {
      for (std::size_t i = 0; i < endpoints_.size(); ++i) {
        if (!t.tried[i] && endpoints_[i].unhealthy_until <= now) {
          t.last_error = error;
          start_attempt(t, now);
          return;
        }
      }
    }
    if (retryable && t.retries_used < options_.max_retries) {
      milliseconds delay = backoff(t.retries_used);
      if (error.retry_after) {
        if (*error.retry_after > options_.retry_after_cap) {
          complete_with_error(t, std::move(error));  // the server asked for more than we wait
          return;
        }
        delay = *error.retry_after;
      }
      if (options_.total_timeout.count() > 0 &&
          now + delay >= t.request_start + options_.total_timeout) {
        complete_with_error(t, std::move(error));
        return;
      }
      ++t.retries_used;
      t.last_error = error;
      // A retry may go back to any replica: forget which ones were tried.
      std::fill(t.tried.begin(), t.tried.end(), false);
      t.waiting = true;
      t.retry_at = now + delay;
      next_scan_ = std::min(next_scan_, t.retry_at);
      return;
    }
    complete_with_error(t, std::move(error));
  }

  milliseconds backoff(int retry) {
    const double base =
        static_cast<double>(options_.backoff_initial.count()) * std::pow(2.0, retry);
    const double capped = std::min(base, static_cast<double>(options_.backoff_max.count()));
    // Jitter in [capped/2, capped]: spreads synchronized retries without ever retrying at once.
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return milliseconds(static_cast<long long>(capped * jitter(rng_)));
  }

  std::string curl_cause(const Transfer& t, CURLcode code) const {
    return detail::curl_cause(t.error_buffer, code);
  }

  /// Whether the attempt reached the server (a TCP connection was made).
  static bool connected(const Transfer& t) { return t.first_byte.has_value() || t.connected; }

  Error transport_error(const Transfer& t, CURLcode code) const {
    return detail::transport_error(code, curl_cause(t, code), endpoint_name(t), connected(t));
  }

  static double ms_since(Clock::time_point from) {
    return std::chrono::duration<double, std::milli>(Clock::now() - from).count();
  }

  /// Ends the transcript: a streamed one gets its end line; a request that never streamed is
  /// written whole (status and error body, or status 0 for no response).
  void finish_recording(Transfer& t, const std::string& end) {
    if (t.record_path.empty()) return;
    if (t.recorder) {
      if (t.record_mask) {
        std::string_view held = t.record_mask->finish();
        if (!held.empty()) (void)t.recorder->write_chunk(held, ms_since(t.attempt_start));
      }
      (void)t.recorder->close(end, ms_since(t.attempt_start));
      t.recorder.reset();
      return;
    }
    Transcript transcript;
    static_cast<TranscriptHeader&>(transcript) = t.record_header;
    transcript.url =
        t.endpoint >= 0
            ? detail::without_userinfo(endpoints_[static_cast<std::size_t>(t.endpoint)].url)
            : "";
    transcript.status = t.status;
    if (!t.error_body.empty()) {
      transcript.chunks.push_back(TranscriptChunk{.t_ms = 0, .bytes = t.error_body});
    }
    transcript.end = end;
    (void)write_transcript(t.record_path, transcript);
  }

  static std::string end_of(const ChatResult& result) {
    if (result.cancelled) return "cancelled";
    if (result.error) return "error: " + result.error->message;
    return result.done ? "complete" : "eof";
  }

  void complete_with_error(Transfer& t, Error error) {
    if (t.attempts > 1) error.message += " (after " + std::to_string(t.attempts) + " attempts)";
    finish_recording(t, "error: " + error.message);
    t.handle->complete(tl::unexpected(std::move(error)));
    remove_active(t);
  }

  void complete(Transfer& t, ChatResult result) {
    finish_recording(t, end_of(result));
    t.handle->complete(std::move(result));
    remove_active(t);
  }

  void remove_active(Transfer& t) {
    const std::size_t index = t.active_index;
    if (index >= active_.size() || active_[index].get() != &t) return;
    // Keep the Transfer alive until this function returns: the caller still holds a reference.
    std::shared_ptr<Transfer> keep = std::move(active_[index]);
    if (index + 1 != active_.size()) {
      active_[index] = std::move(active_.back());
      active_[index]->active_index = index;
    }
    active_.pop_back();
    retired_.push_back(std::move(keep));
  }

  // ---- curl callbacks (loop thread, inside curl_multi_perform) --------------------------------

  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto& t = *static_cast<Transfer*>(user);
    const size_t length = size * count;
    const std::string_view line(data, length);
    const auto now = Clock::now();
    if (!t.first_byte) {
      t.first_byte = now;
      *t.next_scan = std::min(*t.next_scan, now + t.idle_timeout);
    }
    t.last_byte = now;
    if (line.starts_with("HTTP/")) {
      // A new status line (after 100 Continue, or a redirect) starts a fresh header block.
      t.status = 0;
      t.retry_after.reset();
      t.record_header.response_headers.clear();
      const auto space = line.find(' ');
      if (space != std::string_view::npos && space + 4 <= line.size()) {
        int status = 0;
        for (std::size_t i = space + 1; i < space + 4; ++i) {
          if (line[i] < '0' || line[i] > '9') return length;
          status = status * 10 + (line[i] - '0');
        }
        t.status = status;
      }
    } else if (!t.record_path.empty()) {
      record_header_line(t, line);
    }
    if (iequals_prefix(line, "retry-after-ms:")) {
      // retry-after-ms (OpenAI's) is more precise than Retry-After: it wins when both come.
      t.retry_after = parse_retry_after(line.substr(15), true);
    } else if (iequals_prefix(line, "retry-after:") && !t.retry_after) {
      t.retry_after = parse_retry_after(line.substr(12), false);
    }
    return length;
  }

  static void record_header_line(Transfer& t, std::string_view line) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.remove_suffix(1);
    t.record_header.response_headers.emplace_back(std::string(line.substr(0, colon)),
                                                  std::string(value));
  }

  /// Appends one read to the transcript, opening it (with the now known status) on the first.
  static void record_chunk(Transfer& t, std::string_view bytes, Clock::time_point now) {
    if (t.record_failed) return;
    if (!t.recorder) {
      t.record_header.status = t.status;
      char* url = nullptr;
      curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL, &url);
      t.record_header.url = detail::without_userinfo(url != nullptr ? url : "");
      auto writer = TranscriptWriter::open(t.record_path, t.record_header);
      if (!writer) {
        t.record_failed = true;
        return;
      }
      t.recorder.emplace(std::move(*writer));
    }
    const double t_ms = std::chrono::duration<double, std::milli>(now - t.attempt_start).count();
    if (t.record_mask) bytes = t.record_mask->feed(bytes);
    if (!bytes.empty() && !t.recorder->write_chunk(bytes, t_ms)) t.record_failed = true;
  }

  static size_t on_write(char* data, size_t size, size_t count, void* user) {
    auto& t = *static_cast<Transfer*>(user);
    const size_t length = size * count;
    const auto now = Clock::now();
    if (!t.first_byte) {
      t.first_byte = now;
      *t.next_scan = std::min(*t.next_scan, now + t.idle_timeout);
    }
    t.last_byte = now;
    if (t.status < 200 || t.status >= 300) {
      // An error body: kept (bounded) for decode_error_body, never shown to the caller.
      const std::size_t room =
          t.error_body.size() < t.max_error_body ? t.max_error_body - t.error_body.size() : 0;
      t.error_body.append(data, std::min(room, length));
      return length;
    }
    if (t.handle->cancel_requested.load(std::memory_order_relaxed)) {
      t.abort_error = make_error(ErrorKind::cancelled, "cancelled by the caller");
      return 0;
    }
    if (t.delivered) return length;  // after the end signal: nothing more counts
    t.body_started = true;
    if (!t.record_path.empty()) record_chunk(t, std::string_view(data, length), now);
    if (!t.decoder.feed(std::string_view(data, length), t.sink)) {
      t.sink_stopped = true;
      return 0;  // aborts the transfer inside this curl_multi_perform: cancel is immediate
    }
    if (t.decoder.result().done) t.impl->deliver(t, now);
    return length;
  }

  /// The end signal arrived: the result is complete now, not when the server closes.
  void deliver(Transfer& t, Clock::time_point now) {
    t.decoder.finish(t.sink);
    ChatResult result = t.decoder.take_result();
    t.timings.fill(result, t.attempt_start, now, t.first_byte);
    finish_recording(t, end_of(result));
    t.delivered = true;
    t.delivered_at = now;
    *t.next_scan = std::min(*t.next_scan, now + drain_after_done);
    // Not complete(): the Transfer must stay active while curl still holds its easy handle.
    t.handle->complete(std::move(result));
  }

  friend class Client;

  std::unique_ptr<Impl> self_;  // set only by destroy_from_loop()
  ClientOptions options_;
  std::vector<std::string_view> secrets_;  // the key and URL passwords (views into options_)
  detail::SecretMask mask_;                // masks them in all that leaves the client
  std::optional<Error> config_error_;
  std::vector<Endpoint> endpoints_;
  std::shared_ptr<LoopLink> link_;
  CURLM* multi_ = nullptr;
  std::thread loop_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> cancel_pending_{false};
  std::mutex incoming_mu_;
  std::vector<std::shared_ptr<Transfer>> incoming_;
  std::vector<std::shared_ptr<Transfer>> active_;
  std::vector<std::shared_ptr<Transfer>> retired_;  // freed at the top of the next loop turn
  Clock::time_point next_scan_{};
  std::size_t round_robin_ = 0;
  std::mt19937_64 rng_;
  std::string user_agent_;
  ProfileSet builtin_profiles_ = ProfileSet::builtin();
  std::atomic<std::size_t> attempts_{0}, retries_{0}, new_connections_{0};
};

// ---- ChatHandle ----------------------------------------------------------------------------

ChatHandle::ChatHandle() = default;
ChatHandle::ChatHandle(std::shared_ptr<State> state) : state_(std::move(state)) {}
ChatHandle::~ChatHandle() = default;
ChatHandle::ChatHandle(ChatHandle&&) noexcept = default;
ChatHandle& ChatHandle::operator=(ChatHandle&&) noexcept = default;

void ChatHandle::cancel() {
  if (!state_) return;
  state_->cancel_requested.store(true);
  std::lock_guard lock(state_->link->mu);
  if (state_->link->impl != nullptr) state_->link->impl->request_cancel();
}

bool ChatHandle::ready() const {
  if (!state_) return true;
  std::lock_guard lock(state_->mu);
  return state_->done;
}

Result<ChatResult> ChatHandle::wait() {
  if (!state_) return fail(ErrorKind::invalid_argument, "empty ChatHandle");
  {
    // From an event callback the loop is busy running us: waiting for it would never end.
    std::lock_guard link_lock(state_->link->mu);
    std::lock_guard lock(state_->mu);
    if (!state_->done && state_->link->impl != nullptr && state_->link->impl->on_loop_thread()) {
      return fail(ErrorKind::invalid_argument,
                  "ChatHandle::wait() called from an event callback would deadlock");
    }
  }
  std::unique_lock lock(state_->mu);
  state_->cv.wait(lock, [&] { return state_->done; });
  if (state_->taken) return fail(ErrorKind::invalid_argument, "ChatHandle::wait() called twice");
  state_->taken = true;
  return std::move(*state_->result);
}

// ---- Client --------------------------------------------------------------------------------

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Result<Client> Client::create(ClientOptions options) {
  Client client(std::move(options));
  if (client.impl_->config_error()) return tl::unexpected(*client.impl_->config_error());
  return client;
}

Client::~Client() {
  if (impl_ && impl_->on_loop_thread()) {
    Impl* impl = impl_.get();
    impl->destroy_from_loop(std::move(impl_));
  }
}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

ChatHandle Client::start(const ChatRequest& request, EventSink on_event, const CallOptions& call) {
  if (!impl_) {
    auto state = std::make_shared<ChatHandle::State>();
    state->link = std::make_shared<LoopLink>();
    state->complete(fail(ErrorKind::invalid_argument, "use of a moved-from Client"));
    return ChatHandle(state);
  }
  return impl_->start(request, std::move(on_event), call);
}

Result<ChatResult> Client::stream(const ChatRequest& request, EventSink on_event,
                                  const CallOptions& call) {
  if (impl_ && impl_->on_loop_thread()) {
    return fail(ErrorKind::invalid_argument,
                "Client::chat/stream called from an event callback would deadlock; use start()");
  }
  return start(request, std::move(on_event), call).wait();
}

Result<ChatResult> Client::chat(const ChatRequest& request, const CallOptions& call) {
  return stream(request, {}, call);
}

Result<HttpResponse> Client::get(std::string_view path, const FetchOptions& options) {
  if (!impl_) return fail(ErrorKind::invalid_argument, "get() on a moved-from Client");
  if (impl_->on_loop_thread()) {
    return fail(ErrorKind::invalid_argument,
                "get() from an event callback would block the event loop");
  }
  return impl_->metadata(path, std::nullopt, options);
}

Result<HttpResponse> Client::post_json(std::string_view path, const nlohmann::json& body,
                                       const FetchOptions& options) {
  if (!impl_) return fail(ErrorKind::invalid_argument, "post_json() on a moved-from Client");
  if (impl_->on_loop_thread()) {
    return fail(ErrorKind::invalid_argument,
                "post_json() from an event callback would block the event loop");
  }
  return impl_->metadata(path, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         options);
}

ClientStats Client::stats() const {
  return impl_ ? impl_->stats() : ClientStats{};
}

const ClientOptions& Client::options() const noexcept {
  static const ClientOptions empty{};
  return impl_ ? impl_->options() : empty;
}

}  // namespace llmwire
