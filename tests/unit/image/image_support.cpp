#include "image_support.hpp"

#include <jpeglib.h>
#include <spng.h>

#include <cstdio>  // before jpeglib.h, which uses FILE
#include <cstdlib>
#include <memory>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

namespace test_image {

namespace {

void append(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(context);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), bytes, bytes + size);
}

void put16(std::vector<std::uint8_t>& v, unsigned x) {
  v.push_back(static_cast<std::uint8_t>(x & 0xFF));
  v.push_back(static_cast<std::uint8_t>((x >> 8) & 0xFF));
}
void put32(std::vector<std::uint8_t>& v, unsigned x) {
  put16(v, x & 0xFFFF);
  put16(v, x >> 16);
}

}  // namespace

std::vector<std::uint8_t> write_png(int w, int h, int channels,
                                    const std::vector<std::uint8_t>& px) {
  std::vector<std::uint8_t> out;
  stbi_write_png_to_func(append, &out, w, h, channels, px.data(), w * channels);
  return out;
}

std::vector<std::uint8_t> write_jpeg(int w, int h, const std::vector<std::uint8_t>& rgb,
                                     int quality) {
  std::vector<std::uint8_t> out;
  stbi_write_jpg_to_func(append, &out, w, h, 3, rgb.data(), quality);
  return out;
}

std::vector<std::uint8_t> write_cmyk_jpeg(int w, int h, const std::vector<std::uint8_t>& cmyk) {
  jpeg_compress_struct info{};
  jpeg_error_mgr errors{};
  info.err = jpeg_std_error(&errors);  // a test input: libjpeg's default (exit) on error is fine
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = static_cast<JDIMENSION>(w);
  info.image_height = static_cast<JDIMENSION>(h);
  info.input_components = 4;
  info.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 95, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    auto* row = const_cast<JSAMPLE*>(cmyk.data() + std::size_t{info.next_scanline} * w * 4);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  std::vector<std::uint8_t> out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

std::vector<std::uint8_t> write_bmp24(int w, int h, const std::vector<std::uint8_t>& rgb) {
  std::vector<std::uint8_t> out;
  stbi_write_bmp_to_func(append, &out, w, h, 3, rgb.data());
  return out;
}

std::vector<std::uint8_t> write_bmp32(int w, int h, const std::vector<std::uint8_t>& rgba) {
  std::vector<std::uint8_t> v = {'B', 'M'};
  const unsigned image_size = static_cast<unsigned>(w * h * 4);
  put32(v, 14 + 40 + image_size);
  put32(v, 0);
  put32(v, 14 + 40);
  put32(v, 40);  // BITMAPINFOHEADER
  put32(v, static_cast<unsigned>(w));
  put32(v, static_cast<unsigned>(h));  // positive: bottom-up
  put16(v, 1);
  put16(v, 32);
  put32(v, 0);  // BI_RGB
  put32(v, image_size);
  put32(v, 2835);
  put32(v, 2835);
  put32(v, 0);
  put32(v, 0);
  for (int y = h - 1; y >= 0; --y) {
    for (int x = 0; x < w; ++x) {
      const std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * w + x) * 4];
      v.push_back(p[2]);
      v.push_back(p[1]);
      v.push_back(p[0]);
      v.push_back(p[3]);
    }
  }
  return v;
}

std::vector<std::uint8_t> write_gif(int w, int h, const std::vector<Rgba>& palette,
                                    const std::vector<std::uint8_t>& indices) {
  std::vector<std::uint8_t> v = {'G', 'I', 'F', '8', '9', 'a'};
  put16(v, static_cast<unsigned>(w));
  put16(v, static_cast<unsigned>(h));
  v.push_back(0xF1);  // global colour table, 4 entries
  v.push_back(0);
  v.push_back(0);
  for (int i = 0; i < 4; ++i) {
    Rgba c = i < static_cast<int>(palette.size()) ? palette[i] : Rgba{0, 0, 0, 255};
    v.push_back(c.r);
    v.push_back(c.g);
    v.push_back(c.b);
  }
  v.push_back(0x2C);
  put16(v, 0);
  put16(v, 0);
  put16(v, static_cast<unsigned>(w));
  put16(v, static_cast<unsigned>(h));
  v.push_back(0);
  v.push_back(2);  // LZW minimum code size: codes are 3 bits wide
  // "Uncompressed" LZW: a clear code before every two pixels keeps the code width at 3 bits.
  std::vector<std::uint8_t> data;
  unsigned bit_buffer = 0, bit_count = 0;
  auto emit = [&](unsigned code) {
    bit_buffer |= code << bit_count;
    bit_count += 3;
    while (bit_count >= 8) {
      data.push_back(static_cast<std::uint8_t>(bit_buffer & 0xFF));
      bit_buffer >>= 8;
      bit_count -= 8;
    }
  };
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (i % 2 == 0) emit(4);  // clear
    emit(indices[i]);
  }
  emit(5);  // end of information
  if (bit_count > 0) data.push_back(static_cast<std::uint8_t>(bit_buffer & 0xFF));
  for (std::size_t i = 0; i < data.size(); i += 255) {
    const std::size_t n = std::min<std::size_t>(255, data.size() - i);
    v.push_back(static_cast<std::uint8_t>(n));
    v.insert(v.end(), data.begin() + static_cast<std::ptrdiff_t>(i),
             data.begin() + static_cast<std::ptrdiff_t>(i + n));
  }
  v.push_back(0);
  v.push_back(0x3B);
  return v;
}

Decoded decode_png(const std::vector<std::uint8_t>& png) {
  Decoded d;
  std::unique_ptr<spng_ctx, decltype(&spng_ctx_free)> ctx(spng_ctx_new(0), &spng_ctx_free);
  if (!ctx || spng_set_png_buffer(ctx.get(), png.data(), png.size())) return d;
  spng_ihdr ihdr{};
  if (spng_get_ihdr(ctx.get(), &ihdr)) return d;
  std::size_t size = 0;
  if (spng_decoded_image_size(ctx.get(), SPNG_FMT_RGBA8, &size)) return d;
  d.rgba.resize(size);
  if (spng_decode_image(ctx.get(), d.rgba.data(), size, SPNG_FMT_RGBA8, 0)) return d;
  d.width = static_cast<int>(ihdr.width);
  d.height = static_cast<int>(ihdr.height);
  d.color_type = ihdr.color_type;
  return d;
}

std::vector<std::uint8_t> base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<std::uint8_t> out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) continue;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace test_image
