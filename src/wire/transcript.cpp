// Transcript files (docs/TRANSCRIPTS.md): reading, writing, redaction and replay.

#include "llmwire/transcript.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>

#include "llmwire/error_body.hpp"
#include "llmwire/json_parse.hpp"
#include "wire/utf8.hpp"

namespace llmwire {
namespace {

using nlohmann::json;

constexpr int format_version = 1;
constexpr std::string_view redacted = "[REDACTED]";
constexpr char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16 |
             static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8 |
             static_cast<unsigned char>(in[i + 2]);
    out.push_back(b64_alphabet[(n >> 18) & 63]);
    out.push_back(b64_alphabet[(n >> 12) & 63]);
    out.push_back(b64_alphabet[(n >> 6) & 63]);
    out.push_back(b64_alphabet[n & 63]);
  }
  if (std::size_t rest = in.size() - i; rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    out.push_back(b64_alphabet[(n >> 18) & 63]);
    out.push_back(b64_alphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? b64_alphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<unsigned char>(b64_alphabet[i])] = i;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  std::size_t pad = 0;
  for (char c : in) {
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) return std::nullopt;  // data after padding
    int v = value[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    bits = bits << 6 | static_cast<std::uint32_t>(v);
    if (++count == 4) {
      out.push_back(static_cast<char>((bits >> 16) & 0xFF));
      out.push_back(static_cast<char>((bits >> 8) & 0xFF));
      out.push_back(static_cast<char>(bits & 0xFF));
      bits = 0;
      count = 0;
    }
  }
  if (count == 1 || pad > 2) return std::nullopt;
  if (count == 2) out.push_back(static_cast<char>((bits >> 4) & 0xFF));
  if (count == 3) {
    out.push_back(static_cast<char>((bits >> 10) & 0xFF));
    out.push_back(static_cast<char>((bits >> 2) & 0xFF));
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_secret_header(std::string_view name) {
  static constexpr std::string_view names[] = {
      "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"};
  std::string l = lower(name);
  return std::find(std::begin(names), std::end(names), l) != std::end(names);
}

bool is_secret_key(std::string_view key) {
  std::string l = lower(key);
  l.erase(std::remove(l.begin(), l.end(), '_'), l.end());
  l.erase(std::remove(l.begin(), l.end(), '-'), l.end());
  static constexpr std::string_view names[] = {"apikey", "token",         "password",
                                               "secret", "authorization", "accesstoken"};
  return std::find(std::begin(names), std::end(names), l) != std::end(names);
}

json headers_json(const std::vector<std::pair<std::string, std::string>>& headers) {
  json out = json::array();
  for (const auto& [name, value] : headers) out.push_back(json::array({name, value}));
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> headers_from(const json& value,
                                                                      const char* what) {
  std::vector<std::pair<std::string, std::string>> out;
  if (value.is_null()) return out;
  if (!value.is_array()) return fail(ErrorKind::parse, std::string(what) + " must be an array");
  for (const json& pair : value) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      return fail(ErrorKind::parse, std::string(what) + " entries must be [name, value]");
    }
    out.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
  return out;
}

// ordered_json keeps "llmwire_transcript" first, which is how a reader (and a person) tells a
// transcript from a raw NDJSON body at a glance.
nlohmann::ordered_json header_line(const TranscriptHeader& header) {
  using ojson = nlohmann::ordered_json;
  return ojson{{"llmwire_transcript", format_version},
               {"provenance", header.provenance},
               {"dialect", std::string(to_string(header.dialect))},
               {"request",
                {{"method", header.method},
                 {"url", header.url},
                 {"headers", headers_json(redact_headers(header.request_headers))},
                 {"body", redact_json(header.request_body)}}},
               {"response",
                {{"status", header.status},
                 {"headers", headers_json(redact_headers(header.response_headers))}}},
               {"secrets_masked", header.secrets_masked}};
}

std::string dump(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Valid UTF-8 chunks are stored as "text" so that transcripts stay readable in an editor; any
// other bytes as "b64". JSON strings carry valid UTF-8 exactly, so both are lossless.
nlohmann::ordered_json chunk_line(std::string_view bytes, double t_ms) {
  using ojson = nlohmann::ordered_json;
  if (wire::is_valid_utf8(bytes)) return ojson{{"t_ms", t_ms}, {"text", std::string(bytes)}};
  return ojson{{"t_ms", t_ms}, {"b64", base64_encode(bytes)}};
}

Result<void> parse_header(const json& line, Transcript& out) {
  try {
    if (!line.contains("llmwire_transcript") || !line["llmwire_transcript"].is_number_integer()) {
      return fail(ErrorKind::parse, "line 1 is not a transcript header");
    }
    if (line["llmwire_transcript"].get<int>() > format_version) {
      return fail(ErrorKind::parse, "transcript format version " +
                                        line["llmwire_transcript"].dump() + " is newer than " +
                                        std::to_string(format_version));
    }
    out.provenance = line.value("provenance", "");
    out.secrets_masked = line.value("secrets_masked", false);
    auto dialect = dialect_from_string(line.value("dialect", "openai"));
    if (!dialect) return fail(ErrorKind::parse, "unknown dialect " + line["dialect"].dump());
    out.dialect = *dialect;
    if (auto it = line.find("request"); it != line.end() && it->is_object()) {
      out.method = it->value("method", "POST");
      out.url = it->value("url", "");
      auto headers = headers_from(it->value("headers", json()), "request.headers");
      if (!headers) return tl::unexpected(headers.error());
      out.request_headers = std::move(*headers);
      out.request_body = it->value("body", json());
    }
    if (auto it = line.find("response"); it != line.end() && it->is_object()) {
      out.status = it->value("status", 200);
      auto headers = headers_from(it->value("headers", json()), "response.headers");
      if (!headers) return tl::unexpected(headers.error());
      out.response_headers = std::move(*headers);
    }
  } catch (const json::exception& e) {
    return fail(ErrorKind::parse, std::string("bad transcript header: ") + e.what());
  }
  return {};
}

}  // namespace

std::string Transcript::body() const {
  std::string out;
  for (const TranscriptChunk& chunk : chunks) out += chunk.bytes;
  return out;
}

std::vector<std::pair<std::string, std::string>> redact_headers(
    std::vector<std::pair<std::string, std::string>> headers) {
  for (auto& [name, value] : headers) {
    if (is_secret_header(name)) value = std::string(redacted);
  }
  return headers;
}

nlohmann::json redact_json(nlohmann::json value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (is_secret_key(it.key()) && !it.value().is_null()) {
        it.value() = std::string(redacted);
      } else {
        it.value() = redact_json(std::move(it.value()));
      }
    }
  } else if (value.is_array()) {
    for (nlohmann::json& element : value) element = redact_json(std::move(element));
  }
  return value;
}

bool looks_like_transcript(std::string_view bytes) noexcept {
  std::size_t i = 0;
  while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\t')) ++i;
  if (i >= bytes.size() || bytes[i] != '{') return false;
  // Writers put the marker first, but any first line holding it counts: parse that line only.
  const std::string_view line = bytes.substr(i, bytes.find('\n', i) - i);
  auto first = llmwire::json::parse(line);
  if (first) return first->is_object() && first->contains("llmwire_transcript");
  // A broken header line that names the marker is a broken transcript (parse_transcript says
  // why), not a raw body to decode.
  return line.find("\"llmwire_transcript\"") != std::string_view::npos;
}

Result<Transcript> parse_transcript(std::string_view bytes) {
  Transcript out;
  std::size_t line_number = 0;
  bool have_header = false;
  while (!bytes.empty()) {
    std::size_t lf = bytes.find('\n');
    std::string_view line = bytes.substr(0, lf);
    bytes.remove_prefix(lf == std::string_view::npos ? bytes.size() : lf + 1);
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto value = llmwire::json::parse(line);
    auto where = "line " + std::to_string(line_number) + ": ";
    if (!value || !value->is_object()) {
      // A recorder killed mid-write leaves a cut-off last line; everything before it counts.
      if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos && have_header) break;
      return fail(ErrorKind::parse, where + (value ? "not a JSON object" : value.error().message));
    }
    nlohmann::json& parsed = *value;
    if (!have_header) {
      if (auto ok = parse_header(parsed, out); !ok) {
        return fail(ErrorKind::parse, where + ok.error().message);
      }
      have_header = true;
      continue;
    }
    try {
      if (auto it = parsed.find("end"); it != parsed.end()) {
        out.end = it->is_string() ? it->get<std::string>() : it->dump();
        continue;
      }
      TranscriptChunk chunk;
      chunk.t_ms = parsed.value("t_ms", 0.0);
      if (auto it = parsed.find("text"); it != parsed.end() && it->is_string()) {
        chunk.bytes = it->get<std::string>();
      } else if (auto b64 = parsed.find("b64"); b64 != parsed.end() && b64->is_string()) {
        auto decoded = base64_decode(b64->get<std::string>());
        if (!decoded) return fail(ErrorKind::parse, where + "invalid base64");
        chunk.bytes = std::move(*decoded);
      } else {
        return fail(ErrorKind::parse, where + "a chunk needs \"text\" or \"b64\"");
      }
      out.chunks.push_back(std::move(chunk));
    } catch (const nlohmann::json::exception& e) {
      return fail(ErrorKind::parse, where + e.what());
    }
  }
  if (!have_header) return fail(ErrorKind::parse, "empty transcript");
  return out;
}

