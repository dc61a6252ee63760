#pragma once
// Shared body of the output-parser fuzzers: random text, fed whole and in random splits, must
// never crash or hang, and must give the same result either way (chunking invariance is what
// makes a parser incremental rather than "usually works").

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "llmwire/profile.hpp"

namespace llmwire_fuzz {

struct Collected {
  std::string content, reasoning, calls;
  int incomplete = 0;
  bool operator==(const Collected&) const = default;
};

inline Collected run(std::string_view parser, std::string_view text,
                     const llmwire::ParserOptions& options, std::uint32_t seed) {
  Collected out;
  auto made = llmwire::make_output_parser(parser, options);
  if (!made) __builtin_trap();
  const llmwire::EventSink sink = [&](const llmwire::Event& e) {
    if (auto* c = std::get_if<llmwire::ContentDelta>(&e)) out.content.append(c->text);
    if (auto* r = std::get_if<llmwire::ReasoningDelta>(&e)) out.reasoning.append(r->text);
    if (auto* t = std::get_if<llmwire::ToolCallComplete>(&e)) {
      if (!t->call->arguments.is_object()) __builtin_trap();
      out.calls +=
          t->call->name + '\x1f' +
          t->call->arguments.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
          '\x1e';
    }
    if (std::holds_alternative<llmwire::ToolCallIncomplete>(e)) ++out.incomplete;
    return true;
  };
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t n = text.size() - at;
    if (seed != 0) {
      seed = seed * 1103515245u + 12345u;  // a tiny LCG: reproducible splits from the input
      n = std::min<std::size_t>(n, 1 + (seed >> 16) % 9);
    }
    (*made)->feed(text.substr(at, n), sink);
    at += n;
  }
  (*made)->finish(sink);
  return out;
}

/// Byte 0 picks options, byte 1 the split seed; the rest is model text.
inline int fuzz_one(std::string_view parser, const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  llmwire::ParserOptions options;
  constexpr llmwire::Thinking modes[] = {llmwire::Thinking::server_default, llmwire::Thinking::on,
                                         llmwire::Thinking::off, llmwire::Thinking::high};
  options.thinking = modes[data[0] & 3];
  options.starts_in_reasoning = (data[0] & 4) != 0;
  if (data[0] & 8) {
    options.tools.push_back(llmwire::ToolSpec{
        .name = "f",
        .parameters =
            nlohmann::json::parse(R"({"type":"object","properties":{"a":{"type":"integer"},
          "b":{"type":["string","object"]},"c":{"type":"array","items":{"type":"number"}}}})")});
  }
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  const Collected whole = run(parser, text, options, 0);
  const Collected split = run(parser, text, options, data[1] | 1u);
  if (!(whole == split)) __builtin_trap();
  return 0;
}

}  // namespace llmwire_fuzz
