#include "llmwire/transcript.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "llmwire/result_json.hpp"
#include "wire_test_support.hpp"

namespace {

std::filesystem::path scratch_file(const char* name) {
  return std::filesystem::path(LLMWIRE_TEST_BINARY_DIR) / name;
}

llmwire::Transcript sample() {
  llmwire::Transcript t;
  t.dialect = llmwire::Dialect::openai;
  t.provenance = "unit test";
  t.url = "http://127.0.0.1:8000/v1/chat/completions";
  t.request_headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer sk-secret"}};
  t.request_body = {{"model", "m"}, {"api_key", "sk-secret"}, {"nested", {{"Token", "t"}}}};
  t.status = 200;
  t.response_headers = {{"content-type", "text/event-stream"}, {"Set-Cookie", "s=1"}};
  t.chunks = {{1.5, wire_test::content_event("Hel")},
              {2.25, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo \xE0\xB2"},
              {3.0, "\x95\"}}]}\n\n" + wire_test::done_event}};  // a read splits a Kannada letter
  t.end = "complete";
  return t;
}

}  // namespace

TEST_CASE("transcript: serialize and parse round-trip, exact bytes and offsets") {
  llmwire::Transcript original = sample();
  std::string text = llmwire::serialize_transcript(original);
  CHECK(llmwire::looks_like_transcript(text));
  auto parsed = llmwire::parse_transcript(text);
  REQUIRE(parsed);
  REQUIRE(parsed->chunks.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(parsed->chunks[i].bytes == original.chunks[i].bytes);
    CHECK(parsed->chunks[i].t_ms == doctest::Approx(original.chunks[i].t_ms));
  }
  CHECK(parsed->end == "complete");
  CHECK(parsed->provenance == "unit test");
  CHECK(parsed->url == original.url);
  CHECK(parsed->status == 200);
  // Reads that are not valid UTF-8 on their own are stored as base64, the others as text.
  CHECK(text.find("\"b64\"") != std::string::npos);
  CHECK(text.find("\"text\"") != std::string::npos);
}

TEST_CASE("transcript: secrets are redacted on the way to disk") {
  std::string text = llmwire::serialize_transcript(sample());
  CHECK(text.find("sk-secret") == std::string::npos);
  CHECK(text.find("s=1") == std::string::npos);
  auto parsed = llmwire::parse_transcript(text);
  REQUIRE(parsed);
  CHECK(parsed->request_headers[1].second == "[REDACTED]");
  CHECK(parsed->request_headers[0].second == "application/json");
  CHECK(parsed->request_body["api_key"] == "[REDACTED]");
  CHECK(parsed->request_body["nested"]["Token"] == "[REDACTED]");
  CHECK(parsed->request_body["model"] == "m");
}

TEST_CASE("transcript: replay gives the same result as decoding the body, at any chunking") {
  llmwire::Transcript t = sample();
  for (std::size_t rechunk : {0, 1, 7}) {
    llmwire::ResponseDecoder decoder(t.dialect);
    CHECK(llmwire::replay_transcript(t, decoder, {}, rechunk));
    CHECK(decoder.result().content == "Hello \xE0\xB2\x95");
    CHECK(decoder.result().done);
  }
}

TEST_CASE("transcript: the streaming writer leaves a readable file even without close") {
  auto path = scratch_file("writer_test.jsonl");
  {
    llmwire::TranscriptHeader header;
    header.dialect = llmwire::Dialect::ollama;
    header.request_headers = {{"authorization", "Bearer x"}};
    auto writer = llmwire::TranscriptWriter::open(path, header);
    REQUIRE(writer);
    REQUIRE(writer->write_chunk("{\"message\":{\"content\":\"a\"},\"done\":false}\n", 10));
    REQUIRE(writer->write_chunk(std::string("\xFF\x00", 2), 20));
    // No close(): as if the process died here.
  }
  auto read = llmwire::read_transcript(path);
  REQUIRE(read);
  CHECK(read->dialect == llmwire::Dialect::ollama);
  CHECK(read->request_headers[0].second == "[REDACTED]");
  REQUIRE(read->chunks.size() == 2);
  CHECK(read->chunks[1].bytes == std::string("\xFF\x00", 2));
  CHECK(read->end.empty());

  auto writer = llmwire::TranscriptWriter::open(path, llmwire::TranscriptHeader{});
  REQUIRE(writer);
  REQUIRE(writer->close("eof", 5));
  CHECK_FALSE(writer->write_chunk("late", 6));
  read = llmwire::read_transcript(path);
  REQUIRE(read);
  CHECK(read->end == "eof");
  std::filesystem::remove(path);
}

TEST_CASE("transcript: a cut-off last line is tolerated; other damage is a parse error") {
  std::string text = llmwire::serialize_transcript(sample());
  std::string cut = text.substr(0, text.size() - 10);
  auto parsed = llmwire::parse_transcript(cut);
  REQUIRE(parsed);
  CHECK(parsed->chunks.size() == 3);
  CHECK(parsed->end.empty());

  auto bad = llmwire::parse_transcript(text.substr(0, text.find('\n') + 1) +
                                       "garbage\n{\"t_ms\":1,\"text\":\"x\"}\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == llmwire::ErrorKind::parse);
  CHECK(bad.error().message ==
        "line 2: parse error at line 1, column 1: syntax error while parsing value - invalid "
        "literal; last read: 'g'");
  auto no_bytes = llmwire::parse_transcript(text.substr(0, text.find('\n') + 1) + "{\"t_ms\":1}\n");
  REQUIRE_FALSE(no_bytes);
  CHECK(no_bytes.error().message == "line 2: a chunk needs \"text\" or \"b64\"");
  auto bad_b64 =
      llmwire::parse_transcript(text.substr(0, text.find('\n') + 1) + "{\"b64\":\"@@\"}\n");
  REQUIRE_FALSE(bad_b64);
  CHECK_FALSE(llmwire::parse_transcript("").has_value());
  CHECK_FALSE(llmwire::looks_like_transcript("data: {}\n\n"));
  CHECK_FALSE(llmwire::read_transcript(scratch_file("does_not_exist.jsonl")).has_value());
}

TEST_CASE("transcript: the bundled transcripts decode as their provenance says") {
  auto load = [](const char* name) {
    auto t = llmwire::read_transcript(std::filesystem::path(LLMWIRE_TEST_TRANSCRIPTS_DIR) / name);
    REQUIRE_MESSAGE(t, name);
    CHECK_MESSAGE(!t->provenance.empty(), name);
    llmwire::ResponseDecoder decoder(t->dialect);
    llmwire::replay_transcript(*t, decoder, {});
    return std::make_pair(*t, decoder.take_result());
  };
  {
    auto [t, r] = load("vllm_content.jsonl");
    CHECK(r.content == "Hello, world!");
    CHECK(r.done);
    CHECK(t.chunks.size() > 3);
  }
  {
    auto [t, r] = load("vllm_reasoning.jsonl");
    CHECK(r.reasoning == "Check units first.");
    CHECK(r.content == "5 km");
  }
  {
    auto [t, r] = load("vllm_tool_calls.jsonl");
    REQUIRE(r.tool_calls.size() == 1);
    CHECK(r.tool_calls[0].name == "send_message");
    CHECK(r.tool_calls[0].arguments == nlohmann::json{{"message", "Hello! How can I help?"}});
    CHECK(r.finish_reason == "tool_calls");
  }
  {
    auto [t, r] = load("ollama_native.jsonl");
    CHECK(t.dialect == llmwire::Dialect::ollama);
    CHECK(r.reasoning == "The user greets me.");
    CHECK(r.content == "Hello! How can I help?");
    CHECK(r.usage->completion_tokens == 15);
  }
  {
    auto [t, r] = load("vllm_midstream_error.jsonl");
    CHECK(r.content == "Partial answer");
    REQUIRE(r.error);
    CHECK(r.done);
  }
  {
    auto [t, r] = load("vllm_truncated.jsonl");
    CHECK(t.end == "eof");
    CHECK(r.content == "This answer is cut off");
    CHECK_FALSE(r.done);
  }
  {
    auto [t, r] = load("vllm_long_content.jsonl");
    CHECK(t.chunks.size() > 1000);
    CHECK(r.finish_reason == "length");
    CHECK(r.usage->completion_tokens == 1002);
    CHECK(r.done);
  }
}

TEST_CASE("transcript: a header nested 100k deep is a parse error, not a stack overflow") {
  // Found by probing: parse_transcript copied the header's request body recursively.
  std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  std::string text = R"({"llmwire_transcript":1,"dialect":"openai","request":{"body":)" + deep +
                     "}}\n" + R"({"t_ms":1,"text":"x"})" + "\n";
  auto parsed = llmwire::parse_transcript(text);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().kind == llmwire::ErrorKind::parse);
  CHECK(parsed.error().message == "line 1: JSON nesting deeper than 512 levels");
  CHECK(llmwire::looks_like_transcript(text));  // so replay reports the error, not a raw body
}
