#include "llmwire/sse.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace std::string_literals;

namespace {

struct Seen {
  std::string type, data, id, error;
};

// Feeds `body` in `chunk`-byte reads (0 = at once) and records every dispatched event.
std::vector<Seen> run(std::string_view body, std::size_t chunk = 0,
                      llmwire::sse::DecoderOptions options = {}, bool* failed = nullptr,
                      std::string* message = nullptr) {
  llmwire::sse::Decoder decoder(options);
  std::vector<Seen> seen;
  auto handler = [&seen](const llmwire::sse::Event& e) {
    seen.push_back(
        {std::string(e.type), std::string(e.data), std::string(e.id), std::string(e.error)});
    return true;
  };
  if (chunk == 0) chunk = body.empty() ? 1 : body.size();
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    auto ok = decoder.feed(body.substr(at, chunk), handler);
    if (!ok) {
      if (failed != nullptr) *failed = true;
      if (message != nullptr) *message = ok.error().message;
      break;
    }
  }
  decoder.finish();
  return seen;
}

std::vector<std::string> datas(const std::vector<Seen>& seen) {
  std::vector<std::string> out;
  for (const auto& s : seen) out.push_back(s.data);
  return out;
}

}  // namespace

TEST_CASE("sse: LF, CR and CRLF line ends, at every chunking") {
  for (std::string_view body :
       {std::string_view("data: a\n\ndata: b\n\n"), std::string_view("data: a\r\rdata: b\r\r"),
        std::string_view("data: a\r\n\r\ndata: b\r\n\r\n")}) {
    for (std::size_t chunk : {0, 1, 2, 3, 5, 7}) {
      CAPTURE(chunk);
      CHECK(datas(run(body, chunk)) == std::vector<std::string>{"a", "b"});
    }
  }
}

TEST_CASE("sse: a CRLF split across reads is one line end, not two") {
  std::string body = "data: x\r\n\r\ndata: y\r\n\r\n";
  for (std::size_t split = 0; split <= body.size(); ++split) {
    llmwire::sse::Decoder decoder;
    std::vector<std::string> seen;
    auto handler = [&seen](const llmwire::sse::Event& e) {
      seen.emplace_back(e.data);
      return true;
    };
    REQUIRE(decoder.feed(std::string_view(body).substr(0, split), handler));
    REQUIRE(decoder.feed(std::string_view(body).substr(split), handler));
    CAPTURE(split);
    CHECK(seen == std::vector<std::string>{"x", "y"});
  }
}

TEST_CASE("sse: a lone CR at a read boundary followed by data starts a new line") {
  // "data: a\r" then "data: b\r\r": the CR ended the first line; no LF follows.
  llmwire::sse::Decoder decoder;
  std::vector<std::string> seen;
  auto handler = [&seen](const llmwire::sse::Event& e) {
    seen.emplace_back(e.data);
    return true;
  };
  REQUIRE(decoder.feed("data: a\r", handler));
  REQUIRE(decoder.feed("data: b\r\r", handler));
  CHECK(seen == std::vector<std::string>{"a\nb"});
}

TEST_CASE("sse: comments, data with and without the space, one space stripped") {
  auto seen = run(": keep-alive\n\ndata:nospace\n\ndata: one\n\ndata:  two\n\n:x\ndata: c\n\n");
  CHECK(datas(seen) == std::vector<std::string>{"nospace", "one", " two", "c"});
}

TEST_CASE("sse: multi-line data is joined with LF; the last LF is removed") {
  CHECK(datas(run("data: a\ndata: b\ndata\ndata: c\n\n")) == std::vector<std::string>{"a\nb\n\nc"});
}

TEST_CASE("sse: a block without data dispatches nothing; empty data lines dispatch empty data") {
  // WHATWG: `data:` appends "" + LF, so the buffer is not empty and an event with empty data
  // is dispatched; two empty data lines give one LF. Only a block with no data line is silent.
  auto seen = run("data:\n\ndata\n\nevent: x\n\ndata:\ndata:\n\n");
  CHECK(datas(seen) == std::vector<std::string>{"", "", "\n"});
}

TEST_CASE("sse: event, id and retry fields") {
  llmwire::sse::Decoder decoder;
  std::vector<Seen> seen;
  auto handler = [&seen](const llmwire::sse::Event& e) {
    seen.push_back({std::string(e.type), std::string(e.data), std::string(e.id), {}});
    return true;
  };
  REQUIRE(
      decoder.feed("retry: 3000\n\nevent: update\nid: 7\ndata: a\n\ndata: b\n\n"
                   "retry: abc\nid: 8\0x\ndata: c\n\n"s,
                   handler));
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].type == "update");
  CHECK(seen[0].id == "7");
  CHECK(seen[1].type == "");  // the type resets after dispatch
  CHECK(seen[1].id == "7");   // the id persists
  CHECK(seen[2].id == "7");   // an id containing NUL is ignored
  REQUIRE(decoder.retry().has_value());
  CHECK(decoder.retry()->count() == 3000);  // "abc" is not a valid retry and changes nothing
}

