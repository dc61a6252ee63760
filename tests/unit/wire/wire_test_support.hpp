#pragma once
// Helpers shared by the wire tests: decoding a body at a given chunking, and building chunks.

#include <string>
#include <string_view>
#include <vector>

#include "llmwire/result_json.hpp"
#include "llmwire/stream.hpp"

namespace wire_test {

/// Decodes `body` fed in pieces of `chunk` bytes (0 = all at once); returns the aggregate.
inline llmwire::ChatResult decode(std::string_view body, llmwire::Dialect dialect,
                                  std::size_t chunk = 0, std::vector<std::string>* events = nullptr,
                                  llmwire::DecoderOptions options = {}) {
  llmwire::ResponseDecoder decoder(dialect, options);
  llmwire::EventSink sink = [events](const llmwire::Event& e) {
    if (events != nullptr) events->push_back(llmwire::dump_json(llmwire::to_json(e)));
    return true;
  };
  if (chunk == 0) chunk = body.empty() ? 1 : body.size();
  for (std::size_t at = 0; at < body.size(); at += chunk)
    decoder.feed(body.substr(at, chunk), sink);
  decoder.finish(sink);
  return decoder.take_result();
}

/// Decodes `body` split into exactly two reads at byte `split`.
inline llmwire::ChatResult decode_split(std::string_view body, llmwire::Dialect dialect,
                                        std::size_t split) {
  llmwire::ResponseDecoder decoder(dialect);
  decoder.feed(body.substr(0, split), {});
  decoder.feed(body.substr(split), {});
  decoder.finish({});
  return decoder.take_result();
}

/// An OpenAI SSE event carrying one content delta (JSON-escaped by nlohmann).
inline std::string content_event(std::string_view text) {
  nlohmann::json chunk = {
      {"id", "chatcmpl-1"},
      {"object", "chat.completion.chunk"},
      {"choices",
       {{{"index", 0}, {"delta", {{"content", std::string(text)}}}, {"finish_reason", nullptr}}}}};
  return "data: " + chunk.dump() + "\n\n";
}

inline std::string finish_event(std::string_view reason) {
  return "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" +
         std::string(reason) + "\"}]}\n\n";
}

inline const std::string done_event = "data: [DONE]\n\n";

}  // namespace wire_test
