// Decoded pictures as the image room passes them between its decoders and convert.cpp, and the
// one pixel-budget rule every decoder applies before it allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llmwire/error.hpp"

namespace llmwire::image::detail {

/// RGBA pixels, 8 bits per channel, rows top to bottom.
struct DecodedPixels {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
};

/// Whether a header's dimensions fit the budget: checked before any pixel buffer exists, so a
/// small file that claims a huge picture costs nothing.
[[nodiscard]] inline bool within_pixel_budget(long long width, long long height,
                                              std::size_t max_pixels) noexcept {
  return width > 0 && height > 0 &&
         static_cast<unsigned long long>(width) * static_cast<unsigned long long>(height) <=
             max_pixels;
}

[[nodiscard]] inline Error pixel_budget_error(std::string_view format, long long width,
                                              long long height, std::size_t max_pixels) {
  return Error{ErrorKind::invalid_argument, "the " + std::string(format) + " image is " +
                                                std::to_string(width) + "x" +
                                                std::to_string(height) + " pixels; the limit is " +
                                                std::to_string(max_pixels) + " pixels"};
}

}  // namespace llmwire::image::detail
