// The API key and URL passwords never leave the process: not in errors (any field), events,
// results or transcripts, even when a server echoes them back.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "client_test_support.hpp"
#include "llmwire/transcript.hpp"

namespace {

const std::string key = "sk-live-0123456789abcdefghij";

// True when any 8-byte piece of `secret` appears in `text`.
bool leaks(std::string_view text, std::string_view secret) {
  for (std::size_t i = 0; i + 8 <= secret.size(); ++i) {
    if (text.find(secret.substr(i, 8)) != std::string_view::npos) return true;
  }
  return false;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ClientOptions keyed(const std::string& url) {
  auto options = options_for({url});
  options.api_key = key;
  options.max_retries = 0;
  return options;
}

}  // namespace

TEST_CASE("an HTML 401 page echoing the key: masked before the excerpt is cut") {
  // The key straddles the 300-byte excerpt cut: cutting first used to leak its first bytes.
  Server s;
  std::string page = "<html><body>" + std::string(270, 'x') + key + "</body></html>";
  ScriptedReply reply = ScriptedReply::error(401, page);
  reply.content_type = "text/html";
  s.server.set_default(reply);
  Client client(keyed(s.server.base_url()));
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().http_status == 401);
  CHECK_FALSE(leaks(result.error().message, key));
  CHECK(result.error().message.find("[REDACTED]") != std::string::npos);
}

TEST_CASE("provider_type and provider_code echoing the key are redacted") {
  Server s;
  s.server.set_default(ScriptedReply::error(
      401, R"({"error":{"message":"bad key","type":"key )" + key + R"(","code":")" + key + "\"}}"));
  Client client(keyed(s.server.base_url()));
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().provider_type == "key [REDACTED]");
  CHECK(result.error().provider_code == "[REDACTED]");
}

TEST_CASE(
    "streamed text and a mid-stream error echoing the key: masked in events, result "
    "and transcript, with offsets kept") {
  Server s;
  // The key is split across two deltas, and appears whole in an error event.
  std::vector<std::string> stream{
      chunk({{"content", "your key is " + key.substr(0, 10)}}),
      chunk({{"content", key.substr(10) + ", keep it safe"}}),
      chunk({{"content", " (" + key + ")"}}),
      R"({"error":{"message":"quota for )" + key + R"( exceeded","type":"x","code":1}})"};
  s.server.set_default(ScriptedReply::sse(stream));
  const auto path = std::filesystem::temp_directory_path() / "llmwire_secrets_test.jsonl";
  Client client(keyed(s.server.base_url()));
  std::string seen_text;
  std::string seen_error;
  auto result = client.stream(
      hello(),
      [&](const Event& e) {
        if (const auto* c = std::get_if<ContentDelta>(&e)) seen_text += c->text;
        if (const auto* err = std::get_if<StreamError>(&e)) seen_error = err->error->message;
        return true;
      },
      CallOptions{.record_path = path.string()});
  REQUIRE(result);
  const std::string stars(key.size(), '*');
  const std::string masked = "your key is " + stars + ", keep it safe (" + stars + ")";
  CHECK(seen_text == masked);
  CHECK(result->content == masked);
  REQUIRE(result->error);
  CHECK_FALSE(leaks(seen_error, key));
  CHECK_FALSE(leaks(result->error->message, key));
  CHECK(seen_error.find("quota for [REDACTED] exceeded") != std::string::npos);

  // The transcript keeps the wire bytes, masked where the key is whole in them (the delta and
  // the error event); a key the server split across two events is two JSON strings there,
  // each only a fragment (docs/RELIABILITY.md).
  const std::string file = read_file(path);
  CHECK(file.find(key) == std::string::npos);
  CHECK(file.find("(" + stars + ")") != std::string::npos);
  auto transcript = read_transcript(path);
  REQUIRE(transcript);
  CHECK(transcript->secrets_masked);
  std::string original;
  for (const auto& payload : stream) original += "data: " + payload + "\n\n";
  CHECK(transcript->body().size() == original.size());  // same-length mask: offsets true
  std::filesystem::remove(path);
}

TEST_CASE("a password in the endpoint URL is never shown") {
  // Port 9 on loopback: nothing listens, so the error names the endpoint.
  auto options = options_for({"http://alice:hunter2-very-secret@127.0.0.1:9"});
  options.max_retries = 0;
  Client client(options);
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().kind == ErrorKind::connect);
  CHECK(result.error().message.find("hunter2") == std::string::npos);
  CHECK(result.error().message.find("http://[REDACTED]@127.0.0.1:9") != std::string::npos);
}

TEST_CASE("a one-character key does not mangle messages") {
  Server s;
  s.server.set_default(ScriptedReply::error(400, R"({"error":{"message":"a bad request"}})"));
  auto options = options_for({s.server.base_url()});
  options.api_key = "a";
  Client client(options);
  auto result = client.chat(hello());
  REQUIRE_FALSE(result);
  CHECK(result.error().message.find("a bad request") != std::string::npos);
}
