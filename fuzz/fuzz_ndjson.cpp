// ndjson::Decoder on arbitrary bytes: never crashes, and the lines do not depend on how the
// bytes are split into reads (first byte = read size).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "llmwire/ndjson.hpp"

namespace {

std::string lines_of(std::string_view body, std::size_t chunk) {
  llmwire::ndjson::Decoder decoder(llmwire::ndjson::DecoderOptions{.max_line_bytes = 4096});
  std::string out;
  auto handler = [&out](std::string_view line) {
    out.append(line).append("\n");
    return true;
  };
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    if (!decoder.feed(body.substr(at, chunk), handler)) {
      out += "error\n";
      break;
    }
  }
  out.append("tail:").append(decoder.finish());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t chunk = data[0] % 16 + 1;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (lines_of(body, chunk) != lines_of(body, body.size() + 1)) std::abort();
  return 0;
}
