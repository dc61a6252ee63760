// Endpoint URL handling (src/client/url.cpp).

#include "client/url.hpp"

#include <doctest/doctest.h>

using namespace llmwire;
using detail::is_loopback;
using detail::request_url;

TEST_CASE("base URLs become request URLs per dialect") {
  CHECK(*request_url("http://h:8000", Dialect::openai) == "http://h:8000/v1/chat/completions");
  CHECK(*request_url("http://h:8000/", Dialect::openai) == "http://h:8000/v1/chat/completions");
  CHECK(*request_url("http://h:8000/v1", Dialect::openai) == "http://h:8000/v1/chat/completions");
  CHECK(*request_url("http://h:8000/v1/", Dialect::openai) == "http://h:8000/v1/chat/completions");
  CHECK(*request_url("https://h/x/v1/chat/completions", Dialect::openai) ==
        "https://h/x/v1/chat/completions");
  CHECK(*request_url("http://h:11434", Dialect::ollama) == "http://h:11434/api/chat");
  CHECK(*request_url("http://h:11434/api", Dialect::ollama) == "http://h:11434/api/chat");
  CHECK(*request_url("http://h:11434/api/chat", Dialect::ollama) == "http://h:11434/api/chat");
  CHECK(request_url("h:8000", Dialect::openai).error().kind == ErrorKind::invalid_argument);
  CHECK(request_url("ftp://h", Dialect::openai).error().kind == ErrorKind::invalid_argument);
  CHECK(request_url("http://", Dialect::openai).error().kind == ErrorKind::invalid_argument);
}

TEST_CASE("loopback detection") {
  CHECK(is_loopback("http://127.0.0.1:8000"));
  CHECK(is_loopback("http://127.1.2.3/v1"));
  CHECK(is_loopback("http://localhost:11434"));
  CHECK(is_loopback("http://[::1]:8000"));
  CHECK(is_loopback("http://user:pw@localhost:1/"));
  CHECK_FALSE(is_loopback("http://10.0.0.2:8000"));
  CHECK_FALSE(is_loopback("https://api.example.com"));
  CHECK_FALSE(is_loopback("http://localhost.example.com"));
}
