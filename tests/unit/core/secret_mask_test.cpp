#include "core/secret_mask.hpp"

#include <doctest/doctest.h>

#include <string>

using llmwire::detail::SecretMask;
using llmwire::detail::StreamMask;

TEST_CASE("SecretMask: redact, same-length mask, short secrets ignored") {
  SecretMask mask({"sk-0123456789", "a", ""});
  std::string text = "key sk-0123456789 twice sk-0123456789.";
  std::string same = text;
  CHECK(mask.redact(text));
  CHECK(text == "key [REDACTED] twice [REDACTED].");
  CHECK(mask.mask_same_length(same));
  CHECK(same == "key ************* twice *************.");
  std::string plain = "a banana";  // the one-character "secret" is not searched for
  CHECK_FALSE(mask.redact(plain));
  CHECK(plain == "a banana");
  llmwire::Error error{.message = "sk-0123456789",
                       .provider_type = "x sk-0123456789",
                       .provider_code = "sk-0123456789!"};
  mask.redact(error);
  CHECK(error.message == "[REDACTED]");
  CHECK(error.provider_type == "x [REDACTED]");
  CHECK(error.provider_code == "[REDACTED]!");
}

TEST_CASE("SecretMask: partial_suffix finds the longest tail that may start a secret") {
  SecretMask mask({"sk-0123456789"});
  CHECK(mask.partial_suffix("hello") == 0);
  CHECK(mask.partial_suffix("thanks") == 1);
  CHECK(mask.partial_suffix("x sk-01") == 5);
  CHECK(mask.partial_suffix("sk-012345678") == 12);
  CHECK(mask.partial_suffix("sk-0123456789") == 0);  // whole: masked, not held
}

TEST_CASE("StreamMask: a secret split at any byte is masked; nothing else changes") {
  const std::string secret = "sk-live-abcdefgh";
  const std::string text = "before " + secret + " middle s" + secret + "s after";
  SecretMask mask({secret});
  std::string expected = text;
  mask.mask_same_length(expected);
  REQUIRE(expected.find(secret) == std::string::npos);
  for (std::size_t a = 0; a <= text.size(); ++a) {
    for (std::size_t b = a; b <= text.size(); b += 3) {
      StreamMask stream(&mask);
      std::string out;
      out += stream.feed(std::string_view(text).substr(0, a));
      out += stream.feed(std::string_view(text).substr(a, b - a));
      out += stream.feed(std::string_view(text).substr(b));
      out += stream.finish();
      CAPTURE(a);
      CAPTURE(b);
      REQUIRE(out == expected);
    }
  }
  StreamMask stream(&mask);
  std::string out;
  for (char c : text) out += stream.feed(std::string_view(&c, 1));
  out += stream.finish();
  CHECK(out == expected);
  CHECK(stream.masked());

  // A piece with no secret and no tail that could start one comes back as the same view.
  StreamMask clean(&mask);
  const std::string_view token = "hello world";
  CHECK(clean.feed(token).data() == token.data());
  CHECK_FALSE(clean.masked());
}

TEST_CASE("URL userinfo: shown without it, its password known") {
  using llmwire::detail::url_password;
  using llmwire::detail::without_userinfo;
  CHECK(without_userinfo("http://user:pw@host:8000/v1") == "http://[REDACTED]@host:8000/v1");
  CHECK(without_userinfo("http://host:8000/v1?q=a@b") == "http://host:8000/v1?q=a@b");
  CHECK(without_userinfo("not a url") == "not a url");
  CHECK(url_password("https://me:s3cr3t-pass@h/") == "s3cr3t-pass");
  CHECK(url_password("https://me@h/").empty());
  CHECK(url_password("https://h/").empty());
}
