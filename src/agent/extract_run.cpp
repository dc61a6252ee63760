// Typed extraction, the half that calls the model (needs the client).

#include <algorithm>

#include "llmwire/client.hpp"
#include "llmwire/extract.hpp"

namespace llmwire::extract {

Result<ExtractedJson> extract_json(
    Client& client, const nlohmann::json& schema, std::string_view schema_name,
    std::string_view text, const ExtractOptions& options,
    const std::function<std::string(const nlohmann::json&)>& validate) {
  ChatRequest request = build_request(schema, schema_name, text, options);
  const int attempts = std::max(1, options.max_attempts);
  std::string problem;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    auto reply = client.chat(request);
    if (!reply) return tl::unexpected(reply.error());
    if (reply->error) return tl::unexpected(*reply->error);
    // Some servers put everything in reasoning when thinking could not be switched off.
    const std::string content =
        reply->content ? *reply->content : reply->reasoning.value_or(std::string());
    auto repaired = json::repair(content);
    if (!repaired) {
      problem = "no JSON object found: " + repaired.error().message;
    } else {
      problem = validate(repaired->value);
      if (problem.empty()) {
        return ExtractedJson{.value = std::move(repaired->value),
                             .repairs = std::move(repaired->repairs),
                             .attempts = attempt};
      }
    }
    request.messages.push_back(Message::assistant(content));
    request.messages.push_back(correction_message(problem));
  }
  return fail(problem.rfind("no JSON", 0) == 0 ? ErrorKind::parse : ErrorKind::validation,
              "after " + std::to_string(attempts) + " attempt(s): " + problem);
}

}  // namespace llmwire::extract
