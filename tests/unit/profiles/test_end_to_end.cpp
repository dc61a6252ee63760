// End to end through ResponseDecoder: a body whose content holds raw Gemma 4 tool-call text (the
// server had no tool parser, the seeds' 0/8 case) and one where the server returned structured
// tool_calls give the same ChatResult tool calls and reasoning.

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "llmwire/profile.hpp"
#include "llmwire/stream.hpp"
#include "parse_helpers.hpp"

namespace {

std::string read_data(const char* name) {
  const std::string path =
      std::string(LLMWIRE_TEST_FIXTURES_DIR) + "/../unit/profiles/data/" + name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

/// Decodes `body` in `chunk`-byte reads with the gemma4 profile's parser, as the client does.
llmwire::ChatResult decode(const std::string& body, std::size_t chunk) {
  llmwire::ResponseDecoder decoder(llmwire::Dialect::openai);
  const auto& profile = llmwire::find_profile("google/gemma-4-26B-A4B-it");
  REQUIRE(profile.output_parser == "gemma4");
  auto parser =
      llmwire::make_output_parser(profile.output_parser, {.thinking = llmwire::Thinking::on});
  REQUIRE(parser);
  decoder.set_output_parser(std::move(*parser));
  const llmwire::EventSink sink = [](const llmwire::Event&) { return true; };
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    REQUIRE(decoder.feed(std::string_view(body).substr(at, chunk), sink));
  }
  decoder.finish(sink);
  return decoder.take_result();
}

nlohmann::json calls_of(const llmwire::ChatResult& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : r.tool_calls) out.push_back({{"name", c.name}, {"arguments", c.arguments}});
  return out;
}

}  // namespace

TEST_CASE("raw Gemma 4 tool-call text and structured tool_calls give the same ChatResult calls") {
  const std::string raw_body = read_data("gemma4_raw_tool_calls.sse");
  const std::string structured_body = read_data("gemma4_structured_tool_calls.sse");
  const nlohmann::json expected = nlohmann::json::parse(R"([
    {"name": "get_weather", "arguments": {"city": "Paris, France", "unit": "celsius"}},
    {"name": "get_weather", "arguments": {"city": "Austin", "days": 3}}])");
  for (std::size_t chunk : {raw_body.size(), std::size_t{1}, std::size_t{7}, std::size_t{64}}) {
    INFO("chunk ", chunk);
    const auto raw = decode(raw_body, chunk);
    const auto structured = decode(structured_body, chunk);
    CHECK(raw.done);
    CHECK(structured.done);
    CHECK(calls_of(raw) == expected);
    CHECK(calls_of(structured) == calls_of(raw));
    CHECK(raw.incomplete_tool_calls.empty());
    REQUIRE(raw.reasoning);
    REQUIRE(structured.reasoning);
    CHECK(*raw.reasoning == *structured.reasoning);
    CHECK(llmwire::test::trim_copy(raw.content.value_or("")).empty());
    CHECK(llmwire::test::trim_copy(structured.content.value_or("")).empty());
    // Where each call came from stays visible.
    for (const auto& c : raw.tool_calls) CHECK(c.origin == llmwire::ToolCallOrigin::recovered);
    for (const auto& c : structured.tool_calls) CHECK(c.origin == llmwire::ToolCallOrigin::server);
  }
}
