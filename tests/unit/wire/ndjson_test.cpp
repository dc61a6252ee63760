#include "llmwire/ndjson.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

std::vector<std::string> lines_of(std::string_view body, std::size_t chunk, std::string* tail) {
  llmwire::ndjson::Decoder decoder;
  std::vector<std::string> lines;
  auto handler = [&lines](std::string_view line) {
    lines.emplace_back(line);
    return true;
  };
  if (chunk == 0) chunk = body.empty() ? 1 : body.size();
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    REQUIRE(decoder.feed(body.substr(at, chunk), handler));
  }
  *tail = std::string(decoder.finish());
  return lines;
}

}  // namespace

TEST_CASE("ndjson: lines split on LF at any chunking; CR before LF dropped; blanks skipped") {
  std::string body = "{\"a\":1}\n\n{\"b\":2}\r\n   \n{\"c\":3}\n";
  for (std::size_t chunk : {0, 1, 2, 7}) {
    std::string tail;
    CHECK(lines_of(body, chunk, &tail) ==
          std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"});
    CHECK(tail.empty());
  }
}

TEST_CASE("ndjson: the last line without LF is handed back by finish()") {
  for (std::size_t chunk : {0, 1, 3}) {
    std::string tail;
    auto lines = lines_of("{\"a\":1}\n{\"done\":true}", chunk, &tail);
    CHECK(lines == std::vector<std::string>{"{\"a\":1}"});
    CHECK(tail == "{\"done\":true}");
  }
}

TEST_CASE("ndjson: a line over max_line_bytes is a protocol error") {
  llmwire::ndjson::Decoder decoder(llmwire::ndjson::DecoderOptions{.max_line_bytes = 8});
  auto handler = [](std::string_view) { return true; };
  REQUIRE(decoder.feed("{\"a\":1}\n", handler));
  auto ok = decoder.feed("{\"abcdefgh\":1}\n", handler);
  REQUIRE_FALSE(ok);
  CHECK(ok.error().kind == llmwire::ErrorKind::protocol);
  CHECK(ok.error().message ==
        "NDJSON line longer than the 8-byte limit (DecoderOptions::max_line_bytes)");
}

TEST_CASE("ndjson: a handler returning false stops decoding") {
  llmwire::ndjson::Decoder decoder;
  int count = 0;
  auto handler = [&count](std::string_view) {
    ++count;
    return false;
  };
  auto ok = decoder.feed("1\n2\n3\n", handler);
  REQUIRE(ok);
  CHECK_FALSE(*ok);
  CHECK(count == 1);
}
