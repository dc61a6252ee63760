// The vision test's picture: a grid of palette colours, one pixel per cell, encoded by the
// library's PNG encoder (libspng).

#include <array>
#include <cstdint>
#include <vector>

#include "bench/runner.hpp"
#ifdef LLMWIRE_HAS_IMAGES
#include "llmwire/image.hpp"
#endif

namespace llmwire::bench {

Result<std::vector<std::uint8_t>> grid_png(const VisionTest& test) {
  const std::size_t height = test.grid.size();
  const std::size_t width = height > 0 ? test.grid.front().size() : 0;
  if (width == 0) return fail(ErrorKind::invalid_argument, "the vision grid is empty");
  std::vector<std::uint8_t> rgb;
  rgb.reserve(width * height * 3);
  for (const auto& row : test.grid) {
    if (row.size() != width) {
      return fail(ErrorKind::invalid_argument, "the vision grid's rows differ in length (" +
                                                   std::to_string(row.size()) + " and " +
                                                   std::to_string(width) + ")");
    }
    for (char key : row) {
      std::array<std::uint8_t, 3> colour{255, 255, 255};
      for (const auto& entry : test.palette) {
        if (entry.key == key) colour = entry.rgb;
      }
      rgb.insert(rgb.end(), colour.begin(), colour.end());
    }
  }
#ifdef LLMWIRE_HAS_IMAGES
  return image::encode_png_rgb(rgb, static_cast<int>(width), static_cast<int>(height));
#else
  return fail(ErrorKind::unsupported, "llmwire was built without image support");
#endif
}

}  // namespace llmwire::bench
