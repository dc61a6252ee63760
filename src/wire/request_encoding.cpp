// ChatRequest → request body JSON, per API (FORMATS.md §1 "Request", §2 "Request").

#include <string>
#include <string_view>

#include "llmwire/request.hpp"

#ifdef LLMWIRE_HAS_IMAGES
#include "llmwire/image.hpp"
#endif

namespace llmwire {
namespace {

std::string base64(const std::vector<std::uint8_t>& bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) |
                            std::uint32_t{bytes[i + 2]};
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    std::uint32_t v = std::uint32_t{bytes[i]} << 16;
    if (rest == 2) v |= std::uint32_t{bytes[i + 1]} << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

/// An image or audio part as it goes on the wire.
struct WirePart {
  std::string base64;
  std::string media_type;
};

// THE single place where an image part is turned into wire bytes: the profile's image policy
// (EncodeOptions::image_policy → image::prepare_image) decides. By default anything that is not
// PNG is re-encoded as an opaque PNG, so an undecodable, oversized or unsupported image fails
// here, before any request, instead of drawing a silently empty answer (the seeds' BMP).
Result<WirePart> prepare_image_part(const ContentPart& part, const EncodeOptions& options) {
  if (part.bytes.empty()) return fail(ErrorKind::invalid_argument, "image part has no bytes");
#ifdef LLMWIRE_HAS_IMAGES
  auto prepared = image::prepare_image(part.bytes, image::policy_for(options.image_policy));
  if (!prepared) return tl::unexpected(prepared.error());
  return WirePart{.base64 = base64(prepared->bytes), .media_type = std::move(prepared->media_type)};
#else
  // Built without image conversion: only what every server decodes may pass.
  (void)options;
  if (part.media_type != "image/png" && part.media_type != "image/jpeg") {
    return fail(ErrorKind::unsupported, "image type '" + part.media_type +
                                            "' needs conversion, and llmwire was built without "
                                            "image support (LLMWIRE_WITH_IMAGES=OFF)");
  }
  return WirePart{.base64 = base64(part.bytes), .media_type = part.media_type};
#endif
}

Result<WirePart> prepare_audio_part(const ContentPart& part, const EncodeOptions& options) {
  if (part.bytes.empty()) return fail(ErrorKind::invalid_argument, "audio part has no bytes");
  if (!options.audio_input) {
    return fail(ErrorKind::unsupported, "this model takes no audio input (its profile says so)");
  }
  return WirePart{.base64 = base64(part.bytes), .media_type = part.media_type};
}

/// OpenAI `input_audio.format`: "wav" or "mp3" are what servers accept.
std::string audio_format(std::string_view media_type) {
  if (media_type == "audio/mpeg" || media_type == "audio/mp3") return "mp3";
  if (const auto slash = media_type.find('/'); slash != std::string_view::npos) {
    std::string_view sub = media_type.substr(slash + 1);
    if (sub == "x-wav" || sub == "wave" || sub == "vnd.wave") return "wav";
    return std::string(sub);
  }
  return "wav";
}

nlohmann::json openai_tool_call(const ToolCall& call, std::size_t index) {
  nlohmann::json out = {
      {"type", "function"},
      {"function",
       {{"name", call.name},
        {"arguments",
         call.arguments.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)}}}};
  // OpenAI requires an id on assistant tool calls; servers that sent none (recovered calls)
  // still need one that the tool result can point back to.
  out["id"] = call.id.empty() ? "call_" + std::to_string(index) : call.id;
  return out;
}

Result<nlohmann::json> openai_message(const Message& message, const EncodeOptions& options) {
  nlohmann::json out = {{"role", to_string(message.role)}};
  if (message.parts.empty()) {
    out["content"] = message.content;
  } else {
    nlohmann::json parts = nlohmann::json::array();
    if (!message.content.empty()) parts.push_back({{"type", "text"}, {"text", message.content}});
    for (const ContentPart& part : message.parts) {
      switch (part.type) {
        case ContentPart::Type::text:
          parts.push_back({{"type", "text"}, {"text", part.text}});
          break;
        case ContentPart::Type::image: {
          auto wire = prepare_image_part(part, options);
          if (!wire) return tl::unexpected(wire.error());
          parts.push_back(
              {{"type", "image_url"},
               {"image_url", {{"url", "data:" + wire->media_type + ";base64," + wire->base64}}}});
          break;
        }
        case ContentPart::Type::audio: {
          auto wire = prepare_audio_part(part, options);
          if (!wire) return tl::unexpected(wire.error());
          parts.push_back({{"type", "input_audio"},
                           {"input_audio",
                            {{"data", wire->base64}, {"format", audio_format(wire->media_type)}}}});
          break;
        }
      }
    }
    out["content"] = std::move(parts);
  }
  if (!message.tool_calls.empty()) {
    nlohmann::json calls = nlohmann::json::array();
    for (std::size_t i = 0; i < message.tool_calls.size(); ++i) {
      calls.push_back(openai_tool_call(message.tool_calls[i], i));
    }
    out["tool_calls"] = std::move(calls);
    // An assistant turn that only called tools carries null content in OpenAI's own shape.
    if (message.content.empty() && message.parts.empty()) out["content"] = nullptr;
  }
  if (message.role == Role::tool) {
    out["tool_call_id"] = message.tool_call_id;
    if (!message.name.empty()) out["name"] = message.name;
  }
  return out;
}

Result<nlohmann::json> ollama_message(const Message& message, const EncodeOptions& options) {
  // Ollama messages have one content string: extra text parts are appended to it.
  std::string content = message.content;
  nlohmann::json images = nlohmann::json::array();
  for (const ContentPart& part : message.parts) {
    switch (part.type) {
      case ContentPart::Type::text:
        if (!content.empty()) content += '\n';
        content += part.text;
        break;
      case ContentPart::Type::image: {
        auto wire = prepare_image_part(part, options);
        if (!wire) return tl::unexpected(wire.error());
        images.push_back(std::move(wire->base64));
        break;
      }
      case ContentPart::Type::audio:
        return fail(ErrorKind::unsupported,
                    "Ollama's native /api/chat takes no audio input; use the OpenAI dialect");
    }
  }
  nlohmann::json out = {{"role", to_string(message.role)}, {"content", std::move(content)}};
  if (!images.empty()) out["images"] = std::move(images);
  if (!message.tool_calls.empty()) {
    nlohmann::json calls = nlohmann::json::array();
    for (const ToolCall& call : message.tool_calls) {
      calls.push_back({{"function", {{"name", call.name}, {"arguments", call.arguments}}}});
    }
    out["tool_calls"] = std::move(calls);
  }
  if (message.role == Role::tool && !message.name.empty()) out["tool_name"] = message.name;
  return out;
}

nlohmann::json tools_json(const std::vector<ToolSpec>& tools) {
  nlohmann::json out = nlohmann::json::array();
  for (const ToolSpec& tool : tools) {
    nlohmann::json function = {{"name", tool.name}, {"parameters", tool.parameters}};
    if (!tool.description.empty()) function["description"] = tool.description;
    out.push_back({{"type", "function"}, {"function", std::move(function)}});
  }
  return out;
}

Result<nlohmann::json> encode_openai(const ChatRequest& request, const EncodeOptions& options) {
  nlohmann::json body = {{"model", request.model}, {"stream", options.stream}};
  nlohmann::json messages = nlohmann::json::array();
  for (const Message& message : request.messages) {
    auto encoded = openai_message(message, options);
    if (!encoded) return encoded;
    messages.push_back(std::move(*encoded));
  }
  body["messages"] = std::move(messages);
  if (options.stream && options.include_usage) body["stream_options"] = {{"include_usage", true}};
  if (request.max_tokens) {
    body["max_tokens"] = *request.max_tokens;
    body["max_completion_tokens"] = *request.max_tokens;
  }
  if (request.temperature) body["temperature"] = *request.temperature;
  if (request.top_p) body["top_p"] = *request.top_p;
  if (!request.stop.empty()) body["stop"] = request.stop;
  if (!request.tools.empty()) body["tools"] = tools_json(request.tools);
  if (!request.tool_choice.is_null()) body["tool_choice"] = request.tool_choice;
  if (!request.response_format.is_null()) body["response_format"] = request.response_format;
  switch (request.thinking) {
    case Thinking::server_default: break;
    case Thinking::on: body["chat_template_kwargs"] = {{"enable_thinking", true}}; break;
    case Thinking::off: body["chat_template_kwargs"] = {{"enable_thinking", false}}; break;
    case Thinking::low: body["reasoning_effort"] = "low"; break;
    case Thinking::medium: body["reasoning_effort"] = "medium"; break;
    case Thinking::high: body["reasoning_effort"] = "high"; break;
  }
  return body;
}

/// OpenAI `response_format` → Ollama `format`: a JSON schema object or the string "json".
nlohmann::json ollama_format(const nlohmann::json& response_format) {
  if (!response_format.is_object()) return response_format;  // already Ollama-shaped
  const std::string type = response_format.value("type", "");
  if (type == "json_schema" && response_format.contains("json_schema")) {
    const auto& schema = response_format["json_schema"];
    if (schema.is_object() && schema.contains("schema")) return schema["schema"];
  }
  if (type == "json_object") return "json";
  if (type == "text") return nullptr;
  return response_format;  // assume it is already a schema
}

Result<nlohmann::json> encode_ollama(const ChatRequest& request, const EncodeOptions& options) {
  nlohmann::json body = {{"model", request.model}, {"stream", options.stream}};
  nlohmann::json messages = nlohmann::json::array();
  for (const Message& message : request.messages) {
    auto encoded = ollama_message(message, options);
    if (!encoded) return encoded;
    messages.push_back(std::move(*encoded));
  }
  body["messages"] = std::move(messages);
  nlohmann::json sampling = nlohmann::json::object();
  if (request.max_tokens) sampling["num_predict"] = *request.max_tokens;
  if (request.temperature) sampling["temperature"] = *request.temperature;
  if (request.top_p) sampling["top_p"] = *request.top_p;
  if (!request.stop.empty()) sampling["stop"] = request.stop;
  if (!sampling.empty()) body["options"] = std::move(sampling);
  if (!request.tools.empty()) body["tools"] = tools_json(request.tools);
  if (!request.response_format.is_null()) {
    nlohmann::json format = ollama_format(request.response_format);
    if (!format.is_null()) body["format"] = std::move(format);
  }
  switch (request.thinking) {
    case Thinking::server_default: break;
    case Thinking::on: body["think"] = true; break;
    case Thinking::off: body["think"] = false; break;
    case Thinking::low: body["think"] = "low"; break;
    case Thinking::medium: body["think"] = "medium"; break;
    case Thinking::high: body["think"] = "high"; break;
  }
  return body;
}

}  // namespace

std::string_view request_path(Dialect dialect) noexcept {
  return dialect == Dialect::ollama ? "/api/chat" : "/v1/chat/completions";
}

Result<nlohmann::json> encode_request(const ChatRequest& request, Dialect dialect,
                                      const EncodeOptions& options) {
  if (request.model.empty()) return fail(ErrorKind::invalid_argument, "request has no model");
  if (request.messages.empty()) return fail(ErrorKind::invalid_argument, "request has no messages");
  if (!request.extra.is_null() && !request.extra.is_object()) {
    return fail(ErrorKind::invalid_argument, "request.extra must be a JSON object");
  }
  try {
    auto body = dialect == Dialect::ollama ? encode_ollama(request, options)
                                           : encode_openai(request, options);
    if (!body) return body;
    if (request.extra.is_object() && !request.extra.empty()) body->merge_patch(request.extra);
    return body;
  } catch (const nlohmann::json::exception& e) {
    // Only reachable through malformed caller-built JSON values; never let it cross the API.
    return fail(ErrorKind::invalid_argument, std::string("cannot encode request: ") + e.what());
  }
}

}  // namespace llmwire
