// The simulated model's eyes: decodes a PNG and names the colours it sees and where they are,
// so the vision test is scored against what the picture really holds.

#include <array>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "llmwire_sim/model_simulator.hpp"

// stb_image compiled privately into this one translation unit (static functions, PNG only), the
// same way the library does it for its own image room, so the simulator needs no image package.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#include <stb/stb_image.h>

namespace llmwire::sim {
namespace {

struct NamedColour {
  std::string_view name;
  int r, g, b;
};

constexpr std::array<NamedColour, 12> palette = {{{"red", 220, 30, 30},
                                                  {"green", 30, 160, 60},
                                                  {"blue", 30, 60, 220},
                                                  {"yellow", 240, 220, 30},
                                                  {"purple", 130, 40, 160},
                                                  {"orange", 245, 140, 20},
                                                  {"white", 255, 255, 255},
                                                  {"black", 0, 0, 0},
                                                  {"gray", 128, 128, 128},
                                                  {"cyan", 30, 200, 220},
                                                  {"pink", 245, 150, 190},
                                                  {"brown", 120, 70, 30}}};

std::size_t nearest(int r, int g, int b) {
  std::size_t best = 0;
  long best_distance = -1;
  for (std::size_t i = 0; i < palette.size(); ++i) {
    long dr = r - palette[i].r, dg = g - palette[i].g, db = b - palette[i].b;
    long distance = dr * dr + dg * dg + db * db;
    if (best_distance < 0 || distance < best_distance) {
      best = i;
      best_distance = distance;
    }
  }
  return best;
}

// Where a region's centre of mass lies on a 3×3 reading of the picture.
std::string position(double x, double y, int width, int height) {
  auto third = [](double v, int size) {
    return v < size / 3.0 ? 0 : (v < 2.0 * size / 3.0 ? 1 : 2);
  };
  int col = third(x, width), row = third(y, height);
  static constexpr std::array<std::string_view, 3> rows = {"top", "middle", "bottom"};
  static constexpr std::array<std::string_view, 3> cols = {"left", "center", "right"};
  if (row == 1 && col == 1) return "center";
  if (row == 1) return std::string(cols[static_cast<std::size_t>(col)]);
  if (col == 1) return std::string(rows[static_cast<std::size_t>(row)]);
  return std::string(rows[static_cast<std::size_t>(row)]) + "-" +
         std::string(cols[static_cast<std::size_t>(col)]);
}

}  // namespace

std::string describe_png(std::string_view png_bytes) {
  int width = 0, height = 0, channels = 0;
  unsigned char* pixels =
      stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png_bytes.data()),
                            static_cast<int>(png_bytes.size()), &width, &height, &channels, 3);
  if (pixels == nullptr || width <= 0 || height <= 0) {
    if (pixels != nullptr) stbi_image_free(pixels);
    return {};
  }
  struct Region {
    long count = 0;
    double sum_x = 0, sum_y = 0;
  };
  std::vector<Region> regions(palette.size());
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const unsigned char* p = pixels + 3 * (static_cast<std::size_t>(y) * width + x);
      auto& region = regions[nearest(p[0], p[1], p[2])];
      ++region.count;
      region.sum_x += x + 0.5;
      region.sum_y += y + 0.5;
    }
  }
  stbi_image_free(pixels);
  std::string text;
  int colours = 0;
  std::string sentences;
  for (std::size_t i = 0; i < palette.size(); ++i) {
    const auto& region = regions[i];
    if (region.count == 0) continue;
    ++colours;
    std::string name(palette[i].name);
    name[0] = static_cast<char>(name[0] - 'a' + 'A');
    sentences += name + " is in the " +
                 position(region.sum_x / region.count, region.sum_y / region.count, width, height) +
                 " (" + std::to_string(region.count) + " of " + std::to_string(width * height) +
                 " pixels). ";
  }
  text = "The image is a " + std::to_string(width) + "x" + std::to_string(height) + " grid with " +
         std::to_string(colours) + " colours. " + sentences;
  if (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace llmwire::sim
