// A non-2xx body and a Retry-After value from a server: decode_error_body and
// parse_retry_after never crash or overflow (UBSan checks the arithmetic), the message is never
// empty and holds no control characters, and a delay is never negative.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "llmwire/client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const int status = 400 + data[0] % 200;
  const std::string_view rest(reinterpret_cast<const char*>(data + 2), size - 2);
  llmwire::Error error = llmwire::decode_error_body(status, rest);
  if (error.message.empty() || error.http_status != status) std::abort();
  for (char c : error.message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();
  }
  for (bool is_ms : {false, true}) {
    auto delay = llmwire::parse_retry_after(rest, is_ms);
    if (delay && delay->count() < 0) std::abort();
  }
  return 0;
}
