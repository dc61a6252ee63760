#pragma once
/// @file stream.hpp
/// Response decoding: raw body bytes (SSE or NDJSON, any chunking) → typed events → ChatResult.
/// This is the hot path, usable on its own by host apps that bring their own transport.
///
///     llmwire::ResponseDecoder decoder(llmwire::Dialect::openai);
///     for (auto chunk : network_reads) decoder.feed(chunk, on_event);
///     decoder.finish(on_event);
///     const llmwire::ChatResult& result = decoder.result();

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "llmwire/chat.hpp"
#include "llmwire/events.hpp"

namespace llmwire {

class OutputParser;  // profile.hpp

/// The wire dialect of a response body.
enum class Dialect {
  openai,  ///< OpenAI chat-completion chunks over SSE (vLLM, llama-server, SGLang, Ollama /v1).
  ollama,  ///< Ollama native /api/chat NDJSON.
};

[[nodiscard]] std::string_view to_string(Dialect dialect) noexcept;
/// "openai" or "ollama" → the dialect; nullopt for anything else.
[[nodiscard]] std::optional<Dialect> dialect_from_string(std::string_view name) noexcept;

struct DecoderOptions {
  /// Largest single SSE event / NDJSON line accepted; larger gives ErrorKind::protocol.
  std::size_t max_event_bytes = 16u << 20;
  /// Decode common OpenAI content chunks with llmwire's single-pass scanner instead of a full
  /// JSON parse (the results are identical; off only to measure the difference or to debug).
  bool fast_path = true;
};

/// Decodes one response body incrementally and aggregates it into a ChatResult.
///
/// Rules (docs/STREAMING.md has them all): content/reasoning are null until a string fragment
/// arrives; reasoning is read from `reasoning`, else `reasoning_content`, never both; OpenAI
/// tool-call fragments are assembled per index and completed at finish_reason or the end (an
/// argument text that does not parse as a JSON object becomes an IncompleteToolCall); the first
/// mid-stream error is kept in `error`; bytes after `[DONE]` / `done:true` are ignored. A body that
/// ends without the server's end signal leaves `done == false` with everything received kept and
/// no `error` set: the transport decides whether that is a broken stream (it knows why it ended).
class ResponseDecoder {
 public:
  explicit ResponseDecoder(Dialect dialect, DecoderOptions options = {});
  ~ResponseDecoder();
  ResponseDecoder(ResponseDecoder&&) noexcept;
  ResponseDecoder& operator=(ResponseDecoder&&) noexcept;

  /// Routes content text through a client-side output parser (a profile's), which recovers
  /// reasoning and tool calls the server left in raw text. Call before the first feed().
  void set_output_parser(std::unique_ptr<OutputParser> parser);

  /// Called for every non-empty content, reasoning or tool-argument fragment as the server sent
  /// it, before the output parser and secret masking hold any of it back: what a client times
  /// the server's decoding by (the Client's decode tok/s and inter-token gaps). Call before the
  /// first feed(); it must not throw.
  void set_wire_delta_observer(std::function<void()> observer);

  /// Masks these secrets (the API key, a URL password; those under 8 bytes are ignored: they
  /// would mask ordinary words) in every event and in the result: content and reasoning text
  /// get as many '*' as the secret had bytes (a tail that may start a secret is held back
  /// until the next event), error fields and tool-call texts likewise. The Client sets this.
  void mask_secrets(const std::vector<std::string_view>& secrets);

  /// Feeds the next bytes of the body. Returns false once the sink returned false.
  bool feed(std::string_view bytes, const EventSink& sink);
  /// Marks the end of the body: flushes held-back text and records truncation if the server
  /// never signalled the end.
  void finish(const EventSink& sink);

  /// The aggregate so far (complete after finish()).
  [[nodiscard]] const ChatResult& result() const noexcept;
  [[nodiscard]] ChatResult take_result() noexcept;
  /// The dialect this decoder was made for.
  [[nodiscard]] Dialect dialect() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace llmwire
