#pragma once
/// @file image.hpp
/// Image and audio input: content parts from files or bytes, formats sniffed from magic bytes
/// (never from the file extension), and the per-model image policy that decides what reaches
/// the server. The seeds' silently empty answer to a BMP cannot happen through here: anything
/// that is not PNG is re-encoded as an opaque PNG (gemma4's policy), and an image that cannot
/// be decoded, is too large, or is in an unsupported format is an error before any request.
///
///     auto part = llmwire::image::image_part_from_file("screenshot.bmp");
///     if (!part) return part.error();
///     request.messages.back().parts.push_back(std::move(*part));
///     // The request encoder applies the profile's policy (EncodeOptions::image_policy).
///
///     auto png = llmwire::image::prepare_image(part->bytes, {.max_side = 1024});
///     // png->bytes is an opaque RGB PNG, png->media_type == "image/png"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "llmwire/chat.hpp"
#include "llmwire/error.hpp"
#include "llmwire/profile.hpp"

namespace llmwire::image {

/// A media format recognised by its magic bytes.
enum class Format { unknown, png, jpeg, bmp, gif, webp, wav, mp3 };

/// Detects the format from the first bytes; the file name plays no part.
[[nodiscard]] Format sniff(std::span<const std::uint8_t> bytes) noexcept;

/// "image/png", "image/jpeg", "image/bmp", "image/gif", "image/webp", "audio/wav",
/// "audio/mpeg"; empty for Format::unknown.
[[nodiscard]] std::string_view media_type(Format format) noexcept;

/// "png", "jpeg", … "unknown": for messages.
[[nodiscard]] std::string_view to_string(Format format) noexcept;

/// What an image becomes before it is sent. The profile's ImagePolicy (profile.hpp) is the
/// per-model part of this; policy_for() maps it.
struct ImagePolicy {
  /// Re-encode every image that is not already a PNG as PNG (FORMATS.md §4: JPEG and PNG are
  /// safe everywhere, PNG is what Gemma 4 was seen to read reliably).
  bool convert_to_png = true;
  /// Composite transparent pixels onto white and send RGB. An image whose alpha is zero
  /// everywhere (a 32-bit BMP written without alpha) is treated as opaque instead, so it never
  /// turns into a blank or black picture.
  bool flatten_alpha = true;
  /// Scale down (keeping the aspect ratio) so the longer side is at most this; 0 = keep.
  int max_side = 0;
  /// Largest input accepted, in bytes.
  std::size_t max_bytes = 32u << 20;
  /// Largest decoded size accepted, in pixels (guards against decompression bombs).
  std::size_t max_pixels = 64u << 20;
};

/// The conversion policy for a model profile's image settings.
[[nodiscard]] ImagePolicy policy_for(const llmwire::ImagePolicy& profile_policy) noexcept;

/// An image as it goes to the server.
struct PreparedImage {
  std::vector<std::uint8_t> bytes;
  std::string media_type;  ///< "image/png", or the original type when passed through.
  int width = 0;           ///< After any scaling.
  int height = 0;
  Format original = Format::unknown;
  bool converted = false;  ///< false: `bytes` are the input bytes, unchanged.
};

/// Validates and converts one image under `policy`. Every decodable input is decoded, so a
/// corrupt file fails here rather than at the server. Errors: ErrorKind::invalid_argument
/// (empty, over max_bytes or max_pixels), ErrorKind::unsupported (not an image format we know;
/// WebP when it would need converting — no WebP decoder in Debian's stb), ErrorKind::parse
/// (the bytes claim a format but do not decode).
[[nodiscard]] Result<PreparedImage> prepare_image(std::span<const std::uint8_t> bytes,
                                                  const ImagePolicy& policy = {});

/// Encodes 8-bit RGB pixels (row by row, `width`·`height`·3 bytes) as a PNG. Errors:
/// ErrorKind::invalid_argument when the sizes disagree or exceed 16384 pixels a side.
[[nodiscard]] Result<std::vector<std::uint8_t>> encode_png_rgb(std::span<const std::uint8_t> rgb,
                                                               int width, int height);

/// An image content part from bytes; the media type is sniffed. Errors when the bytes are not
/// a recognised image format.
[[nodiscard]] Result<ContentPart> image_part_from_bytes(std::vector<std::uint8_t> bytes);
/// An image content part from a file (ErrorKind::io when it cannot be read).
[[nodiscard]] Result<ContentPart> image_part_from_file(const std::filesystem::path& path);

/// An audio content part (WAV or MP3, sniffed) from bytes; sent as `input_audio`.
[[nodiscard]] Result<ContentPart> audio_part_from_bytes(std::vector<std::uint8_t> bytes);
/// An audio content part from a file.
[[nodiscard]] Result<ContentPart> audio_part_from_file(const std::filesystem::path& path);

/// ErrorKind::unsupported when `request` carries audio (or images) that the profile's model
/// cannot take; checked before any request is sent.
[[nodiscard]] Result<void> check_media_support(const ChatRequest& request, const Profile& profile);

}  // namespace llmwire::image
