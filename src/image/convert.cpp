// Image conversion: decode (JPEG with libjpeg-turbo, jpeg_decode.cpp; PNG, BMP and GIF with
// stb_image, compiled into this one translation unit, static), flatten/scale, encode PNG with
// libspng.

#include <spng.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "image/jpeg_decode.hpp"
#include "image/pixels.hpp"
#include "llmwire/image.hpp"

// Only the formats sniff() admits and libjpeg-turbo does not take reach stb, so the rest of it
// (JPEG, PSD, HDR, TGA…, some without magic bytes) stays out: less code exposed to hostile files.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_MAX_DIMENSIONS (1 << 16)
#include <stb_image.h>

#define STB_IMAGE_RESIZE_STATIC
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image_resize.h>

namespace llmwire::image {

namespace {

Result<std::vector<std::uint8_t>> encode_png(const std::uint8_t* data, int width, int height,
                                             int channels) {
  std::unique_ptr<spng_ctx, decltype(&spng_ctx_free)> ctx(spng_ctx_new(SPNG_CTX_ENCODER),
                                                          &spng_ctx_free);
  if (!ctx) return fail(ErrorKind::internal, "libspng: cannot create an encoder");
  spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = static_cast<std::uint32_t>(width);
  ihdr.height = static_cast<std::uint32_t>(height);
  ihdr.bit_depth = 8;
  ihdr.color_type = channels == 4 ? SPNG_COLOR_TYPE_TRUECOLOR_ALPHA : SPNG_COLOR_TYPE_TRUECOLOR;
  if (int err = spng_set_ihdr(ctx.get(), &ihdr))
    return fail(ErrorKind::internal, std::string("libspng: ") + spng_strerror(err));
  const std::size_t size =
      static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * channels;
  if (int err = spng_encode_image(ctx.get(), data, size, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE))
    return fail(ErrorKind::internal, std::string("libspng: ") + spng_strerror(err));
  std::size_t length = 0;
  int err = 0;
  std::unique_ptr<void, decltype(&std::free)> buffer(spng_get_png_buffer(ctx.get(), &length, &err),
                                                     &std::free);
  if (!buffer || err)
    return fail(ErrorKind::internal, std::string("libspng: ") + spng_strerror(err));
  const auto* begin = static_cast<const std::uint8_t*>(buffer.get());
  return std::vector<std::uint8_t>(begin, begin + length);
}

/// Debian's stb_image grows its buffer to an IDAT chunk's declared length (up to 1 GiB, then
/// doubled) before reading it, so an 86-byte file could make it allocate 2 GiB (found by
/// fuzz/fuzz_image_sniff). A chunk cannot be longer than the file holding it: refuse that first.
std::optional<std::string> png_chunks_problem(std::span<const std::uint8_t> b) {
  std::size_t i = 8;  // after the signature
  while (i + 8 <= b.size()) {
    const std::size_t length = (std::size_t{b[i]} << 24) | (std::size_t{b[i + 1]} << 16) |
                               (std::size_t{b[i + 2]} << 8) | b[i + 3];
    const std::size_t left = b.size() - i - 8;  // after the length and type fields
    if (length + 4 > left) {                    // the data, then its CRC
      return "a chunk declares " + std::to_string(length) + " bytes of data, but the file ends " +
             std::to_string(left) + " bytes later";
    }
    if (std::equal(b.begin() + static_cast<std::ptrdiff_t>(i + 4),
                   b.begin() + static_cast<std::ptrdiff_t>(i + 8), "IEND"))
      return std::nullopt;
    i += 12 + length;  // length, type, data, CRC
  }
  return std::nullopt;
}

/// PNG, BMP and GIF (its first frame) to RGBA with stb_image, the budget checked on the header
/// before decoding.
Result<detail::DecodedPixels> decode_with_stb(std::span<const std::uint8_t> bytes,
                                              const std::string& name, std::size_t max_pixels) {
  const auto* data = bytes.data();
  const int length = static_cast<int>(bytes.size());
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(data, length, &width, &height, &channels)) {
    return fail(ErrorKind::parse, "cannot decode the " + name + " image: " + stbi_failure_reason());
  }
  if (!detail::within_pixel_budget(width, height, max_pixels)) {
    return tl::unexpected(detail::pixel_budget_error(name, width, height, max_pixels));
  }
  std::unique_ptr<stbi_uc, decltype(&stbi_image_free)> decoded(
      stbi_load_from_memory(data, length, &width, &height, &channels, 4), &stbi_image_free);
  if (!decoded) {
    return fail(ErrorKind::parse, "cannot decode the " + name + " image: " + stbi_failure_reason());
  }
  detail::DecodedPixels pixels{.width = width, .height = height};
  pixels.rgba.assign(decoded.get(), decoded.get() + static_cast<std::size_t>(width) *
                                                        static_cast<std::size_t>(height) * 4);
  return pixels;
}

}  // namespace

Result<std::vector<std::uint8_t>> encode_png_rgb(std::span<const std::uint8_t> rgb, int width,
                                                 int height) {
  constexpr int max_side = 16384;
  if (width <= 0 || height <= 0 || width > max_side || height > max_side) {
    return fail(ErrorKind::invalid_argument, "a PNG of " + std::to_string(width) + "x" +
                                                 std::to_string(height) +
                                                 " pixels cannot be encoded (1 to 16384 a side)");
  }
  const std::size_t expected =
      static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
  if (rgb.size() != expected) {
    return fail(ErrorKind::invalid_argument,
                std::to_string(rgb.size()) + " bytes of RGB for " + std::to_string(width) + "x" +
                    std::to_string(height) + " pixels; " + std::to_string(expected) + " expected");
  }
  return encode_png(rgb.data(), width, height, 3);
}

