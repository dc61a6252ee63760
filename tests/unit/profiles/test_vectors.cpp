// The upstream parse vectors (tests/fixtures/parse_vectors.public.jsonl) through the library:
// every strict vector must match at every chunking, and every vector (strict or not) must give
// the same result whole, in 1-byte and in 7-byte chunks. The CLI runs them too (ctest
// vectors.parse.chunk*); this test pins the library without the process boundary.

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "parse_helpers.hpp"

namespace {

using llmwire::ParserOptions;
using llmwire::Thinking;
using llmwire::ToolSpec;

std::vector<nlohmann::json> load_vectors() {
  std::ifstream in(std::string(LLMWIRE_TEST_FIXTURES_DIR) + "/parse_vectors.public.jsonl");
  REQUIRE(in);
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

ParserOptions options_for(const nlohmann::json& v, bool with_tools) {
  ParserOptions options;
  const std::string thinking = v.value("thinking", "default");
  if (thinking == "on") {
    options.thinking = Thinking::on;
    // README-vectors.md: for the <think> formats "on" means the template prefilled <think>.
    options.starts_in_reasoning = v["profile"] != "gemma4";
  }
  if (thinking == "off") options.thinking = Thinking::off;
  if (with_tools && v.contains("tools")) {
    for (const auto& t : v["tools"]) {
      const auto& fn = t.contains("function") ? t["function"] : t;
      options.tools.push_back(
          ToolSpec{.name = fn["name"].get<std::string>(),
                   .description = {},
                   .parameters = fn.value("parameters", nlohmann::json::object())});
    }
  }
  return options;
}

}  // namespace

TEST_CASE("every strict parse vector passes at chunk sizes whole, 1 and 7") {
  const auto vectors = load_vectors();
  REQUIRE(vectors.size() >= 70);
  int strict_checked = 0;
  for (const auto& v : vectors) {
    for (const bool with_tools : {false, true}) {
      if (with_tools && !v.contains("tools")) continue;
      const bool typed = with_tools && v.contains("expect_with_tools");
      const nlohmann::json& expect = typed ? v["expect_with_tools"] : v["expect"];
      const bool strict =
          typed ? v.value("strict_with_tools", v.value("strict", false)) : v.value("strict", false);
      const ParserOptions options = options_for(v, with_tools);
      const std::string input = v["input"].get<std::string>();
      const nlohmann::json whole =
          llmwire::test::run_parser(v["profile"].get<std::string>(), input, options).summary();
      for (const std::size_t chunk : {1u, 7u}) {
        const auto chunked =
            llmwire::test::run_parser(v["profile"].get<std::string>(), input, options, chunk)
                .summary();
        INFO(v["id"].get<std::string>(), " chunk ", chunk, " tools ", with_tools);
        CHECK(chunked == whole);  // chunking never changes the result, strict or not
      }
      if (!strict) continue;
      INFO(v["id"].get<std::string>(), " tools ", with_tools, "\n  got:    ", whole.dump(),
           "\n  expect: ", expect.dump());
      CHECK(llmwire::test::matches(whole, expect));
      ++strict_checked;
    }
  }
  CHECK(strict_checked >= 50);
}
