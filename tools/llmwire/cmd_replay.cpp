// `llmwire replay [--dialect openai|ollama] [--aggregate] [--chunk N] FILE`: decodes a recorded
// response body, or a transcript (docs/TRANSCRIPTS.md), through the same ResponseDecoder as live
// traffic. Prints one JSON object per event, or with --aggregate the ChatResult shape.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "args.hpp"
#include "cli_io.hpp"
#include "commands.hpp"
#include "llmwire/result_json.hpp"
#include "llmwire/stream.hpp"
#include "llmwire/transcript.hpp"

namespace llmwire::cli {
namespace {

constexpr const char* usage =
    "usage: llmwire replay [--dialect openai|ollama] [--aggregate] [--chunk N] FILE\n"
    "\n"
    "Decodes a recorded response body (SSE for openai, NDJSON for ollama) or an llmwire\n"
    "transcript (docs/TRANSCRIPTS.md). FILE may be - for stdin.\n"
    "  --dialect D   wire dialect; default: the transcript's, else sniffed from the body\n"
    "                ('{' first means ollama NDJSON, anything else openai SSE)\n"
    "  --aggregate   print one JSON object (the aggregate) instead of one per event\n"
    "  --chunk N     feed N-byte chunks (default: the transcript's recorded chunks, or the\n"
    "                whole body at once)\n"
    "exit: 0 decoded (a stream error is reported inside the JSON), 1 unreadable file, 2 usage\n";

Dialect sniff_dialect(std::string_view body) {
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  for (char c : body) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' ? Dialect::ollama : Dialect::openai;
  }
  return Dialect::openai;
}

void write_line(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace

int run_replay(std::span<char* const> args) {
  static constexpr OptionSpec specs[] = {{"dialect", true}, {"aggregate", false}, {"chunk", true}};
  auto parsed = parse_args(args, specs);
  if (!parsed) {
    std::fprintf(stderr, "llmwire replay: %s\n\n%s", parsed.error().message.c_str(), usage);
    return exit_usage;
  }
  if (parsed->has("help")) {
    std::fputs(usage, stdout);
    return exit_ok;
  }
  if (parsed->positionals().size() != 1) {
    std::fprintf(stderr, "llmwire replay: expected one FILE\n\n%s", usage);
    return exit_usage;
  }
  std::optional<Dialect> dialect;
  if (auto name = parsed->get("dialect")) {
    dialect = dialect_from_string(*name);
    if (!dialect) {
      std::fprintf(stderr, "llmwire replay: --dialect must be openai or ollama, got '%s'\n",
                   name->c_str());
      return exit_usage;
    }
  }
  auto chunk = parsed->get_int("chunk");
  if (!chunk) {
    std::fprintf(stderr, "llmwire replay: %s\n", chunk.error().message.c_str());
    return exit_usage;
  }
  if (*chunk && **chunk < 0) {
    std::fprintf(stderr, "llmwire replay: --chunk must be >= 0\n");
    return exit_usage;
  }
  std::size_t chunk_size = *chunk ? static_cast<std::size_t>(**chunk) : 0;

  const std::string& path = parsed->positionals().front();
  auto bytes = read_input(path, "the input");
  if (!bytes) {
    print_error("replay", bytes.error().message);
    return exit_failure;
  }

  // A transcript replays its recorded chunks; anything else is a raw body.
  std::optional<Transcript> transcript;
  if (looks_like_transcript(*bytes)) {
    auto read = parse_transcript(*bytes);
    if (!read) {
      print_error("replay", path + ": " + read.error().message);
      return exit_failure;
    }
    transcript = std::move(*read);
  }
  if (!dialect) {
    dialect = transcript ? transcript->dialect : sniff_dialect(*bytes);
  }

  bool aggregate = parsed->has("aggregate");
  ResponseDecoder decoder(*dialect);
  EventSink sink;
  if (!aggregate) {
    sink = [](const Event& event) {
      write_line(dump_json(to_json(event)));
      return true;
    };
  }
  if (transcript) {
    // As the Client returned it: a recorded HTTP error or broken stream is the result's error.
    ChatResult result = replay_result(*transcript, decoder, sink, chunk_size);
    if (aggregate) write_line(dump_json(to_json(result)));
    return std::fflush(stdout) == 0 ? exit_ok : exit_failure;
  } else {
    std::string_view body = *bytes;
    if (chunk_size == 0) chunk_size = body.empty() ? 1 : body.size();
    for (std::size_t at = 0; at < body.size(); at += chunk_size) {
      if (!decoder.feed(body.substr(at, chunk_size), sink)) break;
    }
    decoder.finish(sink);
  }
  if (aggregate) write_line(dump_json(to_json(decoder.result())));
  return std::fflush(stdout) == 0 ? exit_ok : exit_failure;
}

}  // namespace llmwire::cli
