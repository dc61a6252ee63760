// Typed extraction, the curl-free half: issue formatting and the extraction request.

#include <string>

#include "llmwire/extract.hpp"

namespace llmwire::extract {

namespace detail {

std::string join_path(const std::string& base, std::string_view name) {
  return base.empty() ? std::string(name) : base + "." + std::string(name);
}

std::string index_path(const std::string& base, std::size_t index) {
  return base + "[" + std::to_string(index) + "]";
}

void mistyped(std::vector<Issue>& issues, const std::string& path, std::string expected,
              const nlohmann::json& got) {
  issues.push_back({Issue::Kind::mistyped, path, std::move(expected), got.type_name()});
}

}  // namespace detail

std::string describe(const std::vector<Issue>& issues) {
  std::string missing, mistyped;
  for (const Issue& issue : issues) {
    if (issue.kind == Issue::Kind::missing) {
      missing += (missing.empty() ? "" : ", ") + issue.path;
    } else {
      mistyped += (mistyped.empty() ? "" : ", ") + issue.path + " (expected " + issue.expected +
                  ", got " + issue.got + ")";
    }
  }
  std::string out;
  if (!missing.empty()) out = "missing: " + missing;
  if (!mistyped.empty()) out += (out.empty() ? "" : "; ") + std::string("mistyped: ") + mistyped;
  return out;
}

ChatRequest build_request(const nlohmann::json& schema, std::string_view schema_name,
                          std::string_view text, const ExtractOptions& options) {
  std::string system = options.instructions.empty()
                           ? "Extract the requested information from the user's text."
                           : options.instructions;
  // The schema goes into the prompt in both modes: servers that enforce response_format still
  // produce better values when the model reads the field descriptions, and servers that
  // ignore it have nothing else to go by.
  system +=
      "\n\nReply with one JSON object and nothing else: no prose, no markdown fences. It must "
      "match this JSON Schema (fields marked required must be present; use [] for lists "
      "with no items):\n";
  system += schema.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  ChatRequest request;
  request.model = options.model;
  request.messages = {Message::system(std::move(system)), Message::user(std::string(text))};
  request.max_tokens = options.max_tokens;
  request.temperature = options.temperature;
  request.thinking = options.thinking;
  if (options.mode == SchemaMode::response_format) {
    std::string name(schema_name.empty() ? "result" : schema_name);
    request.response_format = {
        {"type", "json_schema"},
        {"json_schema", {{"name", std::move(name)}, {"strict", true}, {"schema", schema}}}};
  }
  return request;
}

Message correction_message(std::string_view problem) {
  return Message::user("That reply was not usable (" + std::string(problem) +
                       "). Reply again with only the corrected JSON object.");
}

}  // namespace llmwire::extract
