// Fuzzes image sniffing and preparation: arbitrary bytes never crash, hang or leak, whatever
// format they claim. Limits stay small so one input cannot take seconds to decode: 64K pixels
// reach every decoder and the resize path (max_side 64) at ~10x the rate 1M pixels allowed.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "llmwire/image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  const auto format = llmwire::image::sniff(bytes);
  (void)llmwire::image::media_type(format);
  auto out = llmwire::image::prepare_image(
      bytes, {.max_side = 64, .max_bytes = 1u << 20, .max_pixels = 1u << 16});
  if (out && out->media_type.empty()) std::abort();
  if (out && out->converted && llmwire::image::sniff(out->bytes) != llmwire::image::Format::png)
    std::abort();  // a conversion always produces a PNG
  return 0;
}
