// The SVG chart is checked as a picture: rendered with rsvg-convert, decoded with libspng, and
// the marks looked for where the layout says they are.

#include <doctest/doctest.h>
#include <spng.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/report.hpp"

using namespace llmwire::bench;

namespace {

struct Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgba;
  [[nodiscard]] std::array<int, 3> at(double x, double y) const {
    auto i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
              static_cast<std::size_t>(x)) *
             4;
    return {rgba[i], rgba[i + 1], rgba[i + 2]};
  }
};

Image decode_png(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = buffer.str();
  Image image;
  spng_ctx* ctx = spng_ctx_new(0);
  REQUIRE(ctx != nullptr);
  REQUIRE(spng_set_png_buffer(ctx, bytes.data(), bytes.size()) == 0);
  spng_ihdr ihdr{};
  REQUIRE(spng_get_ihdr(ctx, &ihdr) == 0);
  std::size_t size = 0;
  REQUIRE(spng_decoded_image_size(ctx, SPNG_FMT_RGBA8, &size) == 0);
  image.rgba.resize(size);
  REQUIRE(spng_decode_image(ctx, image.rgba.data(), size, SPNG_FMT_RGBA8, 0) == 0);
  image.width = static_cast<int>(ihdr.width);
  image.height = static_cast<int>(ihdr.height);
  spng_ctx_free(ctx);
  return image;
}

bool near(std::array<int, 3> got, std::array<int, 3> want, int tolerance = 40) {
  for (int i = 0; i < 3; ++i) {
    if (std::abs(got[i] - want[i]) > tolerance) return false;
  }
  return true;
}

// A results document with the given samples, shaped like run_suite's output.
nlohmann::json results_with(const std::string& model, const std::vector<double>& tok_s,
                            const std::vector<double>& ttft) {
  nlohmann::json r = {{"model", model},
                      {"simulated", false},
                      {"limits", {{"tok_s_min", 40}, {"ttft_ms_max", 200}}}};
  for (double v : tok_s)
    r["tests"]["throughput"]["samples"].push_back({{"tok_s", v}, {"error", nullptr}});
  for (double v : ttft)
    r["tests"]["ttft"]["samples"].push_back({{"ttft_ms", v}, {"error", nullptr}});
  return r;
}

constexpr std::array<int, 3> blue = {0x1f, 0x77, 0xb4};
constexpr std::array<int, 3> red = {0xd6, 0x27, 0x28};
constexpr std::array<int, 3> green = {0x2c, 0xa0, 0x2c};
constexpr std::array<int, 3> white = {255, 255, 255};

// The chart as a picture: rendered by rsvg-convert, decoded by libspng.
Image render(const std::string& svg) {
  auto dir =
      std::filesystem::temp_directory_path() / ("llmwire_chart_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto svg_path = (dir / "chart.svg").string(), png_path = (dir / "chart.png").string();
  std::ofstream(svg_path) << svg;
  std::string command = "rsvg-convert -o '" + png_path + "' '" + svg_path + "'";
  REQUIRE_MESSAGE(std::system(command.c_str()) == 0,
                  "rsvg-convert (librsvg2-bin) must be installed");
  auto image = decode_png(png_path);
  std::filesystem::remove_all(dir);
  return image;
}

}  // namespace

TEST_CASE("the chart renders, and its marks sit where the numbers say") {
  // The seeds' NVFP4 run against the 31B: 50.4 vs 6.9 tok/s, 83.9 vs 390.4 ms.
  std::vector<nlohmann::json> results = {
      results_with("gemma-4-26b-nvfp4", {50.0, 50.4, 50.7}, {80.0, 83.9, 87.8}),
      results_with("gemma-4-31b-nvfp4", {6.9, 6.9}, {300.0, 480.8})};
  ChartLayout layout;
  auto image = render(svg_chart(results, layout));

  CHECK(image.width == layout.width);
  CHECK(image.height == layout.height(2));
  auto [tok_max, ttft_max] = chart_axes(results);
  CHECK(tok_max == 60);    // a nice number above 50.7
  CHECK(ttft_max == 600);  // a nice number above 480.8 plus 5% headroom

  // Mean bars: model 0 at 50.37 tok/s and 83.9 ms, model 1 at 6.9 tok/s and 390.4 ms.
  CHECK(near(image.at(layout.x(0, (50.0 + 50.4 + 50.7) / 3, tok_max), layout.y(0) + 14), blue));
  CHECK(near(image.at(layout.x(1, (80.0 + 83.9 + 87.8) / 3, ttft_max), layout.y(0) + 14), red));
  CHECK(near(image.at(layout.x(0, 6.9, tok_max), layout.y(1) + 14), blue));
  CHECK(near(image.at(layout.x(1, 390.4, ttft_max), layout.y(1) + 14), red));
  // Where no mark is, the panel is its light background, not a bar.
  CHECK_FALSE(near(image.at(layout.x(0, 25, tok_max), layout.y(0) + 14), blue, 60));
  CHECK_FALSE(near(image.at(layout.x(1, 250, ttft_max), layout.y(1) + 14), red, 60));
  // The threshold lines (dashed): look along the line for the green dashes.
  auto green_along = [&](int panel, double value, double axis_max) {
    int hits = 0;
    double x = layout.x(panel, value, axis_max);
    for (int y = layout.top + 20; y < layout.top + 2 * layout.row_height; ++y)
      hits += near(image.at(x, y), green);
    return hits;
  };
  CHECK(green_along(0, 40, tok_max) > 20);
  CHECK(green_along(1, 200, ttft_max) > 20);
  // The page around the panels is white.
  CHECK(near(image.at(5, image.height - 5), white, 5));
}

