// Ollama native /api/chat NDJSON lines, FORMATS.md §2.

#include <nlohmann/json.hpp>

#include "llmwire/json_parse.hpp"
#include "wire/dialect.hpp"
#include "wire/utf8.hpp"

namespace llmwire::wire {
namespace {

using nlohmann::json;

std::optional<std::int64_t> int_member(const json& object, const char* key) {
  auto value = number_member(object, key);
  return value ? std::optional(saturate_int64(*value)) : std::nullopt;
}

bool handle_message(const json& message, WireSink& out) {
  if (const std::string* thinking = string_member(message, "thinking")) {
    if (!out.reasoning(*thinking)) return false;
  }
  if (const std::string* content = string_member(message, "content")) {
    if (!out.content(*content)) return false;
  }
  auto calls = message.find("tool_calls");
  if (calls == message.end() || !calls->is_array()) return true;
  for (const json& entry : *calls) {
    if (!entry.is_object()) continue;
    ToolCall call;
    if (const std::string* id = string_member(entry, "id")) call.id = *id;
    auto fn = entry.find("function");
    if (fn == entry.end() || !fn->is_object()) continue;
    if (const std::string* name = string_member(*fn, "name")) call.name = *name;
    if (auto args = fn->find("arguments"); args != fn->end()) {
      if (args->is_object()) {
        call.arguments = *args;
      } else if (args->is_string()) {
        // Not what Ollama sends today, but a string holding an object is unambiguous.
        auto parsed = llmwire::json::parse(args->get_ref<const std::string&>());
        if (parsed && parsed->is_object()) call.arguments = std::move(*parsed);
      }
    }
    if (!out.tool_call(std::move(call))) return false;
  }
  return true;
}

}  // namespace

bool decode_ollama_line(std::string_view line, bool lenient_tail, std::string& scratch,
                        WireSink& out) {
  if (!is_valid_utf8(line)) {
    scratch.clear();
    append_sanitized_utf8(scratch, line);
    line = scratch;
  }
  auto parsed = llmwire::json::parse(line, {.replace_unrepresentable = true});
  if (!parsed || !parsed->is_object()) {
    if (lenient_tail) return true;  // a cut-off last line: the body was truncated
    std::string preview;
    append_sanitized_utf8(preview, line.substr(0, 80));
    std::string why = parsed ? "not a JSON object" : parsed.error().message;
    return out.error(
        make_error(ErrorKind::parse, "malformed NDJSON line (" + why + "): " + preview));
  }
  const json& object = *parsed;
  try {
    if (auto it = object.find("error"); it != object.end() && !it->is_null()) {
      return out.error(error_from_json(*it));
    }
    if (auto it = object.find("message"); it != object.end() && it->is_object()) {
      if (!handle_message(*it, out)) return false;
    }
    auto done = object.find("done");
    if (done == object.end() || !done->is_boolean() || !done->get<bool>()) return true;
    if (const std::string* reason = string_member(object, "done_reason")) {
      if (!out.finish_reason(*reason)) return false;
    }
    ServerTimings timings;
    timings.total_duration_ns = int_member(object, "total_duration");
    timings.load_duration_ns = int_member(object, "load_duration");
    timings.prompt_eval_count = int_member(object, "prompt_eval_count");
    timings.prompt_eval_duration_ns = int_member(object, "prompt_eval_duration");
    timings.eval_count = int_member(object, "eval_count");
    timings.eval_duration_ns = int_member(object, "eval_duration");
    // Ollama omits zero counts; its own OpenAI layer (openai.ToUsage) maps them like this.
    Usage usage{.prompt_tokens = timings.prompt_eval_count.value_or(0),
                .completion_tokens = timings.eval_count.value_or(0)};
    if (!out.usage(usage)) return false;
    if (!out.server_timings(timings)) return false;
    return out.done();
  } catch (const json::exception& e) {
    return out.error(
        make_error(ErrorKind::parse, std::string("unexpected line shape: ") + e.what()));
  }
}

}  // namespace llmwire::wire
