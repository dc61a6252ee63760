// decode_error_body (src/wire/error_body.cpp): each server's error body, and a context
// overflow's figures.

#include "llmwire/error_body.hpp"

#include <doctest/doctest.h>

using namespace llmwire;

TEST_CASE("error bodies of each server decode into Error") {
  SUBCASE("vLLM >= 0.10.1 nested shape") {
    const Error e = decode_error_body(
        400,
        R"({"error":{"message":"max_tokens is too large","type":"BadRequestError","param":null,"code":400}})");
    CHECK(e.kind == ErrorKind::http);
    CHECK(e.http_status == 400);
    CHECK(e.message == "max_tokens is too large");
    CHECK(e.provider_type == "BadRequestError");
    CHECK(e.provider_code == "400");
  }
  SUBCASE("older vLLM flat shape") {
    const Error e = decode_error_body(
        500,
        R"({"object":"error","message":"engine dead","type":"InternalServerError","param":null,"code":500})");
    CHECK(e.kind == ErrorKind::http);
    CHECK(e.message == "engine dead");
    CHECK(e.provider_type == "InternalServerError");
    CHECK(e.provider_code == "500");
  }
  SUBCASE("llama-server") {
    const Error e = decode_error_body(
        503, R"({"error":{"code":503,"message":"Loading model","type":"unavailable_error"}})");
    CHECK(e.http_status == 503);
    CHECK(e.message == "Loading model");
    CHECK(e.provider_type == "unavailable_error");
    CHECK(e.provider_code == "503");
  }
  SUBCASE("Ollama native") {
    const Error e = decode_error_body(
        404, R"({"error":"model \"gemma4:26b\" not found, try pulling it first"})");
    CHECK(e.kind == ErrorKind::http);
    CHECK(e.message == "model \"gemma4:26b\" not found, try pulling it first");
    CHECK(e.provider_type.empty());
    CHECK(e.provider_code.empty());
  }
  SUBCASE("Ollama /v1") {
    const Error e = decode_error_body(
        400,
        R"({"error":{"message":"invalid model","type":"invalid_request_error","param":null,"code":null}})");
    CHECK(e.message == "invalid model");
    CHECK(e.provider_type == "invalid_request_error");
    CHECK(e.provider_code.empty());
  }
  SUBCASE("429 is rate_limited") {
    const Error e = decode_error_body(
        429,
        R"({"error":{"message":"slow down","type":"rate_limit","code":"rate_limit_exceeded"}})");
    CHECK(e.kind == ErrorKind::rate_limited);
    CHECK(e.provider_code == "rate_limit_exceeded");
  }
  SUBCASE("non-JSON body keeps an excerpt") {
    const Error e = decode_error_body(502, "<html>\n<body>Bad Gateway</body></html>");
    CHECK(e.message == "<html> <body>Bad Gateway</body></html>");
  }
  SUBCASE("empty body") {
    CHECK(decode_error_body(500, "").message == "HTTP 500 with an empty body");
    // Found by fuzz_error_body: a whitespace-only body gave an empty message.
    CHECK(decode_error_body(502, "\n\n \t").message == "HTTP 502 with an empty body");
  }
  SUBCASE("truncated JSON does not throw") {
    const Error e = decode_error_body(500, R"({"error":{"message":"cut)");
    CHECK(e.message == R"({"error":{"message":"cut)");
  }
}

TEST_CASE("a context overflow states the prompt and context sizes (llama-server, vLLM)") {
  // Captured from llama-server 0.5.0 (tests/transcripts/captured/llama-server-0.5.0/
  // error_context_overflow.http.txt).
  const Error llama = decode_error_body(
      400, R"({"error":{"code":400,"message":"request (6015 tokens) exceeds the available )"
           R"(context size (4096 tokens), try increasing it","type":"exceed_context_size_error",)"
           R"("n_prompt_tokens":6015,"n_ctx":4096}})");
  CHECK(llama.kind == ErrorKind::http);
  CHECK(llama.provider_type == "exceed_context_size_error");
  CHECK(llama.prompt_tokens == 6015);
  CHECK(llama.context_tokens == 4096);
  // vLLM says it only in its message (its OpenAI serving layer's wording).
  const Error vllm = decode_error_body(
      400, R"({"error":{"message":"This model's maximum context length is 8192 tokens. However, )"
           R"(you requested 31985 tokens (31485 in the messages, 500 in the completion). Please )"
           R"(reduce the length of the messages or completion.","type":"BadRequestError",)"
           R"("param":null,"code":400}})");
  CHECK(vllm.context_tokens == 8192);
  CHECK(vllm.prompt_tokens == 31985);
  const Error other = decode_error_body(400, R"({"error":{"message":"bad type","code":400}})");
  CHECK_FALSE(other.prompt_tokens);
  CHECK_FALSE(other.context_tokens);
}
