// Format sniffing and content parts (issue 5): the magic bytes decide, never the extension.

#include <fstream>
#include <iterator>

#include "llmwire/image.hpp"

namespace llmwire::image {

namespace {

bool starts_with(std::span<const std::uint8_t> bytes, std::string_view magic, std::size_t at = 0) {
  if (bytes.size() < at + magic.size()) return false;
  for (std::size_t i = 0; i < magic.size(); ++i)
    if (bytes[at + i] != static_cast<std::uint8_t>(magic[i])) return false;
  return true;
}

/// An MPEG audio frame header: 11 sync bits, a valid version, layer, bitrate and sample rate.
bool mp3_frame(std::span<const std::uint8_t> b) {
  if (b.size() < 4 || b[0] != 0xFF || (b[1] & 0xE0) != 0xE0) return false;
  const unsigned version = (b[1] >> 3) & 3u, layer = (b[1] >> 1) & 3u;
  const unsigned bitrate = b[2] >> 4, rate = (b[2] >> 2) & 3u;
  return version != 1 && layer != 0 && bitrate != 15 && rate != 3;
}

Result<std::vector<std::uint8_t>> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::io, "cannot open '" + path.string() + "'");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) return fail(ErrorKind::io, "cannot read '" + path.string() + "'");
  return bytes;
}

}  // namespace

Format sniff(std::span<const std::uint8_t> bytes) noexcept {
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) return Format::png;
  if (starts_with(bytes, "\xFF\xD8\xFF")) return Format::jpeg;
  if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) return Format::gif;
  if (starts_with(bytes, "RIFF") && starts_with(bytes, "WEBP", 8)) return Format::webp;
  if (starts_with(bytes, "RIFF") && starts_with(bytes, "WAVE", 8)) return Format::wav;
  // "BM" alone is too weak (plenty of text starts so): also want a header size that a BMP
  // info header can have.
  if (starts_with(bytes, "BM") && bytes.size() >= 18) {
    const unsigned header =
        bytes[14] | (bytes[15] << 8) | (bytes[16] << 16) | (static_cast<unsigned>(bytes[17]) << 24);
    if (header == 12 || header == 40 || header == 52 || header == 56 || header == 64 ||
        header == 108 || header == 124)
      return Format::bmp;
  }
  if (starts_with(bytes, "ID3") || mp3_frame(bytes)) return Format::mp3;
  return Format::unknown;
}

std::string_view media_type(Format format) noexcept {
  switch (format) {
    case Format::png: return "image/png";
    case Format::jpeg: return "image/jpeg";
    case Format::bmp: return "image/bmp";
    case Format::gif: return "image/gif";
    case Format::webp: return "image/webp";
    case Format::wav: return "audio/wav";
    case Format::mp3: return "audio/mpeg";
    case Format::unknown: break;
  }
  return {};
}

std::string_view to_string(Format format) noexcept {
  switch (format) {
    case Format::png: return "png";
    case Format::jpeg: return "jpeg";
    case Format::bmp: return "bmp";
    case Format::gif: return "gif";
    case Format::webp: return "webp";
    case Format::wav: return "wav";
    case Format::mp3: return "mp3";
    case Format::unknown: break;
  }
  return "unknown";
}

Result<ContentPart> image_part_from_bytes(std::vector<std::uint8_t> bytes) {
  const Format format = sniff(bytes);
  if (format == Format::unknown || format == Format::wav || format == Format::mp3) {
    return fail(ErrorKind::unsupported,
                "not an image llmwire recognises (PNG, JPEG, BMP, GIF, WebP by their magic bytes)");
  }
  return ContentPart{.type = ContentPart::Type::image,
                     .text = {},
                     .bytes = std::move(bytes),
                     .media_type = std::string(media_type(format))};
}

Result<ContentPart> image_part_from_file(const std::filesystem::path& path) {
  auto bytes = read_file(path);
  if (!bytes) return tl::unexpected(bytes.error());
  auto part = image_part_from_bytes(std::move(*bytes));
  if (!part) part.error().message = path.string() + ": " + part.error().message;
  return part;
}

Result<ContentPart> audio_part_from_bytes(std::vector<std::uint8_t> bytes) {
  const Format format = sniff(bytes);
  if (format != Format::wav && format != Format::mp3) {
    return fail(ErrorKind::unsupported,
                "not audio llmwire can send (WAV or MP3 by their magic bytes)");
  }
  return ContentPart{.type = ContentPart::Type::audio,
                     .text = {},
                     .bytes = std::move(bytes),
                     .media_type = std::string(media_type(format))};
}

Result<ContentPart> audio_part_from_file(const std::filesystem::path& path) {
  auto bytes = read_file(path);
  if (!bytes) return tl::unexpected(bytes.error());
  auto part = audio_part_from_bytes(std::move(*bytes));
  if (!part) part.error().message = path.string() + ": " + part.error().message;
  return part;
}

Result<void> check_media_support(const ChatRequest& request, const Profile& profile) {
  for (const Message& message : request.messages) {
    for (const ContentPart& part : message.parts) {
      if (part.type == ContentPart::Type::audio && !profile.capabilities.audio) {
        return fail(ErrorKind::unsupported, "model profile '" + profile.name +
                                                "' takes no audio input (Gemma 4 E2B/E4B do)");
      }
      if (part.type == ContentPart::Type::image && !profile.capabilities.vision) {
        return fail(ErrorKind::unsupported,
                    "model profile '" + profile.name + "' takes no image input");
      }
    }
  }
  return {};
}

}  // namespace llmwire::image
