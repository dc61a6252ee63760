// Token splitting and each profile's raw native rendering of tool calls and reasoning.

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "llmwire_sim/model_simulator.hpp"

namespace llmwire::sim {
namespace {

// Markers a tokenizer treats as single special tokens; a marker is never split, so a client's
// incremental parser sees them arrive whole or, across chunk boundaries, in the same pieces a
// real server would send.
constexpr std::array<std::string_view, 19> markers = {
    "<|tool_call>", "<tool_call|>", "<|\"|>",     "<|channel>",      "<channel|>",
    "<|turn>",      "<turn|>",      "<|think|>",  "<tool_call>",     "</tool_call>",
    "<think>",      "</think>",     "<function=", "</function>",     "<parameter=",
    "</parameter>", "<|tool>",      "<tool|>",    "<|tool_response>"};

std::size_t marker_at(std::string_view text, std::size_t at) {
  if (text[at] != '<') return 0;
  for (auto marker : markers) {
    if (text.substr(at, marker.size()) == marker) return marker.size();
  }
  return 0;
}

std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // A stray continuation byte: one byte, so malformed text still makes progress.
}

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

bool is_word(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}

// Gemma 4's value syntax: strings between <|"|> delimiters, no escaping; objects with bare keys.
void render_gemma4_value(const nlohmann::json& value, std::string& out) {
  if (value.is_string()) {
    out += "<|\"|>";
    out += value.get<std::string>();
    out += "<|\"|>";
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : value.items()) {  // nlohmann keeps keys sorted, as Gemma does
      if (!first) out += ',';
      first = false;
      out += key;
      out += ':';
      render_gemma4_value(item, out);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& item : value) {
      if (!first) out += ',';
      first = false;
      render_gemma4_value(item, out);
    }
    out += ']';
  } else {
    out += value.dump();
  }
}

bool is_qwen3_coder(std::string_view profile) {
  return profile == "qwen3-coder" || profile == "qwen3_coder" || profile == "nemotron" ||
         profile.starts_with("nemotron");
}

}  // namespace

std::vector<std::string> split_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  tokens.reserve(text.size() / 3 + 1);
  std::size_t at = 0;
  while (at < text.size()) {
    if (auto length = marker_at(text, at); length > 0) {
      tokens.emplace_back(text.substr(at, length));
      at += length;
      continue;
    }
    std::size_t start = at;
    if (static_cast<unsigned char>(text[at]) >= 0x80) {
      // Non-ASCII: at most two whole code points per token.
      for (int points = 0;
           points < 2 && at < text.size() && static_cast<unsigned char>(text[at]) >= 0x80;
           ++points) {
        at += utf8_length(static_cast<unsigned char>(text[at]));
      }
      at = std::min(at, text.size());
    } else if (is_space(text[at])) {
      // One leading space joins the word after it (" the"); other whitespace stands alone.
      ++at;
      if (text[start] == ' ') {
        while (at < text.size() && at - start < 6 && is_word(text[at])) ++at;
      }
    } else if (is_word(text[at])) {
      while (at < text.size() && at - start < 5 && is_word(text[at])) ++at;
    } else {
      ++at;  // Punctuation: one byte per token.
    }
    tokens.emplace_back(text.substr(start, at - start));
  }
  return tokens;
}

std::int64_t estimate_tokens(std::string_view text) {
  // Same rules as split_tokens without building strings: the prompt of the long-context test is
  // ~130 KB and is counted once per request.
  std::int64_t count = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    ++count;
    if (auto length = marker_at(text, at); length > 0) {
      at += length;
      continue;
    }
    std::size_t start = at;
    if (static_cast<unsigned char>(text[at]) >= 0x80) {
      for (int points = 0;
           points < 2 && at < text.size() && static_cast<unsigned char>(text[at]) >= 0x80;
           ++points) {
        at += utf8_length(static_cast<unsigned char>(text[at]));
      }
    } else if (is_space(text[at])) {
      ++at;
      if (text[start] == ' ') {
        while (at < text.size() && at - start < 6 && is_word(text[at])) ++at;
      }
    } else if (is_word(text[at])) {
      while (at < text.size() && at - start < 5 && is_word(text[at])) ++at;
    } else {
      ++at;
    }
  }
  return count;
}

std::string render_tool_calls(std::string_view profile, const std::vector<ToolCall>& calls) {
  std::string out;
  for (const auto& call : calls) {
    if (profile == "gemma4") {
      // Several calls are concatenated with no separator (FORMATS.md §4).
      out += "<|tool_call>call:";
      out += call.name;
      render_gemma4_value(call.arguments.is_object() ? call.arguments : nlohmann::json::object(),
                          out);
      out += "<tool_call|>";
    } else if (is_qwen3_coder(profile)) {
      out += "<tool_call>\n<function=";
      out += call.name;
      out += ">\n";
      for (const auto& [key, value] : call.arguments.items()) {
        out += "<parameter=";
        out += key;
        out += ">\n";
        out += value.is_string() ? value.get<std::string>() : value.dump();
        out += "\n</parameter>\n";
      }
      out += "</function>\n</tool_call>\n";
    } else {
      // hermes, and plain models asked for text: one JSON object per <tool_call> block.
      nlohmann::json block = {{"name", call.name}, {"arguments", call.arguments}};
      out += "<tool_call>\n";
      out += block.dump();
      out += "\n</tool_call>\n";
    }
  }
  return out;
}

std::string render_reasoning(std::string_view profile, std::string_view reasoning) {
  if (reasoning.empty()) return {};
  std::string out;
  if (profile == "gemma4") {
    out = "<|channel>thought\n";
    out += reasoning;
    out += "<channel|>";
  } else {
    out = "<think>\n";
    out += reasoning;
    out += "\n</think>\n\n";
  }
  return out;
}

}  // namespace llmwire::sim
