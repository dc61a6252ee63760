#include "llmwire/image.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "image/jpeg_decode.hpp"
#include "image_support.hpp"

using namespace llmwire;
using image::Format;
using test_image::Rgba;

namespace {

/// The literal's bytes, embedded NULs included.
template <std::size_t N>
std::vector<std::uint8_t> bytes_of(const char (&s)[N]) {
  return {s, s + N - 1};
}

/// The seeds' vision test: a 10x10 image in five colours (four quadrants, a white centre).
Rgba five_colour(int x, int y) {
  if (x >= 3 && x <= 6 && y >= 3 && y <= 6) return {255, 255, 255, 255};
  if (y < 5) return x < 5 ? Rgba{255, 0, 0, 255} : Rgba{0, 200, 0, 255};
  return x < 5 ? Rgba{0, 0, 255, 255} : Rgba{255, 220, 0, 255};
}

std::vector<std::uint8_t> pixels(int w, int h, int channels, Rgba (*colour)(int, int)) {
  std::vector<std::uint8_t> px;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      Rgba c = colour(x, y);
      px.insert(px.end(), {c.r, c.g, c.b});
      if (channels == 4) px.push_back(c.a);
    }
  return px;
}

bool same_rgb(Rgba a, Rgba b, int tolerance = 0) {
  return std::abs(a.r - b.r) <= tolerance && std::abs(a.g - b.g) <= tolerance &&
         std::abs(a.b - b.b) <= tolerance;
}

/// Decodes what prepare_image produced and checks every pixel against `expected`.
void check_png_pixels(const image::PreparedImage& out, int w, int h, Rgba (*expected)(int, int),
                      int tolerance = 0) {
  REQUIRE(out.media_type == "image/png");
  auto decoded = test_image::decode_png(out.bytes);
  REQUIRE(decoded.width == w);
  REQUIRE(decoded.height == h);
  CHECK(decoded.color_type == 2);  // opaque RGB: nothing for the server to mis-composite
  int wrong = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (!same_rgb(decoded.at(x, y), expected(x, y), tolerance)) ++wrong;
  CHECK(wrong == 0);
}

Rgba quadrant_colours(int x, int y) {  // 16x16, 8x8 blocks, so JPEG blocks are flat
  if (y < 8) return x < 8 ? Rgba{255, 0, 0, 255} : Rgba{0, 255, 0, 255};
  return x < 8 ? Rgba{0, 0, 255, 255} : Rgba{255, 255, 255, 255};
}

}  // namespace

TEST_CASE("formats are sniffed from magic bytes, not names") {
  auto png = test_image::write_png(2, 2, 3, std::vector<std::uint8_t>(12, 9));
  CHECK(image::sniff(png) == Format::png);
  CHECK(image::sniff(test_image::write_jpeg(8, 8, std::vector<std::uint8_t>(192, 50), 90)) ==
        Format::jpeg);
  CHECK(image::sniff(test_image::write_bmp24(2, 2, std::vector<std::uint8_t>(12, 1))) ==
        Format::bmp);
  CHECK(image::sniff(test_image::write_bmp32(2, 2, std::vector<std::uint8_t>(16, 1))) ==
        Format::bmp);
  CHECK(image::sniff(test_image::write_gif(2, 1, {{0, 0, 0, 255}}, {0, 0})) == Format::gif);
  CHECK(image::sniff(bytes_of("RIFF\x10\0\0\0WEBPVP8 ")) == Format::webp);
  CHECK(image::sniff(bytes_of("RIFF\x10\0\0\0WAVEfmt ")) == Format::wav);
  CHECK(image::sniff(bytes_of("ID3\x04\0\0\0\0\0\0")) == Format::mp3);
  CHECK(image::sniff(std::vector<std::uint8_t>{0xFF, 0xFB, 0x90, 0x64}) == Format::mp3);
  CHECK(image::sniff(bytes_of("BM is not enough: this is text")) == Format::unknown);
  CHECK(image::sniff(bytes_of("")) == Format::unknown);
  CHECK(image::media_type(Format::mp3) == "audio/mpeg");

  // A BMP named .png is a BMP.
  auto path = std::filesystem::temp_directory_path() / "llmwire_test_really_a_bmp.png";
  {
    auto bmp = test_image::write_bmp24(2, 2, std::vector<std::uint8_t>(12, 1));
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bmp.data()), static_cast<std::streamsize>(bmp.size()));
  }
  auto part = image::image_part_from_file(path);
  REQUIRE(part);
  CHECK(part->type == ContentPart::Type::image);
  CHECK(part->media_type == "image/bmp");
  std::filesystem::remove(path);
}

