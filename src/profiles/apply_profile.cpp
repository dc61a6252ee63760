// apply_profile: a profile's request edits and thinking toggle, per API flavor.

#include <algorithm>
#include <string>

#include "llmwire/profile.hpp"

namespace llmwire {

namespace {

/// Objects merge key by key (recursively); anything else replaces.
void merge_into(nlohmann::json& target, const nlohmann::json& patch) {
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    auto existing = target.find(it.key());
    if (existing != target.end() && existing->is_object() && it->is_object()) {
      merge_into(*existing, *it);
    } else {
      target[it.key()] = *it;
    }
  }
}

void append_stops(nlohmann::json& holder, const char* key, const std::vector<std::string>& stops) {
  if (stops.empty()) return;
  nlohmann::json& stop = holder[key];
  if (stop.is_string()) stop = nlohmann::json::array({stop});
  if (!stop.is_array()) stop = nlohmann::json::array();
  for (const auto& s : stops) {
    if (std::find(stop.begin(), stop.end(), nlohmann::json(s)) == stop.end()) stop.push_back(s);
  }
}

bool is_level(Thinking t) {
  return t == Thinking::low || t == Thinking::medium || t == Thinking::high;
}

const char* level_name(Thinking t) {
  switch (t) {
    case Thinking::low: return "low";
    case Thinking::high: return "high";
    default: return "medium";
  }
}

}  // namespace

Result<void> apply_profile(nlohmann::json& body, const ChatRequest& request, ApiFlavor flavor,
                           const Profile& profile) {
  if (!body.is_object())
    return fail(ErrorKind::invalid_argument, "request body is not a JSON object");
  const Capabilities& caps = profile.capabilities;
  for (const auto& message : request.messages) {
    for (const auto& part : message.parts) {
      if (part.type == ContentPart::Type::audio && !caps.audio) {
        return fail(
            ErrorKind::unsupported,
            "profile '" + profile.name + "' does not take audio input (Gemma 4: only E2B/E4B do)");
      }
      if (part.type == ContentPart::Type::image && !caps.vision) {
        return fail(ErrorKind::unsupported, "profile '" + profile.name + "' does not take images");
      }
    }
  }
  if (!request.tools.empty() && !caps.tools) {
    return fail(ErrorKind::unsupported, "profile '" + profile.name + "' does not support tools");
  }

  // Edits first, so the request's own thinking choice below wins over a profile's defaults.
  switch (flavor) {
    case ApiFlavor::openai_compatible: merge_into(body, profile.request_edits.openai); break;
    case ApiFlavor::ollama_native: merge_into(body, profile.request_edits.ollama); break;
    case ApiFlavor::ollama_openai: merge_into(body, profile.request_edits.ollama_openai); break;
  }
  if (flavor == ApiFlavor::ollama_native) {
    if (!profile.request_edits.stop.empty()) {
      nlohmann::json& options = body["options"];
      if (!options.is_object()) options = nlohmann::json::object();
      append_stops(options, "stop", profile.request_edits.stop);
    }
  } else {
    append_stops(body, "stop", profile.request_edits.stop);
  }

  Thinking thinking = request.thinking;
  if (thinking == Thinking::server_default) {
    // Where the server's default differs from the template's (Gemma 4 on Ollama thinks and can
    // spend the whole budget on it), say what the template would do.
    if (flavor != ApiFlavor::ollama_native || !profile.thinking.always_send_on_ollama) return {};
    thinking = profile.thinking.default_on ? Thinking::on : Thinking::off;
  }
  if (!caps.thinking) {
    if (thinking == Thinking::off) return {};  // nothing to switch off
    return fail(ErrorKind::unsupported, "profile '" + profile.name + "' does not think");
  }
  const bool on = thinking != Thinking::off;
  switch (flavor) {
    case ApiFlavor::openai_compatible: {
      nlohmann::json& kwargs = body["chat_template_kwargs"];
      if (!kwargs.is_object()) kwargs = nlohmann::json::object();
      kwargs["enable_thinking"] = on;
      break;
    }
    case ApiFlavor::ollama_native:
      if (is_level(thinking) && profile.thinking.levels) {
        body["think"] = level_name(thinking);
      } else {
        body["think"] = on;
      }
      break;
    case ApiFlavor::ollama_openai:
      // Ollama /v1 maps "none" to think=false and any level to thinking on.
      body["reasoning_effort"] = !on ? "none" : level_name(thinking);
      break;
  }
  return {};
}

ParserOptions parser_options_for(const ChatRequest& request, const Profile& /*profile*/) {
  // Thinking passes through as asked, and the output is never assumed to start inside
  // `<think>`: a server-side reasoning parser may already have taken the reasoning out of the
  // content, and then every answer would be misread as reasoning.
  return ParserOptions{
      .thinking = request.thinking, .starts_in_reasoning = false, .tools = request.tools};
}

}  // namespace llmwire
