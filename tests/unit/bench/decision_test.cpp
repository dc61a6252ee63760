// The decision framework on the seeds' own numbers (Phase 2/3 tables of the Gemma 4 research).

#include "bench/decision.hpp"

#include <doctest/doctest.h>

using namespace llmwire::bench;

namespace {

// Gemma 4 26B-A4B NVFP4 on Titan (Phase 3): every threshold passes.
Metrics nvfp4_26b() {
  return {.tok_s = 50.4,
          .ttft_ms = 83.9,
          .vram_gb = 15.74,
          .tools_correct = 7,
          .tools_structured = 7,
          .tools_recovered = 0,
          .tools_total = 8,
          .tools_weighted = 7.0 / 8.0,
          .persons_found = 7,
          .persons_total = 7,
          .places_found = 3,
          .places_total = 3,
          .vision_colours = 5,
          .vision_total = 5,
          .kannada_entities = 6,
          .kannada_total = 6,
          .kannada_reply = true,
          .stability = 1.0};
}

// Gemma 4 26B-A4B online FP8 (Phase 2): slow, big, and 0/8 tools with the wrong parser.
Metrics fp8_26b() {
  return {.tok_s = 38.4,
          .ttft_ms = 111.3,
          .vram_gb = 59.41,
          .tools_correct = 0,
          .tools_structured = 0,
          .tools_recovered = 0,
          .tools_total = 8,
          .tools_weighted = 0.0,
          .persons_found = 7,
          .persons_total = 7,
          .places_found = 3,
          .places_total = 3,
          .vision_colours = 5,
          .vision_total = 5,
          .kannada_entities = 6,
          .kannada_total = 6,
          .kannada_reply = true,
          .stability = 1.0};
}

// Gemma 4 31B NVFP4 on Beast (Phase 2).
Metrics nvfp4_31b() {
  return {.tok_s = 6.9,
          .ttft_ms = 390.4,
          .vram_gb = 45.95,
          .tools_correct = 0,
          .tools_total = 8,
          .tools_weighted = 0.0,
          .persons_found = 7,
          .persons_total = 7,
          .places_found = 3,
          .places_total = 3,
          .vision_colours = 5,
          .vision_total = 5,
          .kannada_entities = 6,
          .kannada_total = 6,
          .kannada_reply = true};
}

// Nemotron Nano 30B-A3B in production: the baseline (no vision, Kannada not measured).
Metrics nano() {
  return {.tok_s = 48.0,
          .ttft_ms = 130.0,
          .vram_gb = 18.0,
          .tools_correct = 7,
          .tools_structured = 7,
          .tools_total = 8,
          .tools_weighted = 7.0 / 8.0,
          .persons_found = 7,
          .persons_total = 7,
          .vision_colours = 0,
          .vision_total = 5,
          .stability = 1.0};
}

CheckStatus status_of(const std::vector<ThresholdCheck>& checks, const std::string& metric) {
  for (const auto& c : checks) {
    if (c.metric == metric) return c.status;
  }
  FAIL("no check named " << metric);
  return CheckStatus::not_measured;
}

}  // namespace

TEST_CASE(
    "26B-A4B NVFP4 (50.4 tok/s, 83.9 ms, 15.74 GB, tools 7/8, vision 5/5) passes every threshold") {
  Suite
      suite;  // the default thresholds are the seeds': 40 tok/s, 200 ms, 25 GB, 6/8, vision working
  auto checks = check_thresholds(nvfp4_26b(), suite.thresholds);
  for (const auto& check : checks) {
    INFO(check.metric << " = " << check.value);
    CHECK(check.status == CheckStatus::pass);
  }
  auto v = verdict(checks);
  CHECK(v.all_pass);
  CHECK(v.failed.empty());
  auto decision = decide(nvfp4_26b(), nullptr, suite);
  CHECK(decision.outcome == "PASS");
  CHECK(decision.reason == "meets every threshold.");
  // The seeds' tool-calling figure: 7/8 structured is a weighted 0.88.
  CHECK(checks[3].value == "7/8 (0.88)");
  CHECK(checks[2].value == "15.74 GB");
}

TEST_CASE("26B FP8 (38.4 tok/s, 59.41 GB, tools 0/8) does not pass") {
  Suite suite;
  auto checks = check_thresholds(fp8_26b(), suite.thresholds);
  CHECK(status_of(checks, "tok/s") == CheckStatus::fail);
  CHECK(status_of(checks, "VRAM") == CheckStatus::fail);
  CHECK(status_of(checks, "Tools") == CheckStatus::fail);
  CHECK(status_of(checks, "TTFT") == CheckStatus::pass);  // 111.3 ms ≤ 200
  CHECK(status_of(checks, "Vision") == CheckStatus::pass);
  auto v = verdict(checks);
  CHECK_FALSE(v.all_pass);
  CHECK(v.failed == std::vector<std::string>{"tok/s", "VRAM", "Tools"});
  auto decision = decide(fp8_26b(), nullptr, suite);
  CHECK(decision.outcome == "FAIL");
  CHECK(decision.reason == "fails the thresholds for tok/s, VRAM, Tools.");
}

