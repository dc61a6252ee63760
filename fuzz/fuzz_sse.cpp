// sse::Decoder on arbitrary bytes: never crashes, and the events do not depend on how the
// bytes are split into reads (first byte = read size).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "llmwire/sse.hpp"

namespace {

std::string events_of(std::string_view body, std::size_t chunk) {
  llmwire::sse::Decoder decoder(llmwire::sse::DecoderOptions{.max_event_bytes = 4096});
  std::string out;
  auto handler = [&out](const llmwire::sse::Event& e) {
    out.append(e.type).append("|").append(e.data).append("|").append(e.id).append("|");
    out.append(e.error).append("\n");
    return true;
  };
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    auto ok = decoder.feed(body.substr(at, chunk), handler);
    if (!ok) {
      out += "error\n";
      break;
    }
  }
  decoder.finish();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t chunk = data[0] % 16 + 1;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (events_of(body, chunk) != events_of(body, body.size() + 1)) std::abort();
  return 0;
}
