#pragma once
/// @file request.hpp
/// Request encoding: ChatRequest → the JSON body each API expects. Transport-free, so host apps
/// that bring their own HTTP stack can use it together with ResponseDecoder (stream.hpp).
///
///     auto body = llmwire::encode_request(request, llmwire::Dialect::openai);
///     if (!body) return body.error();
///     my_http_post(base_url + std::string(llmwire::request_path(llmwire::Dialect::openai)),
///                  body->dump());

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "llmwire/chat.hpp"
#include "llmwire/error.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/stream.hpp"

namespace llmwire {

struct EncodeOptions {
  bool stream = true;  ///< Ask for a streamed response (SSE / NDJSON).
  /// OpenAI dialect, streaming only: send `stream_options: {"include_usage": true}` so token
  /// counts come from the server (vLLM, llama-server, SGLang and Ollama /v1 all honour it).
  bool include_usage = true;
  /// What images become on the wire: the model profile's policy (Profile::image). The default
  /// re-encodes anything that is not PNG as an opaque PNG (image.hpp); an image that cannot be
  /// decoded, is too large or unsupported fails encoding, before any request is sent.
  ImagePolicy image_policy{};
  /// Whether the model takes audio (Profile::capabilities.audio); false makes an audio part
  /// ErrorKind::unsupported.
  bool audio_input = true;
};

/// The path appended to a base URL for `dialect`: "/v1/chat/completions" or "/api/chat".
[[nodiscard]] std::string_view request_path(Dialect dialect) noexcept;

/// Builds the chat request body for `dialect`. `request.extra` is merged last (JSON merge
/// patch, so a `null` there removes a key llmwire would have sent).
///
/// OpenAI: `max_tokens` and `max_completion_tokens` are both sent with the same value — vLLM
/// prefers the latter, Ollama /v1 and llama-server read only the former. Images become
/// `image_url` data URIs, audio `input_audio`. Thinking: on/off → `chat_template_kwargs.
/// enable_thinking`, low/medium/high → `reasoning_effort` (a profile may rewrite this).
///
/// Ollama native: sampling goes into `options` (`num_predict`, `temperature`, `top_p`, `stop`),
/// images are raw base64 in `message.images`, tool-call arguments are objects, thinking is
/// `think`, `response_format` becomes `format`. Audio is not supported there
/// (ErrorKind::unsupported).
[[nodiscard]] Result<nlohmann::json> encode_request(const ChatRequest& request, Dialect dialect,
                                                    const EncodeOptions& options = {});

}  // namespace llmwire
