// Non-2xx bodies of each server → Error (see llmwire/error_body.hpp).

#include "llmwire/error_body.hpp"

#include <charconv>
#include <string>

#include "core/trim.hpp"
#include "llmwire/json_parse.hpp"
#include "llmwire/printable.hpp"

namespace llmwire {
namespace {

std::string scalar_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_null()) return {};
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A body that is not JSON (a proxy's HTML page, plain text) still says something useful.
std::string body_excerpt(std::string_view body) {
  body = detail::trim_blanks(body);
  constexpr std::size_t limit = 300;
  std::string out(body.substr(0, limit));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (body.size() > limit) out += "…";
  return out;
}

std::optional<std::int64_t> positive(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0)
    return std::nullopt;
  return it->get<std::int64_t>();
}

// The number right after `marker` in `text` ("... length is 8192 tokens").
std::optional<std::int64_t> number_after(std::string_view text, std::string_view marker) {
  const auto at = text.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  std::int64_t value = 0;
  const char* begin = text.data() + at + marker.size();
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
  if (ec != std::errc() || end == begin || value <= 0) return std::nullopt;
  return value;
}

// A context overflow's figures. llama-server sends them as fields of its error object
// (exceed_context_size_error, captured from llama-server 0.5.0); vLLM only in its message:
// "This model's maximum context length is 8192 tokens. However, you requested 31985 tokens"
// (vLLM's OpenAI serving layer).
void read_context_overflow(const nlohmann::json* fields, Error& error) {
  if (fields != nullptr) {
    error.prompt_tokens = positive(*fields, "n_prompt_tokens");
    error.context_tokens = positive(*fields, "n_ctx");
  }
  if (!error.context_tokens) {
    error.context_tokens = number_after(error.message, "maximum context length is ");
    if (error.context_tokens) error.prompt_tokens = number_after(error.message, "you requested ");
  }
}

}  // namespace

Error decode_error_body(int http_status, std::string_view body) {
  Error error{.kind = http_status == 429 ? ErrorKind::rate_limited : ErrorKind::http,
              .message = {},
              .http_status = http_status};
  try {
    auto parsed = json::parse(body);
    const nlohmann::json json = parsed ? std::move(*parsed) : nlohmann::json();
    if (json.is_object()) {
      const nlohmann::json* fields = nullptr;
      if (auto it = json.find("error"); it != json.end()) {
        if (it->is_string()) {
          error.message = it->get<std::string>();  // Ollama native: {"error":"…"}
        } else if (it->is_object()) {
          fields = &*it;  // vLLM ≥ 0.10.1, llama-server, Ollama /v1, OpenAI
        }
      } else if (json.value("object", "") == "error" || json.contains("message")) {
        fields = &json;  // older vLLM: flat {"object":"error","message",…}
      }
      if (fields != nullptr) {
        if (auto m = fields->find("message"); m != fields->end()) error.message = scalar_text(*m);
        if (auto t = fields->find("type"); t != fields->end())
          error.provider_type = scalar_text(*t);
        if (auto c = fields->find("code"); c != fields->end())
          error.provider_code = scalar_text(*c);
      }
      // FastAPI validation errors ({"detail": …}) from servers without their own handler.
      if (error.message.empty()) {
        if (auto d = json.find("detail"); d != json.end()) error.message = scalar_text(*d);
      }
      read_context_overflow(fields, error);
    }
  } catch (const nlohmann::json::exception&) {
    // Not JSON: fall through to the excerpt.
  }
  if (error.message.empty()) error.message = body_excerpt(body);
  if (error.message.empty()) {  // nothing but whitespace, or no body at all
    error.message = "HTTP " + std::to_string(http_status) + " with an empty body";
  }
  // The body is the server's text: it may hold ESC/BEL meant for whoever prints the message.
  escape_controls(error.message);
  escape_controls(error.provider_type);
  escape_controls(error.provider_code);
  return error;
}

}  // namespace llmwire