TEST_CASE("sse: field names are case-sensitive and unknown fields are ignored") {
  CHECK(datas(run("Data: no\nfoo: bar\ndata: yes\n\n")) == std::vector<std::string>{"yes"});
}

TEST_CASE("sse: a leading BOM is skipped, also when split across reads; only one") {
  std::string body =
      "\xEF\xBB\xBF"
      "data: a\n\n";
  for (std::size_t chunk : {0, 1, 2}) {
    CHECK(datas(run(body, chunk)) == std::vector<std::string>{"a"});
  }
  // A second BOM is not skipped: it makes the field name "\uFEFFdata", an unknown field.
  CHECK(run("\xEF\xBB\xBF\xEF\xBB\xBF"
            "data: a\n\n")
            .empty());
}

TEST_CASE("sse: U+2028, U+2029 and NEL are not line breaks") {
  std::string body =
      "data: a\xE2\x80\xA8"
      "b\xE2\x80\xA9"
      "c\xC2\x85"
      "d\n\n";
  for (std::size_t chunk : {0, 1}) {
    CHECK(datas(run(body, chunk)) == std::vector<std::string>{"a\xE2\x80\xA8"
                                                              "b\xE2\x80\xA9"
                                                              "c\xC2\x85"
                                                              "d"});
  }
}

TEST_CASE("sse: an unterminated event at EOF is discarded") {
  llmwire::sse::Decoder decoder;
  int count = 0;
  auto handler = [&count](const llmwire::sse::Event&) {
    ++count;
    return true;
  };
  REQUIRE(decoder.feed("data: a\n\ndata: b\n", handler));
  CHECK(count == 1);
  CHECK(decoder.finish());  // something was discarded
  CHECK(count == 1);
}

TEST_CASE("sse: the non-standard error field dispatches an event of its own") {
  auto seen = run("error: {\"message\":\"boom\"}\n\ndata: [DONE]\n\n");
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].error == "{\"message\":\"boom\"}");
  CHECK(seen[0].data.empty());
  CHECK(seen[1].data == "[DONE]");
}

TEST_CASE("sse: an event over max_event_bytes is a protocol error naming the limit") {
  llmwire::sse::DecoderOptions options{.max_event_bytes = 64};
  std::string big(100, 'x');
  for (std::size_t chunk : {0, 1, 7}) {
    bool failed = false;
    std::string message;
    auto seen =
        run("data: ok\n\ndata: " + big + "\n\ndata: later\n\n", chunk, options, &failed, &message);
    CAPTURE(chunk);
    CHECK(failed);
    CHECK(message == "SSE event larger than the 64-byte limit (DecoderOptions::max_event_bytes)");
    CHECK(datas(seen) == std::vector<std::string>{"ok"});
  }
  // Many data lines that together exceed the cap count too.
  bool failed = false;
  std::string many;
  for (int i = 0; i < 20; ++i) many += "data: 0123456789\n";
  run(many + "\n", 0, options, &failed);
  CHECK(failed);
  // The same error keeps coming back from later feeds.
  llmwire::sse::Decoder decoder(options);
  auto handler = [](const llmwire::sse::Event&) { return true; };
  CHECK_FALSE(decoder.feed("data: " + big, handler));
  auto again = decoder.feed("\n\n", handler);
  REQUIRE_FALSE(again);
  CHECK(again.error().kind == llmwire::ErrorKind::protocol);
}

TEST_CASE("sse: a 1 MiB line fed one byte at a time is fine (no quadratic re-scan)") {
  std::string payload(1u << 20, 'a');
  std::string body = "data: " + payload + "\n\n";
  auto seen = run(body, 1);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].data.size() == payload.size());
}

TEST_CASE("sse: a handler returning false stops decoding") {
  llmwire::sse::Decoder decoder;
  int count = 0;
  auto handler = [&count](const llmwire::sse::Event&) {
    ++count;
    return false;
  };
  auto ok = decoder.feed("data: a\n\ndata: b\n\n", handler);
  REQUIRE(ok);
  CHECK_FALSE(*ok);
  CHECK(count == 1);
  auto later = decoder.feed("data: c\n\n", handler);
  REQUIRE(later);
  CHECK_FALSE(*later);
  CHECK(count == 1);
}
