// What reaches the request: images in an encoded body, decoded back and checked pixel by pixel.

#include <doctest/doctest.h>

#include "image_support.hpp"
#include "llmwire/image.hpp"
#include "llmwire/request.hpp"

using namespace llmwire;
using test_image::Rgba;

namespace {

std::vector<std::uint8_t> zero_alpha_bmp() {
  // 2x2: red, green / blue, white; alpha 0 everywhere (written without alpha).
  return test_image::write_bmp32(2, 2,
                                 {255, 0, 0, 0, 0, 255, 0, 0, 0, 0, 255, 0, 255, 255, 255, 0});
}

void check_pixels(const std::vector<std::uint8_t>& png) {
  auto d = test_image::decode_png(png);
  REQUIRE(d.width == 2);
  REQUIRE(d.height == 2);
  CHECK(d.color_type == 2);
  auto eq = [](Rgba a, Rgba b) { return a.r == b.r && a.g == b.g && a.b == b.b; };
  CHECK(eq(d.at(0, 0), {255, 0, 0, 255}));
  CHECK(eq(d.at(1, 0), {0, 255, 0, 255}));
  CHECK(eq(d.at(0, 1), {0, 0, 255, 255}));
  CHECK(eq(d.at(1, 1), {255, 255, 255, 255}));
}

ChatRequest request_with(ContentPart part) {
  ChatRequest request{.model = "gemma4:26b", .messages = {Message::user("What colours?")}};
  request.messages[0].parts.push_back(std::move(part));
  return request;
}

}  // namespace

TEST_CASE("a zero-alpha BMP reaches an OpenAI request as an opaque PNG data URI") {
  auto part = image::image_part_from_bytes(zero_alpha_bmp());
  REQUIRE(part);
  auto body = encode_request(request_with(*part), Dialect::openai);
  REQUIRE(body);
  const std::string url = (*body)["messages"][0]["content"][1]["image_url"]["url"];
  const std::string prefix = "data:image/png;base64,";
  REQUIRE(url.rfind(prefix, 0) == 0);
  check_pixels(test_image::base64_decode(url.substr(prefix.size())));
}

TEST_CASE("Ollama gets the same PNG as raw base64 in message.images") {
  auto part = image::image_part_from_bytes(zero_alpha_bmp());
  REQUIRE(part);
  auto body = encode_request(request_with(*part), Dialect::ollama);
  REQUIRE(body);
  const auto& images = (*body)["messages"][0]["images"];
  REQUIRE(images.size() == 1);
  const std::string b64 = images[0];
  CHECK(b64.rfind("data:", 0) == std::string::npos);  // raw base64, no data: prefix
  check_pixels(test_image::base64_decode(b64));
}

TEST_CASE("the profile's policy decides: scaled down, or passed through when conversion is off") {
  std::vector<std::uint8_t> rgb(64 * 32 * 3, 200);
  auto png = test_image::write_png(64, 32, 3, rgb);
  auto part = image::image_part_from_bytes(png);
  REQUIRE(part);
  EncodeOptions options;
  options.image_policy.max_side = 16;
  auto body = encode_request(request_with(*part), Dialect::ollama, options);
  REQUIRE(body);
  auto d = test_image::decode_png(test_image::base64_decode((*body)["messages"][0]["images"][0]));
  CHECK(d.width == 16);
  CHECK(d.height == 8);

  auto jpeg = test_image::write_jpeg(8, 8, std::vector<std::uint8_t>(8 * 8 * 3, 90), 90);
  EncodeOptions keep;
  keep.image_policy.convert_to_png = false;
  auto raw =
      encode_request(request_with(*image::image_part_from_bytes(jpeg)), Dialect::openai, keep);
  REQUIRE(raw);
  const std::string url = (*raw)["messages"][0]["content"][1]["image_url"]["url"];
  CHECK(url.rfind("data:image/jpeg;base64,", 0) == 0);
}

TEST_CASE("undecodable images and audio for a model without audio fail before any request") {
  auto fake = image::image_part_from_bytes({0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0});
  REQUIRE(fake);  // sniffed as PNG…
  auto body = encode_request(request_with(*fake), Dialect::openai);
  REQUIRE_FALSE(body);  // …but it does not decode
  CHECK(body.error().kind == ErrorKind::parse);

  auto wav = image::audio_part_from_bytes({'R', 'I', 'F', 'F', 4, 0, 0, 0, 'W', 'A', 'V', 'E'});
  REQUIRE(wav);
  EncodeOptions no_audio;
  no_audio.audio_input = false;
  auto refused = encode_request(request_with(*wav), Dialect::openai, no_audio);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::unsupported);
  auto accepted = encode_request(request_with(*wav), Dialect::openai);
  REQUIRE(accepted);
  CHECK((*accepted)["messages"][0]["content"][1]["input_audio"]["format"] == "wav");
}