Result<Transcript> read_transcript(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::io, "cannot open transcript '" + path.string() + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return fail(ErrorKind::io, "cannot read transcript '" + path.string() + "'");
  return parse_transcript(bytes);
}

std::string serialize_transcript(const Transcript& transcript) {
  std::string out = dump(header_line(transcript));
  out += '\n';
  for (const TranscriptChunk& chunk : transcript.chunks) {
    out += dump(chunk_line(chunk.bytes, chunk.t_ms));
    out += '\n';
  }
  if (!transcript.end.empty()) {
    double t_ms = transcript.chunks.empty() ? 0 : transcript.chunks.back().t_ms;
    out += dump(nlohmann::ordered_json{{"end", transcript.end}, {"t_ms", t_ms}});
    out += '\n';
  }
  return out;
}

Result<void> write_transcript(const std::filesystem::path& path, const Transcript& transcript) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return fail(ErrorKind::io, "cannot create transcript '" + path.string() + "'");
  std::string text = serialize_transcript(transcript);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.flush();
  if (!out) return fail(ErrorKind::io, "cannot write transcript '" + path.string() + "'");
  return {};
}

// ---- TranscriptWriter ------------------------------------------------------------------------

Result<TranscriptWriter> TranscriptWriter::open(const std::filesystem::path& path,
                                                const TranscriptHeader& header) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr)
    return fail(ErrorKind::io, "cannot create transcript '" + path.string() + "'");
  TranscriptWriter writer(file);
  std::string line = dump(header_line(header)) + '\n';
  if (std::fwrite(line.data(), 1, line.size(), file) != line.size() || std::fflush(file) != 0) {
    return fail(ErrorKind::io, "cannot write transcript '" + path.string() + "'");
  }
  return writer;
}

