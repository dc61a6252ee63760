#pragma once
/// @file result_json.hpp
/// The stable JSON shapes of a decoded response, shared by `llmwire replay` and `llmwire chat
/// --json` (scripts depend on them: change only additively).
///
///     llmwire::ResponseDecoder decoder(llmwire::Dialect::openai);
///     decoder.feed(body, {});
///     decoder.finish({});
///     std::cout << llmwire::to_json(decoder.result()).dump() << '\n';

#include <nlohmann/json.hpp>

#include "llmwire/chat.hpp"
#include "llmwire/events.hpp"

namespace llmwire {

/// The aggregate: `{"content": str|null, "reasoning": str|null, "tool_calls": [{"id": str|null,
/// "name": str, "arguments": object}], "finish_reason": str|null, "usage": {"prompt_tokens": int,
/// "completion_tokens": int, "cached_tokens": int (when the server said)}|null, "error":
/// {"message": str}|null, "server_timings": object|null, "done": bool}`, plus
/// `"incomplete_tool_calls": [{"name": str, "raw_text": str}]` when there are any, `"error_detail":
/// {"kind", "http_status", "type", "code", "prompt_tokens", "context_tokens"}` (those known) with
/// an error, and `"cancelled": true`. The server's timings are those it sent (llama-server
/// `timings`, Ollama's durations); the client's own timings are not included (the client adds
/// them).
[[nodiscard]] nlohmann::json to_json(const ChatResult& result);

/// One event as one JSON object with a "type" member: "content" {text}, "reasoning" {text},
/// "tool_call_begin" {index, id, name, origin}, "tool_call_arguments" {index, fragment},
/// "tool_call" {index, id, name, arguments, origin}, "tool_call_incomplete" {name, raw_text},
/// "usage" {prompt_tokens, completion_tokens}, "server_timings" {…fields sent…},
/// "finish" {reason}, "error" {kind, message}, "done" {}.
[[nodiscard]] nlohmann::json to_json(const Event& event);

/// Serializes with invalid UTF-8 replaced by U+FFFD instead of throwing (nlohmann's default).
[[nodiscard]] std::string dump_json(const nlohmann::json& value, int indent = -1);

}  // namespace llmwire
