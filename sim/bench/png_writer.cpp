// A tiny PNG writer for the bench's generated pictures (10×10 pixels): stored (uncompressed)
// deflate blocks keep it dependency-free and obviously correct.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "llmwire_sim/bench/runner.hpp"

namespace llmwire::bench {
namespace {

std::uint32_t crc32(const std::string& data, std::size_t from) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = from; i < data.size(); ++i) {
    c = table[(c ^ static_cast<std::uint8_t>(data[i])) & 0xFF] ^ (c >> 8);
  }
  return c ^ 0xFFFFFFFFu;
}

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

void chunk(std::string& png, const char* type, const std::string& data) {
  put32(png, static_cast<std::uint32_t>(data.size()));
  std::size_t start = png.size();
  png += type;
  png += data;
  put32(png, crc32(png, start));
}

}  // namespace

std::string encode_png_rgb(int width, int height, const std::vector<std::uint8_t>& rgb) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string header;
  put32(header, static_cast<std::uint32_t>(width));
  put32(header, static_cast<std::uint32_t>(height));
  header += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit, RGB, deflate, filter 0, no interlace
  chunk(png, "IHDR", header);

  std::string raw;  // each row: filter byte 0, then RGB
  for (int y = 0; y < height; ++y) {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char*>(rgb.data()) + static_cast<std::size_t>(y) * width * 3,
               static_cast<std::size_t>(width) * 3);
  }
  std::string z = "\x78\x01";  // zlib header, no compression
  std::size_t at = 0;
  do {
    std::size_t n = std::min<std::size_t>(65535, raw.size() - at);
    bool last = at + n == raw.size();
    z.push_back(last ? '\x01' : '\x00');
    z.push_back(static_cast<char>(n & 0xFF));
    z.push_back(static_cast<char>(n >> 8));
    z.push_back(static_cast<char>(~n & 0xFF));
    z.push_back(static_cast<char>((~n >> 8) & 0xFF));
    z.append(raw, at, n);
    at += n;
  } while (at < raw.size());
  std::uint32_t a = 1, b = 0;  // Adler-32 of the uncompressed data
  for (char c : raw) {
    a = (a + static_cast<std::uint8_t>(c)) % 65521;
    b = (b + a) % 65521;
  }
  put32(z, (b << 16) | a);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  return png;
}

std::string grid_png(const VisionTest& test) {
  int height = static_cast<int>(test.grid.size());
  int width = height > 0 ? static_cast<int>(test.grid.front().size()) : 0;
  std::vector<std::uint8_t> rgb;
  rgb.reserve(static_cast<std::size_t>(width * height * 3));
  for (const auto& row : test.grid) {
    for (char key : row) {
      std::array<std::uint8_t, 3> colour{255, 255, 255};
      for (const auto& entry : test.palette) {
        if (entry.key == key) colour = entry.rgb;
      }
      rgb.insert(rgb.end(), colour.begin(), colour.end());
    }
  }
  return encode_png_rgb(width, height, rgb);
}

}  // namespace llmwire::bench
