// The fast path must give exactly what the full nlohmann parse gives, and must decline anything
// it does not fully understand.

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "llmwire/sse.hpp"
#include "wire/dialect.hpp"

namespace {

// Records every WireSink call as one line of text.
class Recorder final : public llmwire::wire::WireSink {
 public:
  std::vector<std::string> log;
  bool content(std::string_view t) override { return add("content:" + std::string(t)); }
  bool reasoning(std::string_view t) override { return add("reasoning:" + std::string(t)); }
  bool tool_fragment(int index, std::optional<std::string_view> id,
                     std::optional<std::string_view> name, std::string_view args) override {
    return add("tool:" + std::to_string(index) + ":" + std::string(id.value_or("-")) + ":" +
               std::string(name.value_or("-")) + ":" + std::string(args));
  }
  bool tool_call(llmwire::ToolCall c) override { return add("call:" + c.name); }
  bool finish_reason(std::string_view r) override { return add("finish:" + std::string(r)); }
  bool usage(const llmwire::Usage& u) override {
    return add("usage:" + std::to_string(u.prompt_tokens) + "/" +
               std::to_string(u.completion_tokens));
  }
  bool server_timings(const llmwire::ServerTimings& t) override {
    auto f = [](const std::optional<double>& v) { return v ? std::to_string(*v) : "-"; };
    return add("timings:" + f(t.prompt_n) + "," + f(t.prompt_ms) + "," + f(t.predicted_n) + "," +
               f(t.predicted_ms) + "," + f(t.predicted_per_second));
  }
  bool error(llmwire::Error e) override { return add("error:" + e.message); }
  bool done() override { return add("done"); }

 private:
  bool add(std::string s) {
    log.push_back(std::move(s));
    return true;
  }
};

struct Outcome {
  std::vector<std::string> log;
  bool fast = false;
};

Outcome run_fast(std::string_view data) {
  llmwire::wire::OpenAIChunkDecoder decoder;
  Recorder recorder;
  decoder.decode(data, recorder);
  return {recorder.log, decoder.fast_path_count == 1};
}

std::vector<std::string> run_slow(std::string_view data) {
  llmwire::wire::OpenAIChunkDecoder decoder;
  Recorder recorder;
  decoder.decode_slow(data, recorder);
  return recorder.log;
}

}  // namespace

TEST_CASE("fast path: common chunk shapes take it and agree with the full parse") {
  const char* chunks[] = {
      R"({"id":"chatcmpl-8b","object":"chat.completion.chunk","created":1769827901,"model":"nvidia/Qwen3-14B-NVFP4","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning_content":null},"logprobs":null,"finish_reason":null}],"prompt_token_ids":null})",
      R"({"id":"x","choices":[{"index":0,"delta":{"content":"Hello","reasoning_content":null},"logprobs":null,"finish_reason":null,"token_ids":null}]})",
      R"({"choices":[{"index":0,"delta":{"reasoning":"a","reasoning_content":"a"}}]})",
      R"({"choices":[{"index":0,"delta":{"reasoning":null,"reasoning_content":"b"}}]})",
      R"({"choices":[{"index":0,"delta":{"content":"esc \" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude80 \u0000"}}]})",
      R"({"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop","stop_reason":null}]})",
      R"( { "choices" : [ { "delta" : { "content" : "spaced" } , "index" : 0 } ] , "usage" : null } )",
      R"({"choices":[],"usage":null})",
      R"({"choices":[{"index":0,"delta":{},"finish_reason":"length","logprobs":{"content":[{"token":"a","logprob":-0.5,"bytes":[97],"top_logprobs":[]}]}}]})",
      R"({"a":[1,2.5,-3e+2,true,false,null,{"b":"\u0041"}],"choices":[{"index":0,"delta":{"content":"ok"}}]})",
      "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\xE0\xB2\x95\xF0\x9F\x9A\x80\"}}]}",
      R"({"choices":[{"index":0,"delta":{"content":"x"}}],"object":"chat.completion.chunk"})",
      R"({})",
      R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":null}})",
      R"({"choices":[{"index":0,"delta":{"content":"u"}}],"usage":{"prompt_tokens":1e2,"completion_tokens":2.0}})",
      R"({"choices":[{"index":0,"delta":{"content":"t"}}],"timings":{"prompt_n":12,"prompt_ms":8.25,"predicted_n":3,"predicted_ms":30.1,"predicted_per_second":99.66777408637874,"cache_n":0}})",
      R"({"choices":[],"usage":{}})",
  };
  for (const char* chunk : chunks) {
    CAPTURE(chunk);
    auto fast = run_fast(chunk);
    CHECK(fast.fast);
    CHECK(fast.log == run_slow(chunk));
  }
}

