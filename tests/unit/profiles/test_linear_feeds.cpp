// Held-back text is never rescanned per feed: adversarial runs (whitespace after a closer, a
// tag name with no '>', a call body with no closer) fed one byte at a time must stay linear.
// There is no timing here: each run is 4 MiB, which a linear parser reads byte by byte in
// about a second, while a parser that rescans its held-back tail on each feed makes ~8e12
// byte visits (hours; the pre-fix qwen3-coder parser did not finish 1 MiB in 60 s) and hits
// the ctest timeout. The results are checked too.

#include <doctest/doctest.h>

#include <string>

#include "parse_helpers.hpp"

using llmwire::test::run_parser;

namespace {

constexpr std::size_t big = std::size_t{4} << 20;

}  // namespace

TEST_CASE("qwen3-coder: whitespace after </parameter> fed a byte at a time is read once") {
  const std::string input = "<tool_call>\n<function=f>\n<parameter=a>\nx\n</parameter>" +
                            std::string(big, ' ') + "\n</function>\n</tool_call>after";
  auto parsed = run_parser("qwen3-coder", input, {}, 1);
  CHECK(parsed.calls == nlohmann::json::parse(R"([{"name":"f","arguments":{"a":"x"}}])"));
  CHECK(parsed.incomplete.empty());
  CHECK(parsed.content == "after");
}

TEST_CASE("qwen3-coder: whitespace after </function> fed a byte at a time is read once") {
  const std::string input = "<tool_call>\n<function=f>\n<parameter=a>\nx\n</function>" +
                            std::string(big, '\n') + "</tool_call>";
  auto parsed = run_parser("qwen3-coder", input, {}, 1);
  CHECK(parsed.calls == nlohmann::json::parse(R"([{"name":"f","arguments":{"a":"x"}}])"));
  CHECK(parsed.incomplete.empty());
}

TEST_CASE("qwen3-coder: a quoted </parameter> followed by a long run of spaces stays value text") {
  // The closer is not followed by markup, so it is part of the value; the real one ends it.
  const std::string spaces(big, ' ');
  const std::string input = "<tool_call>\n<function=f>\n<parameter=a>\nx</parameter>" + spaces +
                            "y\n</parameter>\n</function>\n</tool_call>";
  auto parsed = run_parser("qwen3-coder", input, {}, 1);
  REQUIRE(parsed.calls.size() == 1);
  CHECK(parsed.calls[0]["arguments"]["a"] == "x</parameter>" + spaces + "y");
}

TEST_CASE("qwen3-coder: a long tag name without '>' fed a byte at a time is read once") {
  const std::string name(big, 'n');
  const std::string key(big, 'k');
  const std::string input = "<tool_call>\n<function=" + name + ">\n<parameter=" + key +
                            ">\nv\n</parameter>\n</function>\n</tool_call>";
  auto parsed = run_parser("qwen3-coder", input, {}, 1);
  REQUIRE(parsed.calls.size() == 1);
  CHECK(parsed.calls[0]["name"] == name);
  CHECK(parsed.calls[0]["arguments"] == nlohmann::json{{key, "v"}});

  // Cut off inside the name: reported incomplete with the raw text, never executed.
  auto cut = run_parser("qwen3-coder", "<tool_call><function=" + name, {}, 1);
  CHECK(cut.calls.empty());
  REQUIRE(cut.incomplete.size() == 1);
  CHECK(cut.incomplete[0].raw_text == "<function=" + name);
}

TEST_CASE("hermes: a long call body fed a byte at a time is scanned once") {
  const std::string filler(big, ' ');
  const std::string input =
      "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": 1}" + filler + "}</tool_call>done";
  auto parsed = run_parser("hermes", input, {}, 1);
  CHECK(parsed.calls == nlohmann::json::parse(R"([{"name":"f","arguments":{"a":1}}])"));
  CHECK(parsed.content == "done");
}

TEST_CASE("gemma4: long reasoning, content and call bodies fed a byte at a time") {
  const std::string filler(big, ' ');
  const std::string input = "<|channel>thought\nr" + filler + "<channel|>c" + filler +
                            "<|tool_call>call:f{a:<|\"|>x" + filler + "<|\"|>}<tool_call|>";
  auto parsed = run_parser("gemma4", input, {}, 1);
  CHECK(parsed.reasoning == "r" + filler);
  CHECK(parsed.content == "c" + filler);
  REQUIRE(parsed.calls.size() == 1);
  CHECK(parsed.calls[0]["arguments"]["a"] == "x" + filler);
}
