#pragma once
/// @file transcript.hpp
/// Transcripts: one HTTP exchange on disk — the request (secrets redacted), the response status
/// and headers, and the exact response bytes with their arrival times — so that a live stream can
/// be replayed through the same ResponseDecoder later, at the same chunk boundaries. The file
/// format is JSON Lines, documented in docs/TRANSCRIPTS.md.
///
///     // record (the client does this for `llmwire chat --record FILE`)
///     auto writer = llmwire::TranscriptWriter::open("run.jsonl", header);
///     writer->write_chunk(bytes, elapsed_ms);
///     writer->close("complete");
///
///     // replay
///     auto transcript = llmwire::read_transcript("run.jsonl");
///     llmwire::ResponseDecoder decoder(transcript->dialect);
///     llmwire::replay_transcript(*transcript, decoder, on_event);

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmwire/error.hpp"
#include "llmwire/events.hpp"
#include "llmwire/stream.hpp"

namespace llmwire {

/// One network read, as it arrived.
struct TranscriptChunk {
  double t_ms = 0;    ///< Milliseconds since the request was sent.
  std::string bytes;  ///< The exact bytes of this read.
};

/// Everything about the exchange except the body bytes; the first line of the file.
struct TranscriptHeader {
  Dialect dialect = Dialect::openai;
  /// Where this transcript comes from: "captured from vLLM 0.11.0 …", "constructed from
  /// FORMATS.md §1", "llmwire chat --record". Free text for humans.
  std::string provenance;
  std::string method = "POST";
  std::string url;
  /// Request headers (name → value). Pass them through redact_headers() before writing; the
  /// writer does so again to be safe.
  std::vector<std::pair<std::string, std::string>> request_headers;
  nlohmann::json request_body;  ///< The JSON request body (null if none); secrets redacted.
  int status = 200;             ///< HTTP status of the response (0: no response).
  std::vector<std::pair<std::string, std::string>> response_headers;
  /// The recorder masked secrets (the API key, a URL password) in the chunks: each occurrence
  /// is as many '*' as it had bytes, so offsets and sizes are true, the secret is not there.
  bool secrets_masked = false;
};

/// A whole transcript in memory.
struct Transcript : TranscriptHeader {
  std::vector<TranscriptChunk> chunks;
  /// How the exchange ended, from the last line: "complete", "eof", "error: …", "cancelled";
  /// empty when the file ends without an end line (the recorder died).
  std::string end;

  /// The whole response body (the chunks concatenated).
  [[nodiscard]] std::string body() const;
};

/// Header names whose values are replaced by "[REDACTED]" (compared case-insensitively):
/// authorization, proxy-authorization, x-api-key, api-key, cookie, set-cookie.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> redact_headers(
    std::vector<std::pair<std::string, std::string>> headers);
/// Replaces the value of every object key that names a secret ("api_key", "apiKey", "token",
/// "password", "secret", "authorization"; case-insensitive, anywhere in the tree).
[[nodiscard]] nlohmann::json redact_json(nlohmann::json value);

/// True when `bytes` starts with a transcript header line (`{"llmwire_transcript":…`).
[[nodiscard]] bool looks_like_transcript(std::string_view bytes) noexcept;
/// Parses a transcript file's contents. Errors: ErrorKind::parse, naming the bad line.
[[nodiscard]] Result<Transcript> parse_transcript(std::string_view bytes);
/// Reads and parses a transcript file. Errors: ErrorKind::io, ErrorKind::parse.
[[nodiscard]] Result<Transcript> read_transcript(const std::filesystem::path& path);
/// The file contents for `transcript` (header, chunk lines, end line if `end` is set).
[[nodiscard]] std::string serialize_transcript(const Transcript& transcript);
/// Writes `transcript` to `path` in one go. Errors: ErrorKind::io.
[[nodiscard]] Result<void> write_transcript(const std::filesystem::path& path,
                                            const Transcript& transcript);

/// Writes a transcript while the exchange happens, one line per read, flushed as it goes: a
/// recording cut short by a crash is still a readable (truncated) transcript.
class TranscriptWriter {
 public:
  /// Creates `path` and writes the header line (redacted). Errors: ErrorKind::io.
  [[nodiscard]] static Result<TranscriptWriter> open(const std::filesystem::path& path,
                                                     const TranscriptHeader& header);
  TranscriptWriter(TranscriptWriter&& other) noexcept;
  TranscriptWriter& operator=(TranscriptWriter&& other) noexcept;
  TranscriptWriter(const TranscriptWriter&) = delete;
  TranscriptWriter& operator=(const TranscriptWriter&) = delete;
  ~TranscriptWriter();

  /// Appends one read. Errors: ErrorKind::io.
  [[nodiscard]] Result<void> write_chunk(std::string_view bytes, double t_ms);
  /// Writes the end line ("complete", "eof", "error: …", "cancelled") and closes the file.
  [[nodiscard]] Result<void> close(std::string_view end, double t_ms = 0);

 private:
  explicit TranscriptWriter(std::FILE* file) : file_(file) {}
  std::FILE* file_ = nullptr;
};

/// Feeds the transcript's body through `decoder` and calls finish(). With `rechunk` > 0 the
/// body is fed in pieces of that many bytes instead of the recorded reads. Returns false when
/// the sink stopped the decoding.
bool replay_transcript(const Transcript& transcript, ResponseDecoder& decoder,
                       const EventSink& sink, std::size_t rechunk = 0);

/// What a Client returned for the recorded exchange: the replayed aggregate with the recorded
/// failure as its error. A non-2xx status gives the error body's Error (decode_error_body), a
/// status of 0 a connect error, an end line "error: …" a stream_broken Error with that text
/// (everything that arrived is kept), "cancelled" sets `cancelled`.
[[nodiscard]] ChatResult replay_result(const Transcript& transcript, ResponseDecoder& decoder,
                                       const EventSink& sink = {}, std::size_t rechunk = 0);

}  // namespace llmwire
