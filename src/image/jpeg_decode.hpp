// JPEG decoding with libjpeg-turbo (see jpeg_decode.cpp for why not stb_image).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "image/pixels.hpp"

namespace llmwire::image::detail {

/// Scans a progressive JPEG may have: real ones have about ten; each scan is a pass over the
/// whole picture's coefficients, so a file of thousands of tiny scans would take minutes of CPU
/// to decode (a "decompression bomb") while staying within every size limit.
inline constexpr int default_max_jpeg_scans = 500;

/// Decodes a JPEG (baseline or progressive; grey, YCbCr, CMYK or YCCK) to RGBA. The header's
/// dimensions are checked against `max_pixels` before any pixel buffer is allocated. Errors:
/// ErrorKind::invalid_argument over the budget or over `max_scans`; ErrorKind::parse with
/// libjpeg's own message ("cannot decode the jpeg image: …") for a corrupt file or one whose
/// data ends early.
[[nodiscard]] Result<DecodedPixels> decode_jpeg(std::span<const std::uint8_t> bytes,
                                                std::size_t max_pixels,
                                                int max_scans = default_max_jpeg_scans);

}  // namespace llmwire::image::detail