TEST_CASE("31B NVFP4 (6.9 tok/s, 45.95 GB) does not pass") {
  Suite suite;
  auto checks = check_thresholds(nvfp4_31b(), suite.thresholds);
  CHECK(status_of(checks, "tok/s") == CheckStatus::fail);
  CHECK(status_of(checks, "VRAM") == CheckStatus::fail);
  CHECK(status_of(checks, "TTFT") == CheckStatus::fail);  // 390.4 ms
  CHECK(status_of(checks, "Vision") == CheckStatus::pass);
  CHECK_FALSE(verdict(checks).all_pass);
  CHECK(decide(nvfp4_31b(), nullptr, suite).outcome == "FAIL");
}

TEST_CASE("thresholds sit exactly on their lines") {
  Suite suite;
  Metrics edge{.tok_s = 40.0,
               .ttft_ms = 200.0,
               .vram_gb = 25.0,
               .tools_correct = 6,
               .tools_total = 8,
               .persons_found = 5,
               .persons_total = 7,
               .vision_colours = 5,
               .vision_total = 5,
               .kannada_entities = 4,
               .kannada_total = 6};
  CHECK(verdict(check_thresholds(edge, suite.thresholds)).all_pass);
  edge.tok_s = 39.99;
  edge.tools_correct = 5;
  CHECK(verdict(check_thresholds(edge, suite.thresholds)).failed ==
        std::vector<std::string>{"tok/s", "Tools"});
}

TEST_CASE("an unavailable VRAM reading is not a 0 and not a failure") {
  Suite suite;
  auto metrics = nvfp4_26b();
  metrics.vram_gb.reset();
  auto checks = check_thresholds(metrics, suite.thresholds);
  CHECK(status_of(checks, "VRAM") == CheckStatus::not_measured);
  CHECK(checks[2].value == "unavailable");
  auto v = verdict(checks);
  CHECK_FALSE(v.all_pass);
  CHECK(v.none_failed);
  CHECK(v.not_measured == std::vector<std::string>{"VRAM"});
  auto decision = decide(metrics, nullptr, suite);
  CHECK(decision.outcome == "PASS");
  CHECK(decision.reason == "meets every measured threshold (not measured: VRAM).");
  // The score renormalises over what was measured instead of scoring VRAM as 0 GB (perfect).
  auto s = score(metrics, suite);
  CHECK_FALSE(s.vram.has_value());
  CHECK(s.left_out == std::vector<std::string>{"vram"});
}

TEST_CASE("score: the seeds' weights on the NVFP4 row") {
  Suite suite;
  auto s = score(nvfp4_26b(), suite);
  // quality = mean(entities 10/10, tools 0.875, Kannada 6/6 + reply) = 0.9583
  CHECK(*s.quality == doctest::Approx((1.0 + 0.875 + 1.0) / 3));
  // performance = mean(50.4/80, 50/83.9)
  CHECK(*s.performance == doctest::Approx((50.4 / 80 + 50 / 83.9) / 2));
  CHECK(*s.vision == 1.0);
  CHECK(*s.vram == doctest::Approx(1 - 15.74 / 50));
  CHECK(*s.stability == 1.0);
  double expected = 40 * *s.quality + 25 * *s.performance + 20 * 1.0 + 10 * *s.vram + 5 * 1.0;
  CHECK(s.total == doctest::Approx(expected));
}

TEST_CASE("swap rule: 15% over the baseline, and only when the candidate meets the thresholds") {
  Suite suite;
  auto candidate = nvfp4_26b();
  auto baseline = nano();
  auto d = decide(candidate, &baseline, suite);
  // Kannada is unmeasured for the baseline, so both are scored without it (same components).
  REQUIRE(d.margin.has_value());
  CHECK(*d.margin >= 0.15);
  CHECK(d.outcome == "SWAP");
  // The same model against itself: no gain, keep the baseline.
  auto same = decide(baseline, &baseline, suite);
  CHECK(*same.margin == doctest::Approx(0.0));
  CHECK(same.outcome == "KEEP");
  // A candidate failing a threshold is never swapped in, whatever its score.
  auto fp8 = fp8_26b();
  auto failing = decide(fp8, &baseline, suite);
  CHECK(failing.outcome == "KEEP");
  CHECK(failing.reason.find("fails the thresholds for tok/s, VRAM, Tools") != std::string::npos);
  // A stricter margin turns the swap into a keep.
  suite.swap_margin = 10.0;
  CHECK(decide(candidate, &baseline, suite).outcome == "KEEP");
}

TEST_CASE("metrics survive the results file") {
  auto m = nvfp4_26b();
  m.vram_gb.reset();
  auto back = metrics_from_json(to_json(m));
  CHECK(*back.tok_s == 50.4);
  CHECK_FALSE(back.vram_gb.has_value());
  CHECK(*back.tools_weighted == 0.875);
  CHECK(*back.kannada_reply);
  CHECK(back.tools_total == 8);
}

TEST_CASE("a tools threshold with no cases run reads \"≥ 6\", not \"≥ 6/0\"") {
  Metrics none;  // tools not run: no count, no total
  Thresholds t;
  for (const auto& check : check_thresholds(none, t)) {
    if (check.metric != "Tools") continue;
    CHECK(check.threshold == "≥ 6");
    CHECK(check.status == CheckStatus::not_measured);
  }
  Metrics run;
  run.tools_correct = 7;
  run.tools_total = 8;
  for (const auto& check : check_thresholds(run, t))
    if (check.metric == "Tools") CHECK(check.threshold == "≥ 6/8");
}
