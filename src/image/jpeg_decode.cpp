// JPEG decoding with libjpeg-turbo. Debian's stb_image decoded JPEGs here before: under
// fuzz/fuzz_image_sniff its entropy decoder showed undefined behaviour on hostile files four
// times in ~4.1M executions (an out-of-bounds table read, an over-wide shift, signed overflows
// in dequantisation), inside the decoding of the entropy-coded data, where no check of the
// file's structure can rule them out. libjpeg-turbo checks its tables and coefficients itself
// and is fuzzed continuously upstream; docs/FUZZING.md has the numbers for both.
//
// libjpeg reports fatal errors through error_exit, which must not return: it longjmps back to
// decode_into(). That function holds no C++ object with a destructor, and everything it fills
// lives in its caller, so the jump skips no destructor and reads no indeterminate local; the
// one allocation it makes (the pixels) catches its own failure, so no exception crosses
// libjpeg's state either.

#include "image/jpeg_decode.hpp"

#include <jpeglib.h>
// jerror.h needs jpeglib.h first.
#include <jerror.h>

#include <csetjmp>
#include <cstdio>
#include <new>
#include <string>

namespace llmwire::image::detail {
namespace {

struct ErrorManager {
  jpeg_error_mgr base;  // first, so libjpeg's pointer to it is a pointer to this
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool data_ended_early;
};

[[noreturn]] void on_error(j_common_ptr info) {
  auto* errors = reinterpret_cast<ErrorManager*>(info->err);
  errors->base.format_message(info, errors->message);
  std::longjmp(errors->jump, 1);
}

// Warnings are not printed (the library never prints); the one that means "pixels are missing"
// is remembered, because libjpeg then fills the rest of the picture with grey and goes on.
void on_message(j_common_ptr info, int level) {
  auto* errors = reinterpret_cast<ErrorManager*>(info->err);
  if (level < 0 && errors->base.msg_code == JWRN_JPEG_EOF && !errors->data_ended_early) {
    errors->data_ended_early = true;
    errors->base.format_message(info, errors->message);
  }
}

enum class Outcome { decoded, over_budget, too_many_scans, failed };

struct ScanLimit {
  jpeg_progress_mgr base;  // first, so libjpeg's pointer to it is a pointer to this
  int max_scans;
  bool exceeded;
};

// libjpeg calls this as it reads; past the scan limit it stops the decode through error_exit.
void on_progress(j_common_ptr common) {
  auto* info = reinterpret_cast<j_decompress_ptr>(common);
  auto* limit = reinterpret_cast<ScanLimit*>(info->progress);
  if (info->input_scan_number > limit->max_scans) {
    limit->exceeded = true;
    (*common->err->error_exit)(common);
  }
}

struct Decoding {
  jpeg_decompress_struct info;
  ErrorManager errors;
  ScanLimit scans;
  DecodedPixels* out;
  std::size_t max_pixels;
  bool cmyk;
};

// Everything libjpeg may jump out of. Returns how it went; the details are in `d`.
Outcome decode_into(Decoding& d, const std::uint8_t* data, unsigned long size) {
  d.info.err = jpeg_std_error(&d.errors.base);
  d.errors.base.error_exit = on_error;
  d.errors.base.emit_message = on_message;
  d.errors.data_ended_early = false;
  d.errors.message[0] = '\0';
  d.scans.exceeded = false;
  d.scans.base.progress_monitor = on_progress;
  if (setjmp(d.errors.jump) != 0) {
    jpeg_destroy_decompress(&d.info);
    return d.scans.exceeded ? Outcome::too_many_scans : Outcome::failed;
  }
  jpeg_create_decompress(&d.info);
  d.info.progress = &d.scans.base;
  jpeg_mem_src(&d.info, data, size);
  jpeg_read_header(&d.info, TRUE);
  if (!within_pixel_budget(d.info.image_width, d.info.image_height, d.max_pixels)) {
    d.out->width = static_cast<int>(d.info.image_width);
    d.out->height = static_cast<int>(d.info.image_height);
    jpeg_destroy_decompress(&d.info);
    return Outcome::over_budget;
  }
  // Adobe's CMYK and YCCK JPEGs come out as (inverted) CMYK; everything else as RGBA directly.
  d.cmyk = d.info.jpeg_color_space == JCS_CMYK || d.info.jpeg_color_space == JCS_YCCK;
  d.info.out_color_space = d.cmyk ? JCS_CMYK : JCS_EXT_RGBA;
  jpeg_start_decompress(&d.info);
  const std::size_t row_bytes = std::size_t{d.info.output_width} * 4;
  d.out->width = static_cast<int>(d.info.output_width);
  d.out->height = static_cast<int>(d.info.output_height);
  try {
    d.out->rgba.resize(row_bytes * d.info.output_height);
  } catch (const std::bad_alloc&) {  // within the pixel budget, but the machine is out of memory
    std::snprintf(d.errors.message, sizeof d.errors.message, "out of memory for the pixels");
    jpeg_destroy_decompress(&d.info);
    return Outcome::failed;
  }
  while (d.info.output_scanline < d.info.output_height) {
    JSAMPROW row = d.out->rgba.data() + row_bytes * d.info.output_scanline;
    jpeg_read_scanlines(&d.info, &row, 1);
  }
  jpeg_finish_decompress(&d.info);
  jpeg_destroy_decompress(&d.info);
  return Outcome::decoded;
}

}  // namespace

Result<DecodedPixels> decode_jpeg(std::span<const std::uint8_t> bytes, std::size_t max_pixels,
                                  int max_scans) {
  DecodedPixels pixels;
  Decoding d{};
  d.out = &pixels;
  d.max_pixels = max_pixels;
  d.scans.max_scans = max_scans;
  switch (decode_into(d, bytes.data(), static_cast<unsigned long>(bytes.size()))) {
    case Outcome::over_budget:
      return tl::unexpected(pixel_budget_error("jpeg", pixels.width, pixels.height, max_pixels));
    case Outcome::too_many_scans:
      return fail(ErrorKind::invalid_argument,
                  "the jpeg image has more than " + std::to_string(max_scans) +
                      " scans (each is a pass over the whole picture); refused as a "
                      "decompression bomb");
    case Outcome::failed:
      return fail(ErrorKind::parse,
                  std::string("cannot decode the jpeg image: ") + d.errors.message);
    case Outcome::decoded: break;
  }
  if (d.errors.data_ended_early) {
    // Decoded, but part of the picture is libjpeg's grey filler: refused, not sent as if whole.
    return fail(ErrorKind::parse, std::string("cannot decode the jpeg image: ") + d.errors.message);
  }
  if (d.cmyk) {
    // Inverted CMYK (what Adobe writes, and libjpeg passes on): red = C*K/255, and so on.
    for (std::size_t i = 0; i + 3 < pixels.rgba.size(); i += 4) {
      std::uint8_t* p = pixels.rgba.data() + i;
      const unsigned k = p[3];
      for (int c = 0; c < 3; ++c) p[c] = static_cast<std::uint8_t>((p[c] * k + 127) / 255);
      p[3] = 255;
    }
  }
  return pixels;
}

}  // namespace llmwire::image::detail
