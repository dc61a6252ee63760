#include "llmwire/result_json.hpp"

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace llmwire {
namespace {

using nlohmann::json;

json optional_string(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

json id_or_null(std::string_view id) {
  return id.empty() ? json(nullptr) : json(std::string(id));
}

std::string_view origin_name(ToolCallOrigin origin) {
  return origin == ToolCallOrigin::recovered ? "recovered" : "server";
}

json timings_json(const ServerTimings& t) {
  json out = json::object();
  auto put = [&out](const char* key, const auto& value) {
    if (value) out[key] = *value;
  };
  // Token counts are integers on the wire; they print as such.
  auto put_count = [&out](const char* key, const std::optional<double>& value) {
    if (!value) return;
    if (std::isfinite(*value) && std::floor(*value) == *value && std::fabs(*value) < 9e15) {
      out[key] = static_cast<std::int64_t>(*value);
    } else {
      out[key] = *value;
    }
  };
  put_count("prompt_n", t.prompt_n);
  put("prompt_ms", t.prompt_ms);
  put_count("predicted_n", t.predicted_n);
  put("predicted_ms", t.predicted_ms);
  put("predicted_per_second", t.predicted_per_second);
  put("total_duration", t.total_duration_ns);
  put("load_duration", t.load_duration_ns);
  put("prompt_eval_count", t.prompt_eval_count);
  put("prompt_eval_duration", t.prompt_eval_duration_ns);
  put("eval_count", t.eval_count);
  put("eval_duration", t.eval_duration_ns);
  return out;
}

json usage_json(const Usage& u) {
  json out = {{"prompt_tokens", u.prompt_tokens}, {"completion_tokens", u.completion_tokens}};
  if (u.cached_tokens) out["cached_tokens"] = *u.cached_tokens;
  return out;
}

}  // namespace

json to_json(const ChatResult& result) {
  json out = json::object();
  out["content"] = optional_string(result.content);
  out["reasoning"] = optional_string(result.reasoning);
  json calls = json::array();
  for (const ToolCall& call : result.tool_calls) {
    calls.push_back(
        {{"id", id_or_null(call.id)}, {"name", call.name}, {"arguments", call.arguments}});
  }
  out["tool_calls"] = std::move(calls);
  if (!result.incomplete_tool_calls.empty()) {
    json incomplete = json::array();
    for (const IncompleteToolCall& call : result.incomplete_tool_calls) {
      incomplete.push_back({{"name", call.name}, {"raw_text", call.raw_text}});
    }
    out["incomplete_tool_calls"] = std::move(incomplete);
  }
  out["finish_reason"] = optional_string(result.finish_reason);
  out["usage"] = result.usage ? usage_json(*result.usage) : json(nullptr);
  // "error" keeps the stream vectors' shape ({"message"}); the rest of the Error is beside it.
  out["error"] = result.error ? json{{"message", result.error->message}} : json(nullptr);
  if (result.error) {
    const Error& e = *result.error;
    json detail = {{"kind", std::string(to_string(e.kind))}};
    if (e.http_status != 0) detail["http_status"] = e.http_status;
    if (!e.provider_type.empty()) detail["type"] = e.provider_type;
    if (!e.provider_code.empty()) detail["code"] = e.provider_code;
    if (e.prompt_tokens) detail["prompt_tokens"] = *e.prompt_tokens;
    if (e.context_tokens) detail["context_tokens"] = *e.context_tokens;
    out["error_detail"] = std::move(detail);
  }
  out["server_timings"] =
      result.server_timings ? timings_json(*result.server_timings) : json(nullptr);
  out["done"] = result.done;
  if (result.cancelled) out["cancelled"] = true;
  return out;
}

json to_json(const Event& event) {
  return std::visit(
      [](const auto& e) -> json {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ContentDelta>) {
          return {{"type", "content"}, {"text", std::string(e.text)}};
        } else if constexpr (std::is_same_v<T, ReasoningDelta>) {
          return {{"type", "reasoning"}, {"text", std::string(e.text)}};
        } else if constexpr (std::is_same_v<T, ToolCallBegin>) {
          return {{"type", "tool_call_begin"},
                  {"index", e.index},
                  {"id", id_or_null(e.id)},
                  {"name", std::string(e.name)},
                  {"origin", origin_name(e.origin)}};
        } else if constexpr (std::is_same_v<T, ToolCallArgumentsDelta>) {
          return {{"type", "tool_call_arguments"},
                  {"index", e.index},
                  {"fragment", std::string(e.fragment)}};
        } else if constexpr (std::is_same_v<T, ToolCallComplete>) {
          if (e.call == nullptr) return {{"type", "tool_call"}, {"index", e.index}};
          return {{"type", "tool_call"},
                  {"index", e.index},
                  {"id", id_or_null(e.call->id)},
                  {"name", e.call->name},
                  {"arguments", e.call->arguments},
                  {"origin", origin_name(e.call->origin)}};
        } else if constexpr (std::is_same_v<T, ToolCallIncomplete>) {
          if (e.call == nullptr) return {{"type", "tool_call_incomplete"}};
          return {{"type", "tool_call_incomplete"},
                  {"name", e.call->name},
                  {"raw_text", e.call->raw_text}};
        } else if constexpr (std::is_same_v<T, UsageReport>) {
          json out = usage_json(e.usage);
          out["type"] = "usage";
          return out;
        } else if constexpr (std::is_same_v<T, ServerTimingsReport>) {
          json out = e.timings != nullptr ? timings_json(*e.timings) : json::object();
          out["type"] = "server_timings";
          return out;
        } else if constexpr (std::is_same_v<T, Finish>) {
          return {{"type", "finish"}, {"reason", std::string(e.reason)}};
        } else if constexpr (std::is_same_v<T, StreamError>) {
          if (e.error == nullptr) return {{"type", "error"}};
          return {{"type", "error"},
                  {"kind", std::string(to_string(e.error->kind))},
                  {"message", e.error->message}};
        } else {
          return {{"type", "done"}};
        }
      },
      event);
}

std::string dump_json(const json& value, int indent) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace llmwire
