// The suite file: the compiled-in default equals the shipped file, and bad files say what is wrong.

#include "bench/suite.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace llmwire;
using namespace llmwire::bench;

TEST_CASE("the compiled-in default suite is share/llmwire/suites/default.json") {
  std::ifstream in(LLMWIRE_SOURCE_DIR "/share/llmwire/suites/default.json");
  REQUIRE(in);
  std::stringstream buffer;
  buffer << in.rdbuf();
  CHECK(nlohmann::json::parse(buffer.str()) == nlohmann::json::parse(default_suite_json()));
  auto loaded = load_suite(LLMWIRE_SOURCE_DIR "/share/llmwire/suites/default.json");
  REQUIRE(loaded);
}

TEST_CASE("the default suite is the seeds' matrix") {
  const auto& s = default_suite();
  CHECK(s.thinking == Thinking::off);
  CHECK(s.throughput.prompts.size() == 5);
  CHECK(s.throughput.runs == 5);
  CHECK(s.throughput.max_tokens == 500);
  CHECK(s.ttft.prompts.size() == 5);
  CHECK(s.concurrency.parallel == 3);
  CHECK(s.long_context.input_tokens == 32000);
  CHECK(s.long_context.max_tokens == 500);
  CHECK(s.entities.persons.size() == 7);
  CHECK(s.entities.places.size() == 3);
  CHECK(s.tools.cases.size() == 8);
  CHECK(s.tools.tools.size() == 3);
  CHECK(s.vision.grid.size() == 10);
  CHECK(s.vision.grid[0].size() == 10);
  CHECK(s.vision.palette.size() == 5);
  CHECK(s.kannada.entities.size() == 6);
  CHECK(s.thresholds.tok_s_min == 40);
  CHECK(s.thresholds.ttft_ms_max == 200);
  CHECK(s.thresholds.vram_gb_max == 25);
  CHECK(s.thresholds.tools_min == 6);
  CHECK(s.weights.quality == 40);
  CHECK(s.weights.performance == 25);
  CHECK(s.weights.vision == 20);
  CHECK(s.weights.vram == 10);
  CHECK(s.weights.stability == 5);
  CHECK(s.swap_margin == 0.15);
  CHECK(s.quality_repeats == 3);
  // TTFT prompts differ from each other so a prefix cache cannot serve one from another.
  for (std::size_t i = 1; i < s.ttft.prompts.size(); ++i)
    CHECK(s.ttft.prompts[i] != s.ttft.prompts[0]);
}

TEST_CASE("a partial suite keeps the defaults for what it leaves out") {
  auto s = parse_suite(nlohmann::json::parse(R"({"name":"mine","thresholds":{"tok_s_min":25}})"));
  REQUIRE(s);
  CHECK(s->name == "mine");
  CHECK(s->thresholds.tok_s_min == 25);
  CHECK(s->thresholds.ttft_ms_max == 200);
}

TEST_CASE("a suite merges over the defaults key by key: one threshold keeps every prompt") {
  // The bug this pins: a suite naming only a threshold ran with no prompts at all, so tools
  // scored 0/0 and entities 0/0 and the model FAILed.
  const Suite& defaults = default_suite();
  auto only_threshold = parse_suite(nlohmann::json::parse(R"({"thresholds":{"vram_gb_max":30}})"));
  REQUIRE(only_threshold);
  CHECK(only_threshold->thresholds.vram_gb_max == 30);
  CHECK(only_threshold->thresholds.tok_s_min == defaults.thresholds.tok_s_min);
  CHECK(only_threshold->throughput.prompts == defaults.throughput.prompts);
  CHECK(only_threshold->tools.cases.size() == defaults.tools.cases.size());
  CHECK(only_threshold->tools.tools.size() == defaults.tools.tools.size());
  CHECK(only_threshold->entities.persons == defaults.entities.persons);
  CHECK(only_threshold->kannada.entities == defaults.kannada.entities);
  CHECK(only_threshold->vision.grid == defaults.vision.grid);
  CHECK(only_threshold->name == defaults.name);

  // Inside a test object too: one member replaced, its siblings kept.
  auto one_member = parse_suite(nlohmann::json::parse(R"({"tests":{"tools":{"max_tokens":99}}})"));
  REQUIRE(one_member);
  CHECK(one_member->tools.max_tokens == 99);
  CHECK(one_member->tools.cases.size() == defaults.tools.cases.size());

  // An array replaces the default's; null keeps the default.
  auto cases = parse_suite(nlohmann::json::parse(
      R"({"tests":{"tools":{"cases":[{"prompt":"Weather in Pune?","tool":"web_search"}]},)"
      R"("ttft":{"prompts":null}}})"));
  REQUIRE(cases);
  REQUIRE(cases->tools.cases.size() == 1);
  CHECK(cases->tools.cases[0].tool == "web_search");
  CHECK(cases->ttft.prompts == defaults.ttft.prompts);

  // A palette is an object: a new colour is added beside the default ones.
  auto palette = parse_suite(nlohmann::json::parse(
      R"({"tests":{"vision":{"palette":{"Z":{"name":"teal","rgb":[0,128,128]}}}}})"));
  REQUIRE(palette);
  CHECK(palette->vision.palette.size() == defaults.vision.palette.size() + 1);
}

