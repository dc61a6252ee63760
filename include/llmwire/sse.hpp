#pragma once
/// @file sse.hpp
/// A Server-Sent Events decoder (WHATWG "event stream interpretation") over arbitrary byte
/// chunks. Pure and transport-free: feed it whatever a socket read returned.
///
///     llmwire::sse::Decoder decoder;
///     for (std::string_view chunk : reads) {
///       auto ok = decoder.feed(chunk, [](const llmwire::sse::Event& e) {
///         std::cout << e.data << '\n';
///         return true;  // false stops decoding
///       });
///       if (!ok) { /* ok.error().kind == ErrorKind::protocol: event over the size cap */ }
///     }
///     decoder.finish();  // an unterminated last event is discarded, as the spec says

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "llmwire/error.hpp"

namespace llmwire {
namespace detail {

/// A non-owning reference to a callable. Unlike std::function it never allocates, which keeps
/// the per-event path of the decoders allocation-free. Do not store it beyond the call.
template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f) noexcept  // NOLINT(google-explicit-constructor): used like std::function
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}
  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace detail

namespace sse {

/// One dispatched event. The views point into the decoder's buffers and are valid only during
/// the callback: copy what you keep.
struct Event {
  std::string_view type;  ///< The `event:` field; empty means the default type "message".
  std::string_view data;  ///< `data:` lines joined with LF, without the final LF.
  std::string_view id;    ///< The last event ID seen (it persists across events, per spec).
  /// llmwire extension: the value of a non-standard `error:` field, which older llama-server
  /// builds sent instead of `data:` for mid-stream errors. Empty when there was none. An event
  /// with only an `error:` field is dispatched (with empty data) so that it is not lost.
  std::string_view error;
};

struct DecoderOptions {
  /// Largest event accepted (its data plus any unfinished line), in bytes. The spec has no limit;
  /// a cap protects memory, and its error names the limit (a single tool-call argument can be
  /// large, so the default is generous: the Go SDK's 64 KiB limit broke real users).
  std::size_t max_event_bytes = 16u << 20;
};

/// Receives one event; return false to stop decoding.
using EventHandler = detail::FunctionRef<bool(const Event&)>;

/// Incremental SSE decoder. Lines end in LF, CR or CRLF (a CRLF may be split across reads); a
/// leading UTF-8 BOM is skipped; `:` lines are comments; `field:value` with one optional space
/// stripped; U+2028/U+2029/NEL are ordinary bytes. Bytes are split on line ends only, so a
/// multibyte UTF-8 character split across reads reaches the handler whole.
class Decoder {
 public:
  explicit Decoder(DecoderOptions options = {}) : options_(options) {}

  /// Decodes the next bytes and calls `on_event` for each complete event. Returns true, false
  /// once `on_event` returned false (later calls then do nothing and return false), or an
  /// ErrorKind::protocol error when an event exceeds max_event_bytes (the decoder then stays
  /// failed and returns the same error).
  [[nodiscard]] Result<bool> feed(std::string_view bytes, EventHandler on_event);

  /// End of the stream. An event not terminated by a blank line is discarded (WHATWG); returns
  /// true when such a partial event (or partial line) was discarded.
  bool finish();

  /// The reconnection time from the last valid `retry:` field, if any.
  [[nodiscard]] std::optional<std::chrono::milliseconds> retry() const noexcept { return retry_; }
  /// The last event ID seen.
  [[nodiscard]] std::string_view last_event_id() const noexcept { return last_id_; }

 private:
  bool process(std::string_view bytes, EventHandler& on_event);
  bool process_line(std::string_view line, EventHandler& on_event);
  bool dispatch(EventHandler& on_event);
  bool over_limit(std::size_t extra) const noexcept;
  void set_failed();

  DecoderOptions options_;
  std::string line_;         // an unfinished line carried over from earlier reads
  std::string data_;         // data of the event being built; capacity is reused across events
  std::string type_;         // `event:` of the event being built
  std::string error_field_;  // non-standard `error:` value of the event being built
  std::string last_id_;
  std::optional<std::chrono::milliseconds> retry_;
  std::size_t bom_matched_ = 0;  // bytes of a leading BOM matched so far
  bool bom_done_ = false;
  bool after_cr_ = false;  // the last read ended in CR: a leading LF next is its pair
  bool has_error_field_ = false;
  bool stopped_ = false;
  std::optional<Error> failed_;
};

}  // namespace sse
}  // namespace llmwire