TEST_CASE("a 10x10 five-colour PNG passes through unchanged and keeps its pixels") {
  auto png = test_image::write_png(10, 10, 3, pixels(10, 10, 3, five_colour));
  auto out = image::prepare_image(png);
  REQUIRE(out);
  CHECK_FALSE(out->converted);
  CHECK(out->bytes == png);
  check_png_pixels(*out, 10, 10, five_colour);
}

TEST_CASE("a 24-bit BMP becomes a PNG with the same pixels") {
  auto bmp = test_image::write_bmp24(10, 10, pixels(10, 10, 3, five_colour));
  auto out = image::prepare_image(bmp);
  REQUIRE(out);
  CHECK(out->converted);
  CHECK(out->original == Format::bmp);
  check_png_pixels(*out, 10, 10, five_colour);
}

TEST_CASE("a 32-bit BMP with zero alpha keeps its colours (the seeds' empty answer)") {
  auto rgba = pixels(10, 10, 4, five_colour);
  for (std::size_t i = 3; i < rgba.size(); i += 4) rgba[i] = 0;
  auto out = image::prepare_image(test_image::write_bmp32(10, 10, rgba));
  REQUIRE(out);
  check_png_pixels(*out, 10, 10, five_colour);
}

Rgba half_transparent(int x, int y) {
  // Left column fully transparent, right column half-transparent red, rest opaque blue.
  if (x == 0) return {0, 0, 0, 0};
  if (x == 3) return {255, 0, 0, 128};
  (void)y;
  return {0, 0, 255, 255};
}
Rgba half_transparent_on_white(int x, int y) {
  Rgba c = half_transparent(x, y);
  auto over = [&](unsigned v) {
    return static_cast<std::uint8_t>((v * c.a + 255u * (255u - c.a) + 127u) / 255u);
  };
  return {over(c.r), over(c.g), over(c.b), 255};
}

TEST_CASE("real transparency is flattened onto white, for BMP and PNG alike") {
  auto rgba = pixels(4, 3, 4, half_transparent);
  for (auto input : {test_image::write_bmp32(4, 3, rgba), test_image::write_png(4, 3, 4, rgba)}) {
    auto out = image::prepare_image(input);
    REQUIRE(out);
    CHECK(out->converted);
    check_png_pixels(*out, 4, 3, half_transparent_on_white);
    CHECK(half_transparent_on_white(0, 0).r == 255);  // transparent → white, not black
  }
  // Asked to keep transparency (flatten_alpha off), the PNG keeps its alpha channel.
  auto kept = image::prepare_image(test_image::write_png(4, 3, 4, rgba), {.flatten_alpha = false});
  REQUIRE(kept);
  auto decoded = test_image::decode_png(kept->bytes);
  CHECK(decoded.at(3, 0).a == 128);
}

