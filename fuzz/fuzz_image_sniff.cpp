// Fuzzes image sniffing and preparation: arbitrary bytes never crash, hang or leak, whatever
// format they claim. Limits stay small so one input cannot take long to decode: 4096 pixels
// (64x64) still hold several JPEG MCUs, GIF frames and BMP rows, so every decoder path is
// reachable, and max_side 32 sends larger pictures through the resize path; the decode cost of
// bigger pictures only slowed the search (64K pixels ran ~500 executions/s a worker).

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
      bytes, {.max_side = 32, .max_bytes = 1u << 20, .max_pixels = 1u << 12});
  if (out && out->media_type.empty()) std::abort();
  if (out && out->converted && llmwire::image::sniff(out->bytes) != llmwire::image::Format::png)
    std::abort();  // a conversion always produces a PNG
  return 0;
}
