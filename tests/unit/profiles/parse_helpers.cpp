#include "parse_helpers.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace llmwire::test {

namespace {

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

nlohmann::json text_or_null(const std::string& s) {
  const std::string t = trimmed(s);
  return t.empty() ? nlohmann::json(nullptr) : nlohmann::json(t);
}

std::string norm_text(const nlohmann::json& v) {
  return v.is_string() ? trimmed(v.get<std::string>()) : std::string();
}

}  // namespace

std::string trim_copy(std::string_view s) {
  return trimmed(std::string(s));
}

nlohmann::json Parsed::summary() const {
  return {{"content", text_or_null(content)},
          {"reasoning", text_or_null(reasoning)},
          {"tool_calls", calls}};
}

Parsed run_parser(std::string_view parser, std::string_view input, const ParserOptions& options,
                  std::size_t chunk) {
  Parsed out;
  auto made = make_output_parser(parser, options);
  REQUIRE(made);
  const EventSink sink = [&](const Event& event) {
    ++out.events;
    if (const auto* c = std::get_if<ContentDelta>(&event)) {
      out.content.append(c->text);
    } else if (const auto* r = std::get_if<ReasoningDelta>(&event)) {
      out.reasoning.append(r->text);
    } else if (const auto* b = std::get_if<ToolCallBegin>(&event)) {
      out.begin_indexes.push_back(b->index);
      out.all_recovered = out.all_recovered && b->origin == ToolCallOrigin::recovered;
    } else if (const auto* done = std::get_if<ToolCallComplete>(&event)) {
      out.complete_indexes.push_back(done->index);
      out.all_recovered = out.all_recovered && done->call->origin == ToolCallOrigin::recovered;
      CHECK(done->call->arguments.is_object());
      out.calls.push_back({{"name", done->call->name}, {"arguments", done->call->arguments}});
    } else if (const auto* cut = std::get_if<ToolCallIncomplete>(&event)) {
      out.incomplete.push_back(*cut->call);
    }
    return true;
  };
  const std::size_t step = chunk == 0 ? std::max<std::size_t>(input.size(), 1) : chunk;
  for (std::size_t at = 0; at < input.size(); at += step)
    (*made)->feed(input.substr(at, step), sink);
  (*made)->finish(sink);
  return out;
}

bool json_equal(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_boolean() || b.is_boolean()) return a.is_boolean() && b.is_boolean() && a == b;
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    return x == y || std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !json_equal(*it, *other)) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!json_equal(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

bool matches(const nlohmann::json& summary, const nlohmann::json& expect) {
  if (norm_text(summary["content"]) != norm_text(expect.value("content", nlohmann::json())))
    return false;
  if (norm_text(summary["reasoning"]) != norm_text(expect.value("reasoning", nlohmann::json())))
    return false;
  const nlohmann::json want = expect.value("tool_calls", nlohmann::json::array());
  const nlohmann::json& got = summary["tool_calls"];
  if (want.size() != got.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i]["name"] != got[i]["name"] ||
        !json_equal(want[i]["arguments"], got[i]["arguments"])) {
      return false;
    }
  }
  return true;
}

}  // namespace llmwire::test
