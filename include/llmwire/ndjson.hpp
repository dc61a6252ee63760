#pragma once
/// @file ndjson.hpp
/// Newline-delimited JSON framing (Ollama's native /api/chat stream) over arbitrary byte chunks.
///
///     llmwire::ndjson::Decoder decoder;
///     for (std::string_view chunk : reads) {
///       auto ok = decoder.feed(chunk, [](std::string_view line) {
///         handle(nlohmann::json::parse(line, nullptr, false));
///         return true;  // false stops decoding
///       });
///     }
///     if (auto tail = decoder.finish(); !tail.empty()) { /* a last line without LF */ }

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "llmwire/error.hpp"
#include "llmwire/sse.hpp"  // detail::FunctionRef

namespace llmwire::ndjson {

struct DecoderOptions {
  /// Largest line accepted; a longer one gives ErrorKind::protocol.
  std::size_t max_line_bytes = 16u << 20;
};

/// Receives one complete line (without its LF or a trailing CR); return false to stop.
using LineHandler = detail::FunctionRef<bool(std::string_view)>;

/// Incremental NDJSON framing: splits on LF, drops a CR before it, skips blank lines. Holds back
/// only the unfinished last line; never re-scans bytes it has already searched.
class Decoder {
 public:
  explicit Decoder(DecoderOptions options = {}) : options_(options) {}

  /// Splits the next bytes into lines. Returns true, false once `on_line` returned false, or an
  /// ErrorKind::protocol error when a line exceeds max_line_bytes (the decoder stays failed).
  [[nodiscard]] Result<bool> feed(std::string_view bytes, LineHandler on_line);

  /// End of the stream: returns the unterminated last line (empty if none). It may be a complete
  /// JSON value or a truncated one; the caller decides. Valid until the next call.
  [[nodiscard]] std::string_view finish();

 private:
  DecoderOptions options_;
  std::string line_;  // the unfinished line carried over from earlier reads
  std::string tail_;  // what finish() returned
  bool stopped_ = false;
  std::optional<Error> failed_;
};

}  // namespace llmwire::ndjson