TEST_CASE("fast path: declines what it does not handle, and the result still agrees") {
  const char* chunks[] = {
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":""}}]}}]})",
      R"({"choices":[],"usage":{"prompt_tokens":"1","completion_tokens":2}})",
      R"({"choices":[{"index":0,"delta":{"content":"x"}}],"timings":{"predicted_n":null}})",
      R"({"choices":[],"usage":5})",
      R"({"choices":[],"usage":{"prompt_tokens":1},"usage":{"prompt_tokens":2}})",
      R"({"error":{"message":"boom"}})",
      R"({"object":"error","message":"flat"})",
      R"({"choices":[{"index":0,"delta":{"content":"A"}},{"index":1,"delta":{"content":"B"}}]})",
      R"({"choices":[{"index":1,"delta":{"content":"B"}}]})",
      R"({"choices":[{"index":0,"delta":{"content":"dup","content":"again"}}]})",
      "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"bad \xFF utf8\"}}]}",
      R"({"choices":[{"index":0,"delta":{"content":"lone \ud83d"}}]})",
      R"({"choices":[{"index":0,"delta":{"content":"x"}}]} trailing)",
      R"({"choices":[{"index":0,"delta":{"content":"x"}}],})",
      R"({"choices":[{"index":0,"delta":{"content":"x"}}],"n":01})",
      R"({"choices":[{"index":0,"delta":{"content":"x"}}],"n":nul})",
      R"({"choices":[{"index":0,"delta":{"content":"raw)"
      "\n"
      R"(newline"}}]})",
      R"([1,2])",
      R"({"choices":[{"index":0,"delta":null}]})",
      R"({"choices":[{"index":"0","delta":{"content":"str index"}}]})",
      // llama-server's nested cached-token count: the full parse reads it (once a stream).
      R"({"choices":[],"usage":{"prompt_tokens":23,"completion_tokens":64,"prompt_tokens_details":{"cached_tokens":18}}})",
  };
  for (const char* chunk : chunks) {
    CAPTURE(chunk);
    auto fast = run_fast(chunk);
    CHECK_FALSE(fast.fast);
    CHECK(fast.log == run_slow(chunk));
  }
}

TEST_CASE("fast path: every event of the fixture vectors agrees with the full parse") {
  std::ifstream in(LLMWIRE_TEST_FIXTURES_DIR "/stream_vectors.public.jsonl");
  REQUIRE(in);
  std::string line;
  int events = 0;
  while (std::getline(in, line)) {
    auto vector = nlohmann::json::parse(line);
    if (vector["dialect"] != "openai") continue;
    // Decode base64 with nlohmann's binary support would need CBOR; do it by hand.
    static const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string b64 = vector["body_b64"], body;
    unsigned bits = 0;
    int count = 0;
    for (char c : b64) {
      auto v = alphabet.find(c);
      if (v == std::string::npos) continue;
      bits = bits << 6 | static_cast<unsigned>(v);
      if ((count += 6) >= 8) {
        count -= 8;
        body.push_back(static_cast<char>((bits >> count) & 0xFF));
      }
    }
    llmwire::sse::Decoder framing;
    auto ok = framing.feed(body, [&](const llmwire::sse::Event& e) {
      if (e.data.empty() || e.data == "[DONE]") return true;
      ++events;
      CAPTURE(e.data.substr(0, 200));
      CHECK(run_fast(e.data).log == run_slow(e.data));
      return true;
    });
    CHECK(ok);
  }
  CHECK(events > 40);
}
