// Request encoding: a request built from fuzz bytes (text, stop strings, extra fields, tool
// schemas, thinking) encodes for both dialects, or is refused with an error; never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "llmwire/json_parse.hpp"
#include "llmwire/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view all(reinterpret_cast<const char*>(data + 1), size - 1);
  // Three parts split at the first two 0x1e bytes: message text, `extra` JSON, a tool schema.
  const std::size_t a = std::min(all.find('\x1e'), all.size());
  const std::string_view text = all.substr(0, a);
  const std::string_view after = all.substr(std::min(a + 1, all.size()));
  const std::size_t b = std::min(after.find('\x1e'), after.size());
  llmwire::ChatRequest request{.model = std::string(text.substr(0, 16))};
  request.messages.push_back(llmwire::Message::system(std::string(text)));
  request.messages.push_back(llmwire::Message::user(std::string(text)));
  request.stop.emplace_back(text.substr(0, 4));
  constexpr llmwire::Thinking modes[] = {llmwire::Thinking::server_default, llmwire::Thinking::on,
                                         llmwire::Thinking::off, llmwire::Thinking::low};
  request.thinking = modes[data[0] & 3];
  if (data[0] & 4) request.max_tokens = static_cast<int>(data[0]) * 1000;
  if (auto extra = llmwire::json::parse(after.substr(0, b)); extra && extra->is_object()) {
    request.extra = std::move(*extra);
  }
  if (auto schema = llmwire::json::parse(after.substr(std::min(b + 1, after.size())))) {
    request.tools.push_back(llmwire::ToolSpec{.name = "f", .parameters = std::move(*schema)});
  }
  for (auto dialect : {llmwire::Dialect::openai, llmwire::Dialect::ollama}) {
    auto body = llmwire::encode_request(request, dialect);
    if (body) (void)body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return 0;
}
