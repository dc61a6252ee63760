#pragma once
// Test helpers: build images in memory (PNG/JPEG/BMP via stb_image_write, CMYK JPEG via
// libjpeg, 32-bit BMP and GIF by hand) and decode what llmwire produced (libspng).

#include <cstdint>
#include <string>
#include <vector>

namespace test_image {

struct Rgba {
  std::uint8_t r, g, b, a;
};

/// A decoded PNG: always expanded to RGBA8; `color_type` is the IHDR's (2 = RGB, 6 = RGBA).
struct Decoded {
  int width = 0, height = 0, color_type = -1;
  std::vector<std::uint8_t> rgba;
  [[nodiscard]] Rgba at(int x, int y) const {
    const std::size_t i = (static_cast<std::size_t>(y) * width + x) * 4;
    return {rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]};
  }
};

std::vector<std::uint8_t> write_png(int w, int h, int channels,
                                    const std::vector<std::uint8_t>& px);
std::vector<std::uint8_t> write_jpeg(int w, int h, const std::vector<std::uint8_t>& rgb,
                                     int quality);
/// A four-channel JPEG (libjpeg, with the Adobe marker libjpeg writes for CMYK) from CMYK bytes
/// stored as Adobe stores them: inverted, 255 = no ink.
std::vector<std::uint8_t> write_cmyk_jpeg(int w, int h, const std::vector<std::uint8_t>& cmyk);
std::vector<std::uint8_t> write_bmp24(int w, int h, const std::vector<std::uint8_t>& rgb);
/// A 32-bit BI_RGB BMP (bottom-up, BGRA) from RGBA pixels.
std::vector<std::uint8_t> write_bmp32(int w, int h, const std::vector<std::uint8_t>& rgba);
/// A GIF89a with a global palette of up to 4 colours and one index per pixel.
std::vector<std::uint8_t> write_gif(int w, int h, const std::vector<Rgba>& palette,
                                    const std::vector<std::uint8_t>& indices);
/// Decodes a PNG with libspng; width 0 on failure.
Decoded decode_png(const std::vector<std::uint8_t>& png);
/// Standard base64 decoding (for data URIs in encoded requests).
std::vector<std::uint8_t> base64_decode(const std::string& text);

}  // namespace test_image