ImagePolicy policy_for(const llmwire::ImagePolicy& profile_policy) noexcept {
  ImagePolicy policy;
  policy.convert_to_png = profile_policy.convert_to_png;
  policy.flatten_alpha = profile_policy.flatten_alpha;
  policy.max_side = profile_policy.max_side;
  return policy;
}

Result<PreparedImage> prepare_image(std::span<const std::uint8_t> bytes,
                                    const ImagePolicy& policy) {
  if (bytes.empty()) return fail(ErrorKind::invalid_argument, "the image is empty");
  if (bytes.size() > policy.max_bytes ||
      bytes.size() > std::size_t{std::numeric_limits<int>::max()}) {
    return fail(ErrorKind::invalid_argument, "the image is " + std::to_string(bytes.size()) +
                                                 " bytes; the limit is " +
                                                 std::to_string(policy.max_bytes));
  }
  const Format format = sniff(bytes);
  const std::string name(to_string(format));
  switch (format) {
    case Format::png:
    case Format::jpeg:
    case Format::bmp:
    case Format::gif: break;
    case Format::webp:
      if (!policy.convert_to_png) {
        // Passed through untouched: the server decodes it (we have no decoder to check it).
        return PreparedImage{
            .bytes = {bytes.begin(), bytes.end()}, .media_type = "image/webp", .original = format};
      }
      return fail(ErrorKind::unsupported,
                  "WebP images cannot be converted (no WebP decoder in this build); convert it "
                  "to PNG or JPEG first");
    default:
      return fail(ErrorKind::unsupported,
                  "not an image llmwire recognises (PNG, JPEG, BMP, GIF, WebP by their magic "
                  "bytes)");
  }

  if (format == Format::png) {
    if (auto problem = png_chunks_problem(bytes)) {
      return fail(ErrorKind::parse, "cannot decode the png image: " + *problem);
    }
  }
  auto decoded = format == Format::jpeg ? detail::decode_jpeg(bytes, policy.max_pixels)
                                        : decode_with_stb(bytes, name, policy.max_pixels);
  if (!decoded) return tl::unexpected(decoded.error());
  int width = decoded->width, height = decoded->height;
  const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  std::uint8_t* rgba = decoded->rgba.data();

  // Alpha: all zero means "no alpha was written" (32-bit BMPs): opaque, or it would turn
  // into an empty or black picture. Otherwise note whether anything is see-through.
  bool all_zero = true, all_opaque = true;
  for (std::size_t i = 0; i < pixels; ++i) {
    const std::uint8_t a = rgba[i * 4 + 3];
    all_zero = all_zero && a == 0;
    all_opaque = all_opaque && a == 255;
  }
  if (all_zero) {
    for (std::size_t i = 0; i < pixels; ++i) rgba[i * 4 + 3] = 255;
    all_opaque = true;
  }

  const bool too_big = policy.max_side > 0 && std::max(width, height) > policy.max_side;
  const bool must_flatten = policy.flatten_alpha && !all_opaque;
  const bool must_convert = policy.convert_to_png && format != Format::png;
  // A zero-alpha original is re-encoded even when it could pass: the server must not see it.
  if (!too_big && !must_flatten && !must_convert && !all_zero) {
    return PreparedImage{.bytes = {bytes.begin(), bytes.end()},
                         .media_type = std::string(media_type(format)),
                         .width = width,
                         .height = height,
                         .original = format};
  }

  // Flatten onto white, or keep RGBA when transparency is wanted and present.
  const int out_channels = (policy.flatten_alpha || all_opaque) ? 3 : 4;
  std::vector<std::uint8_t> out(pixels * static_cast<std::size_t>(out_channels));
  for (std::size_t i = 0; i < pixels; ++i) {
    const std::uint8_t* p = rgba + i * 4;
    if (out_channels == 4) {
      std::copy(p, p + 4, out.begin() + static_cast<std::ptrdiff_t>(i * 4));
      continue;
    }
    const unsigned a = p[3];
    for (int c = 0; c < 3; ++c) {
      // c*a + 255*(255-a), rounded, / 255
      out[i * 3 + c] = static_cast<std::uint8_t>((p[c] * a + 255u * (255u - a) + 127u) / 255u);
    }
  }
  decoded->rgba = {};  // the RGBA copy is no longer needed

  if (too_big) {
    const double scale = static_cast<double>(policy.max_side) / std::max(width, height);
    const int new_w = std::max(1, static_cast<int>(width * scale + 0.5));
    const int new_h = std::max(1, static_cast<int>(height * scale + 0.5));
    std::vector<std::uint8_t> scaled(static_cast<std::size_t>(new_w) * new_h * out_channels);
    if (!stbir_resize_uint8(out.data(), width, height, 0, scaled.data(), new_w, new_h, 0,
                            out_channels)) {
      return fail(ErrorKind::internal, "cannot scale the image");
    }
    out = std::move(scaled);
    width = new_w;
    height = new_h;
  }

  auto png = encode_png(out.data(), width, height, out_channels);
  if (!png) return tl::unexpected(png.error());
  return PreparedImage{.bytes = std::move(*png),
                       .media_type = "image/png",
                       .width = width,
                       .height = height,
                       .original = format,
                       .converted = true};
}

}  // namespace llmwire::image