TEST_CASE("the percentile view: a p50-p99 whisker under each row's samples") {
  // Four steady samples and one fast one: p50 32, p99 58 tok/s (nearest rank), mean 36.8.
  auto r = results_with("m", {30, 31, 32, 33, 58}, {80, 82, 84, 86, 300});
  ChartLayout layout;
  auto image = render(svg_chart({r}, layout));
  auto [tok_max, ttft_max] = chart_axes({r});
  const double wy = layout.y(0) + 12;
  CHECK(near(image.at(layout.x(0, 45, tok_max), wy), blue));  // between p50 and p99
  CHECK_FALSE(near(image.at(layout.x(0, 45, tok_max), wy + 8), blue, 60));
  CHECK_FALSE(near(image.at(layout.x(0, 20, tok_max), wy), blue, 60));  // below p50: none
  CHECK(near(image.at(layout.x(1, 200, ttft_max), wy), red));           // TTFT p50 84 to p99 300
  CHECK(near(image.at(layout.x(1, 300, ttft_max), wy - 4), red));       // the p99 tick
}

TEST_CASE("the sweep view: a row per model with each level's stream tok/s and p90 TTFT") {
  auto r = results_with("m", {50}, {80});
  r["tests"]["concurrency"]["sweep"] = nlohmann::json::array(
      {{{"parallel", 1}, {"per_request_tok_s", {{"median", 50.0}}}, {"ttft_ms", {{"p90", 80.0}}}},
       {{"parallel", 3}, {"per_request_tok_s", {{"median", 30.0}}}, {"ttft_ms", {{"p90", 150.0}}}},
       {{"parallel", 8},
        {"per_request_tok_s", {{"median", 12.0}}},
        {"ttft_ms", {{"p90", 420.0}}}}});
  const std::vector<nlohmann::json> results = {r};
  REQUIRE(chart_sweep(r).size() == 3);
  CHECK(chart_rows(results) == 2);
  ChartLayout layout;
  auto image = render(svg_chart(results, layout));
  CHECK(image.height == layout.height(2));
  auto [tok_max, ttft_max] = chart_axes(results);
  CHECK(ttft_max >= 420);  // the axis takes the sweep's p90 too
  const double y = layout.y(1);
  // Levels take three lanes, 9 px above, on and below the row's centre, so equal values stay
  // apart.
  CHECK(near(image.at(layout.x(0, 50, tok_max), y - 9), blue));
  CHECK(near(image.at(layout.x(0, 30, tok_max), y), blue));
  CHECK(near(image.at(layout.x(0, 12, tok_max), y + 9), blue));
  CHECK(near(image.at(layout.x(1, 80, ttft_max), y - 9), red));
  CHECK(near(image.at(layout.x(1, 150, ttft_max), y), red));
  CHECK(near(image.at(layout.x(1, 420, ttft_max), y + 9), red));
  CHECK_FALSE(near(image.at(layout.x(0, 40, tok_max), y), blue, 60));  // no level at 40
}

TEST_CASE("an unmeasured model gets a row that says so, not an empty bar at 0") {
  auto svg = svg_chart({results_with("no-samples", {}, {})});
  CHECK(svg.find("not measured") != std::string::npos);
  CHECK(svg.find("<circle") == std::string::npos);
  CHECK(svg.find("&lt;") == std::string::npos);
  auto escaped = svg_chart({results_with("a<b&c", {1}, {1})});
  CHECK(escaped.find("a&lt;b&amp;c") != std::string::npos);
}

TEST_CASE("the baseline row is labelled as such") {
  auto candidate = results_with("gemma-4-26b-nvfp4", {50.0}, {80.0});
  auto baseline = results_with("nemotron-3-nano-30b-a3b", {48.0}, {130.0});
  baseline["chart_role"] = "baseline";
  auto svg = svg_chart({candidate, baseline});
  CHECK(svg.find(">gemma-4-26b-nvfp4</text>") != std::string::npos);
  CHECK(svg.find("(baseline)</text>") != std::string::npos);
  CHECK(svg.find("nemotron-3-nan… (baseline)</text>") != std::string::npos);
}