TEST_CASE("a test left with nothing to run is a suite error, not a FAIL of the model") {
  for (const char* doc :
       {R"({"tests":{"tools":{"cases":[]}}})", R"({"tests":{"throughput":{"prompts":[]}}})",
        R"({"tests":{"ttft":{"prompts":[]}}})", R"({"tests":{"kannada":{"entities":[]}}})",
        R"({"tests":{"entities":{"persons":[],"places":[]}}})",
        R"({"tests":{"tools":{"tools":[]}}})"}) {
    CAPTURE(doc);
    auto suite = parse_suite(nlohmann::json::parse(doc));
    REQUIRE_FALSE(suite);
    CHECK(suite.error().kind == ErrorKind::parse);
    CHECK(suite.error().message.find("is empty: the test would have nothing to run") !=
          std::string::npos);
  }
  auto tools = parse_suite(nlohmann::json::parse(R"({"tests":{"tools":{"cases":[]}}})"));
  CHECK(tools.error().message.starts_with("suite: 'tests.tools.cases' is empty"));
}

TEST_CASE("the VRAM test's measure: model (default), process_tree or device") {
  CHECK(default_suite().vram.measure == MemoryMeasure::model);
  auto tree =
      parse_suite(nlohmann::json::parse(R"({"tests":{"vram":{"measure":"process_tree"}}})"));
  REQUIRE(tree);
  CHECK(tree->vram.measure == MemoryMeasure::process_tree);
  auto bad = parse_suite(nlohmann::json::parse(R"({"tests":{"vram":{"measure":"weights"}}})"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message ==
        "suite: 'tests.vram.measure' is model, process_tree or device, not 'weights'");
}

TEST_CASE("bad suites are errors that name the problem") {
  auto wrong_type =
      parse_suite(nlohmann::json::parse(R"({"tests":{"throughput":{"runs":"five"}}})"));
  REQUIRE_FALSE(wrong_type);
  CHECK(wrong_type.error().kind == ErrorKind::parse);
  CHECK(wrong_type.error().message ==
        "suite: 'tests.throughput.runs' must be an integer that fits");
  auto wrong_string = parse_suite(nlohmann::json::parse(R"({"tests":{"kannada":{"prompt":5}}})"));
  REQUIRE_FALSE(wrong_string);
  CHECK(wrong_string.error().message == "suite: 'tests.kannada.prompt' has the wrong type");
  // Sizes that would exhaust the machine instead of measuring the server: refused.
  auto huge_input =
      parse_suite(nlohmann::json::parse(R"({"tests":{"long_context":{"input_tokens":2e9}}})"));
  REQUIRE_FALSE(huge_input);
  CHECK(huge_input.error().message ==
        "suite: 'tests.long_context.input_tokens' must be between 1 and 2000000, got 2000000000");
  auto wide =
      parse_suite(nlohmann::json::parse(R"({"tests":{"concurrency":{"parallel":100000}}})"));
  REQUIRE_FALSE(wide);
  CHECK(wide.error().message.find("'tests.concurrency.parallel' must be between 1 and 1024") !=
        std::string::npos);
  auto no_rounds = parse_suite(nlohmann::json::parse(R"({"quality_repeats":0})"));
  REQUIRE_FALSE(no_rounds);
  CHECK(no_rounds.error().message == "suite: 'quality_repeats' must be between 1 and 20, got 0");
  CHECK(parse_suite(nlohmann::json::parse(R"({"quality_repeats":5})"))->quality_repeats == 5);
  auto negative = parse_suite(nlohmann::json::parse(R"({"thresholds":{"tok_s_min":-1}})"));
  REQUIRE_FALSE(negative);
  auto overflow = parse_suite(nlohmann::json::parse(R"({"tests":{"throughput":{"runs":1e30}}})"));
  REQUIRE_FALSE(overflow);  // a cast of 1e30 to int was undefined behaviour
  auto bad_grid = parse_suite(nlohmann::json::parse(
      R"({"tests":{"vision":{"grid":["RX"],"palette":{"R":{"name":"red","rgb":[255,0,0]}}}}})"));
  REQUIRE_FALSE(bad_grid);
  CHECK(bad_grid.error().message == "suite: 'tests.vision.grid' uses 'X', not in the palette");
  auto thinking = parse_suite(nlohmann::json::parse(R"({"thinking":"maybe"})"));
  REQUIRE_FALSE(thinking);
  auto missing = load_suite("/nonexistent/suite.json");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == ErrorKind::io);
  CHECK_FALSE(parse_suite(nlohmann::json::array()));
}