TranscriptWriter::TranscriptWriter(TranscriptWriter&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)) {}

TranscriptWriter& TranscriptWriter::operator=(TranscriptWriter&& other) noexcept {
  if (this != &other) {
    if (file_ != nullptr) std::fclose(file_);
    file_ = std::exchange(other.file_, nullptr);
  }
  return *this;
}

TranscriptWriter::~TranscriptWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

Result<void> TranscriptWriter::write_chunk(std::string_view bytes, double t_ms) {
  if (file_ == nullptr) return fail(ErrorKind::io, "transcript writer is closed");
  std::string line = dump(chunk_line(bytes, t_ms)) + '\n';
  // Flushed per read so that a crash mid-stream still leaves every byte received on disk.
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    return fail(ErrorKind::io, "cannot write transcript chunk");
  }
  return {};
}

Result<void> TranscriptWriter::close(std::string_view end, double t_ms) {
  if (file_ == nullptr) return fail(ErrorKind::io, "transcript writer is closed");
  std::string line = dump(nlohmann::ordered_json{{"end", std::string(end)}, {"t_ms", t_ms}}) + '\n';
  bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size();
  ok = std::fclose(std::exchange(file_, nullptr)) == 0 && ok;
  if (!ok) return fail(ErrorKind::io, "cannot finish transcript");
  return {};
}

bool replay_transcript(const Transcript& transcript, ResponseDecoder& decoder,
                       const EventSink& sink, std::size_t rechunk) {
  bool go_on = true;
  if (rechunk == 0) {
    for (const TranscriptChunk& chunk : transcript.chunks) {
      if (!(go_on = decoder.feed(chunk.bytes, sink))) break;
    }
  } else {
    std::string body = transcript.body();
    std::string_view view = body;
    for (std::size_t at = 0; at < view.size(); at += rechunk) {
      if (!(go_on = decoder.feed(view.substr(at, rechunk), sink))) break;
    }
  }
  decoder.finish(sink);
  return go_on;
}

ChatResult replay_result(const Transcript& transcript, ResponseDecoder& decoder,
                         const EventSink& sink, std::size_t rechunk) {
  if (transcript.status == 0) {
    ChatResult result;
    result.error =
        make_error(ErrorKind::connect,
                   "the recorded request got no response" +
                       (transcript.end.empty() ? std::string() : " (" + transcript.end + ")"));
    return result;
  }
  if (transcript.status < 200 || transcript.status >= 300) {
    ChatResult result;
    Error error = decode_error_body(transcript.status, transcript.body());
    error.message = "HTTP " + std::to_string(transcript.status) + ": " + error.message;
    result.error = std::move(error);
    return result;
  }
  (void)replay_transcript(transcript, decoder, sink, rechunk);
  ChatResult result = decoder.take_result();
  if (!result.error && transcript.end.starts_with("error")) {
    std::string_view why = transcript.end;
    why.remove_prefix(why.starts_with("error: ") ? 7 : 5);
    result.error =
        make_error(ErrorKind::stream_broken,
                   why.empty() ? std::string("the recorded stream broke") : std::string(why));
  } else if (transcript.end == "cancelled") {
    result.cancelled = true;
  }
  return result;
}

}  // namespace llmwire