Rgba gif_colours(int x, int y) {
  static const Rgba palette[] = {
      {255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {250, 250, 250, 255}};
  return palette[(x + 2 * y) % 4];
}

TEST_CASE("a GIF becomes a PNG with its palette colours") {
  std::vector<std::uint8_t> indices;
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 7; ++x) indices.push_back(static_cast<std::uint8_t>((x + 2 * y) % 4));
  auto gif = test_image::write_gif(
      7, 5, {{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {250, 250, 250, 255}}, indices);
  auto out = image::prepare_image(gif);
  REQUIRE(out);
  CHECK(out->original == Format::gif);
  check_png_pixels(*out, 7, 5, gif_colours);
}

TEST_CASE("a JPEG becomes a PNG with (lossy-close) pixels") {
  auto jpeg = test_image::write_jpeg(16, 16, pixels(16, 16, 3, quadrant_colours), 100);
  auto out = image::prepare_image(jpeg);
  REQUIRE(out);
  CHECK(out->original == Format::jpeg);
  check_png_pixels(*out, 16, 16, quadrant_colours, 12);
  // With conversion off, JPEG goes out as it came.
  auto raw = image::prepare_image(jpeg, {.convert_to_png = false});
  REQUIRE(raw);
  CHECK(raw->media_type == "image/jpeg");
  CHECK(raw->bytes == jpeg);
}

TEST_CASE("max_side scales down, keeping the aspect ratio") {
  auto png = test_image::write_png(40, 20, 3, std::vector<std::uint8_t>(40 * 20 * 3, 77));
  auto out = image::prepare_image(png, {.max_side = 10});
  REQUIRE(out);
  CHECK(out->converted);
  auto decoded = test_image::decode_png(out->bytes);
  CHECK(decoded.width == 10);
  CHECK(decoded.height == 5);
  CHECK(same_rgb(decoded.at(4, 2), Rgba{77, 77, 77, 255}, 1));
}

TEST_CASE("clear errors before any request") {
  auto png = test_image::write_png(10, 10, 3, pixels(10, 10, 3, five_colour));
  auto empty = image::prepare_image(std::vector<std::uint8_t>{});
  REQUIRE_FALSE(empty);
  CHECK(empty.error().kind == ErrorKind::invalid_argument);

  std::vector<std::uint8_t> truncated(png.begin(), png.begin() + 40);
  auto corrupt = image::prepare_image(truncated);
  REQUIRE_FALSE(corrupt);
  CHECK(corrupt.error().kind == ErrorKind::parse);
  CHECK(corrupt.error().message.find("png") != std::string::npos);

  auto big = image::prepare_image(png, {.max_bytes = 10});
  REQUIRE_FALSE(big);
  CHECK(big.error().kind == ErrorKind::invalid_argument);
  auto many = image::prepare_image(png, {.max_pixels = 99});
  REQUIRE_FALSE(many);
  CHECK(many.error().message.find("10x10") != std::string::npos);

  auto webp = image::prepare_image(bytes_of("RIFF\x10\0\0\0WEBPVP8 \0\0\0\0"));
  REQUIRE_FALSE(webp);
  CHECK(webp.error().kind == ErrorKind::unsupported);
  CHECK(webp.error().message.find("WebP") != std::string::npos);

  auto text = image::prepare_image(bytes_of("just some text"));
  REQUIRE_FALSE(text);
  CHECK(text.error().kind == ErrorKind::unsupported);

  auto not_image = image::image_part_from_bytes(bytes_of("RIFF\x10\0\0\0WAVEfmt "));
  REQUIRE_FALSE(not_image);
  CHECK(not_image.error().kind == ErrorKind::unsupported);
  auto missing = image::image_part_from_file("/nonexistent/llmwire/x.png");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::io);
}

TEST_CASE("audio parts and profiles without audio") {
  auto wav = image::audio_part_from_bytes(bytes_of("RIFF\x24\0\0\0WAVEfmt \x10\0\0\0"));
  REQUIRE(wav);
  CHECK(wav->type == ContentPart::Type::audio);
  CHECK(wav->media_type == "audio/wav");
  auto png = test_image::write_png(1, 1, 3, {1, 2, 3});
  auto wrong = image::audio_part_from_bytes(png);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().kind == ErrorKind::unsupported);

  ChatRequest request{.model = "m", .messages = {Message::user("listen")}};
  request.messages[0].parts.push_back(*wav);
  Profile no_audio{.name = "gemma4"};
  no_audio.capabilities.audio = false;
  no_audio.capabilities.vision = true;
  auto checked = image::check_media_support(request, no_audio);
  REQUIRE_FALSE(checked);
  CHECK(checked.error().kind == ErrorKind::unsupported);
  Profile edge = no_audio;
  edge.capabilities.audio = true;
  CHECK(image::check_media_support(request, edge).has_value());
}

TEST_CASE("a profile's image policy maps onto the conversion policy") {
  llmwire::ImagePolicy profile_policy;
  profile_policy.convert_to_png = false;
  profile_policy.flatten_alpha = false;
  profile_policy.max_side = 896;
  auto policy = image::policy_for(profile_policy);
  CHECK_FALSE(policy.convert_to_png);
  CHECK_FALSE(policy.flatten_alpha);
  CHECK(policy.max_side == 896);
}

