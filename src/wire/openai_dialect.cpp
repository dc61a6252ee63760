// OpenAI chat-completion chunks (vLLM, llama-server, SGLang, Ollama /v1), FORMATS.md §1.

#include <nlohmann/json.hpp>

#include "llmwire/json_parse.hpp"
#include "wire/dialect.hpp"
#include "wire/utf8.hpp"

namespace llmwire::wire {
namespace {

using nlohmann::json;

std::int64_t int_member(const json& object, const char* key) {
  auto value = number_member(object, key);
  return value ? saturate_int64(*value) : 0;
}

std::string short_preview(std::string_view data) {
  constexpr std::size_t max = 80;
  std::string out;
  append_sanitized_utf8(out, data.substr(0, max));
  if (data.size() > max) out += "…";
  return out;
}

bool handle_choice(const json& choice, WireSink& out) {
  if (!choice.is_object()) return true;
  if (auto index = number_member(choice, "index"); index && *index != 0) {
    return true;  // n > 1: llmwire aggregates the first choice only
  }
  auto delta_it = choice.find("delta");
  // A non-streamed completion (a server that ignored "stream": true) has the whole answer as
  // "message", in the same shape as a delta.
  if (delta_it == choice.end()) delta_it = choice.find("message");
  if (delta_it != choice.end() && delta_it->is_object()) {
    const json& delta = *delta_it;
    // vLLM 0.11–0.15 sends `reasoning` and `reasoning_content` with the same text: read one.
    const std::string* reasoning = string_member(delta, "reasoning");
    if (reasoning == nullptr) reasoning = string_member(delta, "reasoning_content");
    if (reasoning != nullptr && !out.reasoning(*reasoning)) return false;
    if (const std::string* content = string_member(delta, "content")) {
      if (!out.content(*content)) return false;
    }
    auto calls_it = delta.find("tool_calls");
    if (calls_it != delta.end() && calls_it->is_array()) {
      int position = 0;
      for (const json& call : *calls_it) {
        if (!call.is_object()) continue;
        int index = position++;
        if (auto i = number_member(call, "index")) index = saturate_int(*i);
        std::optional<std::string_view> id;
        std::optional<std::string_view> name;
        std::string arguments_text;
        std::string_view arguments;
        if (const std::string* s = string_member(call, "id")) id = *s;
        auto fn = call.find("function");
        if (fn != call.end() && fn->is_object()) {
          if (const std::string* s = string_member(*fn, "name")) name = *s;
          auto args = fn->find("arguments");
          if (args != fn->end()) {
            if (args->is_string()) {
              arguments = args->get_ref<const std::string&>();
            } else if (args->is_object()) {
              // Some servers send a whole call with object arguments: treat it as its text.
              arguments_text = args->dump(-1, ' ', false, json::error_handler_t::replace);
              arguments = arguments_text;
            }
          }
        }
        if (!out.tool_fragment(index, id, name, arguments)) return false;
      }
    }
  }
  if (const std::string* reason = string_member(choice, "finish_reason")) {
    if (!out.finish_reason(*reason)) return false;
  }
  return true;
}

}  // namespace

bool OpenAIChunkDecoder::decode(std::string_view data, WireSink& out) {
  bool handled = false;
  bool go_on = fast_path_enabled ? try_fast(data, out, handled) : true;
  if (handled) {
    ++fast_path_count;
    return go_on;
  }
  ++slow_path_count;
  return decode_slow(data, out);
}

bool OpenAIChunkDecoder::decode_slow(std::string_view data, WireSink& out) {
  if (!is_valid_utf8(data)) {
    // nlohmann rejects invalid UTF-8 inside strings; the rule is U+FFFD, not a lost chunk.
    sanitized_.clear();
    append_sanitized_utf8(sanitized_, data);
    data = sanitized_;
  }
  auto parsed = llmwire::json::parse(data, {.replace_unrepresentable = true});
  if (!parsed || !parsed->is_object()) {
    std::string why = parsed ? "not a JSON object" : parsed.error().message;
    return out.error(make_error(ErrorKind::parse,
                                "malformed stream chunk (" + why + "): " + short_preview(data)));
  }
  const json& chunk = *parsed;
  try {
    if (auto it = chunk.find("error"); it != chunk.end() && !it->is_null()) {
      return out.error(error_from_json(*it));
    }
    if (const std::string* object = string_member(chunk, "object"); object && *object == "error") {
      return out.error(error_from_json(chunk));
    }
    if (auto it = chunk.find("choices"); it != chunk.end() && it->is_array()) {
      for (const json& choice : *it) {
        if (!handle_choice(choice, out)) return false;
      }
    }
    if (auto it = chunk.find("usage"); it != chunk.end() && it->is_object()) {
      Usage usage{.prompt_tokens = int_member(*it, "prompt_tokens"),
                  .completion_tokens = int_member(*it, "completion_tokens")};
      if (auto details = it->find("prompt_tokens_details");
          details != it->end() && details->is_object()) {
        if (auto cached = details->find("cached_tokens"); cached != details->end() &&
                                                          cached->is_number_integer() &&
                                                          cached->get<std::int64_t>() >= 0)
          usage.cached_tokens = cached->get<std::int64_t>();
      }
      if (!out.usage(usage)) return false;
    }
    if (auto it = chunk.find("timings"); it != chunk.end() && it->is_object()) {
      ServerTimings timings;
      timings.prompt_n = number_member(*it, "prompt_n");
      timings.prompt_ms = number_member(*it, "prompt_ms");
      timings.predicted_n = number_member(*it, "predicted_n");
      timings.predicted_ms = number_member(*it, "predicted_ms");
      timings.predicted_per_second = number_member(*it, "predicted_per_second");
      if (!out.server_timings(timings)) return false;
    }
  } catch (const json::exception& e) {
    return out.error(
        make_error(ErrorKind::parse, std::string("unexpected chunk shape: ") + e.what()));
  }
  return true;
}

bool OpenAIChunkDecoder::decode_error_field(std::string_view value, WireSink& out) {
  std::string text;
  append_sanitized_utf8(text, value);
  auto decoded = llmwire::json::parse(text);
  if (!decoded) return out.error(make_error(ErrorKind::server, text));
  const json& parsed = *decoded;
  if (parsed.is_object()) {
    if (auto it = parsed.find("error"); it != parsed.end() && !it->is_null()) {
      return out.error(error_from_json(*it));
    }
  }
  return out.error(error_from_json(parsed));
}

}  // namespace llmwire::wire