namespace {

/// A file of fuzz/corpus/fuzz_image_sniff/ (the regression seeds CI's fuzz run replays).
std::vector<std::uint8_t> image_seed(const std::string& name) {
  std::ifstream in(
      std::string(LLMWIRE_TEST_FIXTURES_DIR) + "/../../fuzz/corpus/fuzz_image_sniff/" + name,
      std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("a PNG whose IDAT chunk is empty is refused with a decode error, not a crash") {
  // Found by fuzz_image_sniff (fuzz/corpus/fuzz_image_sniff/regression-png-empty-idat): an
  // 8x8 RGB header, then a zero-length IDAT followed by the real data under a broken CRC.
  const auto bytes = image_seed("regression-png-empty-idat");
  REQUIRE(bytes.size() == 78);
  CHECK(image::sniff(bytes) == Format::png);
  // A plain PNG passes through when nothing forces a re-encode; with a size limit it must be
  // decoded, and the empty IDAT gives a clear decode error (it used to be UB inside stb).
  auto out = image::prepare_image(bytes, {.max_side = 4});
  REQUIRE_FALSE(out);
  CHECK(out.error().kind == ErrorKind::parse);
  CHECK(out.error().message.find("cannot decode the png image") == 0);
}

TEST_CASE("a PNG chunk longer than the file is refused before anything is allocated for it") {
  // Found by fuzz_image_sniff: 86 bytes whose second IDAT declares 2^30 bytes. The decoder
  // grew its buffer to that length (then doubled it: a 2 GiB allocation) before finding the
  // data missing; the chunk walk now refuses the file first, naming the lengths.
  const auto bytes = image_seed("regression-png-chunk-longer-than-file");
  REQUIRE(bytes.size() == 86);
  REQUIRE(image::sniff(bytes) == Format::png);
  auto out = image::prepare_image(bytes);
  REQUIRE_FALSE(out);
  CHECK(out.error().kind == ErrorKind::parse);
  CHECK(out.error().message ==
        "cannot decode the png image: a chunk declares 1073741824 bytes of data, but the file "
        "ends 12 bytes later");

  // The same walk passes every well-formed PNG: the last chunk (IEND) ends the file exactly.
  auto png = test_image::write_png(3, 2, 3, std::vector<std::uint8_t>(18, 7));
  CHECK(image::prepare_image(png).has_value());
  std::vector<std::uint8_t> cut(png.begin(), png.end() - 13);  // IEND and one CRC byte gone
  auto truncated = image::prepare_image(cut);
  REQUIRE_FALSE(truncated);
  CHECK(truncated.error().message.find("a chunk declares") != std::string::npos);
}

TEST_CASE("a JPEG scan using a Huffman table the file never defines is refused") {
  // Found by fuzz_image_sniff under UBSan while stb_image decoded JPEGs: the scan selects AC
  // tables 1 and 2, the file defines only AC table 0, and stb read past its code limits
  // (maxcode[18]) in the table it never initialised. libjpeg-turbo gives tables 0 and 1 their
  // standard values when a file leaves them out (jdhuff.c, for Motion-JPEG frames) and refuses
  // any other undefined table, naming it.
  const auto bytes = image_seed("regression-jpeg-undefined-huffman-table");
  REQUIRE(image::sniff(bytes) == Format::jpeg);
  auto out = image::prepare_image(bytes);
  REQUIRE_FALSE(out);
  CHECK(out.error().kind == ErrorKind::parse);
  CHECK(out.error().message == "cannot decode the jpeg image: Huffman table 0x02 was not defined");
}

TEST_CASE("the JPEG entropy-decoding findings decode or fail cleanly, never with UB") {
  // Three inputs fuzz_image_sniff found in stb_image's JPEG entropy decoder (an over-wide
  // shift in its bit reader, signed overflow multiplying a DC coefficient by its quantiser).
  // Under libjpeg-turbo each is refused as corrupt; the seeds replay under ASan/UBSan in CI.
  for (const char* name : {"regression-jpeg-stb-shift", "regression-jpeg-stb-dc-overflow",
                           "regression-jpeg-stb-dc-overflow-2"}) {
    CAPTURE(name);
    const auto bytes = image_seed(name);
    REQUIRE(image::sniff(bytes) == Format::jpeg);
    auto out = image::prepare_image(bytes);
    if (!out) {
      CHECK(out.error().kind == ErrorKind::parse);
      CHECK(out.error().message.starts_with("cannot decode the jpeg image: "));
    }
  }
}

TEST_CASE("a Motion-JPEG frame (no Huffman tables) decodes with the standard tables") {
  // Camera frames saved from an MJPEG stream leave out their DHT segments when they use the
  // standard tables. The 40x40 seed (cjpeg, not optimised: standard tables) with its DHT
  // segments cut must decode to exactly the same pixels as the file with them.
  const auto with_tables = image_seed("jpeg_420_40x40");
  std::vector<std::uint8_t> without;
  std::size_t i = 0, cut = 0;
  without.insert(without.end(), with_tables.begin(), with_tables.begin() + 2);  // SOI
  for (i = 2; i + 3 < with_tables.size() && with_tables[i] == 0xFF;) {
    const std::size_t length = (std::size_t{with_tables[i + 2]} << 8) | with_tables[i + 3];
    const bool dht = with_tables[i + 1] == 0xC4;
    if (with_tables[i + 1] == 0xDA) break;  // the scan: the rest is copied whole
    if (dht) ++cut;
    if (!dht)
      without.insert(without.end(), with_tables.begin() + static_cast<std::ptrdiff_t>(i),
                     with_tables.begin() + static_cast<std::ptrdiff_t>(i + 2 + length));
    i += 2 + length;
  }
  without.insert(without.end(), with_tables.begin() + static_cast<std::ptrdiff_t>(i),
                 with_tables.end());
  REQUIRE(cut > 0);
  REQUIRE(without.size() < with_tables.size());
  auto a = image::prepare_image(with_tables);
  auto b = image::prepare_image(without);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(b->bytes == a->bytes);  // the same PNG: the same pixels
  CHECK(b->width == 40);
}

TEST_CASE("a JPEG whose data ends early is refused, not sent with grey filler") {
  // libjpeg fills a picture whose data ends early with grey and only warns; the warning is an
  // error here, so a half-missing picture never reaches the model as if whole. The cut falls
  // inside the entropy-coded data (the headers take the file's first ~600 bytes).
  const auto whole = image_seed("jpeg_420_40x40");
  REQUIRE(whole.size() > 700);
  std::vector<std::uint8_t> cut(whole.begin(), whole.end() - 120);
  auto out = image::prepare_image(cut);
  REQUIRE_FALSE(out);
  CHECK(out.error().kind == ErrorKind::parse);
  CHECK(out.error().message == "cannot decode the jpeg image: Premature end of JPEG file");
}

TEST_CASE("a CMYK JPEG (Adobe's inverted CMYK) becomes RGB") {
  std::vector<std::uint8_t> cmyk;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) {
      const Rgba c = quadrant_colours(x, y);
      // Inverted storage with no black: C' = R, M' = G, Y' = B, K' = 255.
      cmyk.insert(cmyk.end(), {c.r, c.g, c.b, 255});
    }
  auto jpeg = test_image::write_cmyk_jpeg(16, 16, cmyk);
  REQUIRE(image::sniff(jpeg) == Format::jpeg);
  auto out = image::prepare_image(jpeg);
  REQUIRE(out);
  check_png_pixels(*out, 16, 16, quadrant_colours, 8);

  // Black ink darkens every channel: K' = 128 halves them.
  for (std::size_t p = 3; p < cmyk.size(); p += 4) cmyk[p] = 128;
  auto dark = image::prepare_image(test_image::write_cmyk_jpeg(16, 16, cmyk));
  REQUIRE(dark);
  auto decoded = test_image::decode_png(dark->bytes);
  CHECK(same_rgb(decoded.at(0, 0), {128, 0, 0, 255}, 8));
}

TEST_CASE("a progressive JPEG of more scans than the limit is refused as a decompression bomb") {
  // Each scan is a pass over the whole picture's coefficients: thousands of tiny scans would
  // take minutes while staying within every size limit. The limit (500 by default; real files
  // have about ten) is checked as libjpeg reads, through its progress monitor.
  const auto bytes = image_seed("jpeg_progressive");  // ten scans
  CHECK(image::detail::decode_jpeg(bytes, 1u << 20, 10).has_value());
  auto refused = image::detail::decode_jpeg(bytes, 1u << 20, 9);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::invalid_argument);
  CHECK(refused.error().message.starts_with("the jpeg image has more than 9 scans"));
  CHECK(image::detail::default_max_jpeg_scans == 500);
  CHECK(image::prepare_image(bytes).has_value());  // prepare_image uses the default
}

TEST_CASE("a JPEG over the pixel budget is refused from its header") {
  const auto bytes = image_seed("jpeg_420_40x40");
  auto out = image::prepare_image(bytes, {.max_pixels = 1599});
  REQUIRE_FALSE(out);
  CHECK(out.error().kind == ErrorKind::invalid_argument);
  CHECK(out.error().message == "the jpeg image is 40x40 pixels; the limit is 1599 pixels");
  CHECK(image::prepare_image(bytes, {.max_pixels = 1600}).has_value());
}

TEST_CASE("a progressive JPEG, whose later scans bring their own tables, still decodes") {
  // `cjpeg -progressive -quality 95 -sample 1x1` (libjpeg-turbo) of the 16x16 quadrant picture: ten
  // scans, DHT segments between them, and DC refinement scans that use no table at all. The table
  // check must follow which tables each kind of scan decodes with, or it refuses valid files.
  const auto bytes = image_seed("jpeg_progressive");
  REQUIRE(image::sniff(bytes) == Format::jpeg);
  auto out = image::prepare_image(bytes);
  REQUIRE(out);
  CHECK(out->converted);
  check_png_pixels(*out, 16, 16, quadrant_colours, 8);
}
