#pragma once
/// @file suite.hpp
/// The bench suite: prompts, expected answers, thresholds, weights and the swap margin, as data
/// users edit (JSON). The default suite reproduces the seeds' benchmark matrix and is compiled in
/// (its copy for editing is share/llmwire/suites/default.json).
///
///     auto suite = llmwire::bench::load_suite("my-suite.json");  // or default_suite()
///     if (!suite) return report(suite.error());

#include <array>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmwire/chat.hpp"
#include "llmwire/error.hpp"

namespace llmwire::bench {

struct ThroughputTest {
  /// Hold each output at max_tokens where the server allows it (fair_runs.hpp).
  bool fixed_length = true;
  int runs = 5;  ///< Runs of each prompt.
  int max_tokens = 500;
  std::vector<std::string> prompts;
};

struct TtftTest {
  int max_tokens = 32;
  std::vector<std::string> prompts;  ///< Varied, so a prefix cache does not flatter the result.
};

struct ConcurrencyTest {
  int parallel = 3;  ///< The headline level (aggregate and per-request tok/s in the report).
  /// The sweep: each level runs that many requests at once (parallel is always among them);
  /// capacity is the largest level still meeting the TTFT and tok/s thresholds.
  std::vector<int> levels = {1, 3, 8};
  int max_tokens = 500;
  std::string prompt;
};

struct LongContextTest {
  std::int64_t input_tokens = 32000;
  int max_tokens = 500;
  std::string needle;    ///< A sentence hidden in the middle of the filler.
  std::string question;  ///< Asked after the filler.
  std::string expected;  ///< What a reply that read the needle contains.
};

struct EntitiesTest {
  std::string prompt;  ///< Followed by `text`.
  std::string text;
  int max_tokens = 300;
  std::vector<std::string> persons;
  std::vector<std::string> places;
};

struct ToolCase {
  std::string prompt;
  std::string tool;  ///< The tool that should be called.
  /// Argument name → text the argument's value must contain (case-insensitive).
  nlohmann::json arguments_contain = nlohmann::json::object();
};

struct ToolsTest {
  int max_tokens = 200;
  std::vector<ToolSpec> tools;
  std::vector<ToolCase> cases;
  double weight_structured = 1.0;  ///< Score of a right call the server parsed.
  double weight_recovered = 0.75;  ///< Score of a right call llmwire recovered from text.
  double weight_wrong = 0.0;
};

struct VisionColour {
  char key = 'R';
  std::string name;  ///< "red"
  std::array<std::uint8_t, 3> rgb{};
  std::string position;  ///< "top-left"; empty = position not scored
};

struct VisionTest {
  std::string prompt;
  int max_tokens = 300;
  std::vector<std::string> grid;  ///< Rows of palette keys (10 rows of 10 for the default).
  std::vector<VisionColour> palette;
};

struct KannadaTest {
  std::string prompt;  ///< Followed by `text`.
  std::string text;
  std::vector<std::vector<std::string>> entities;  ///< Each entity: its accepted spellings.
  std::string reply_prompt;                        ///< Asks for a reply in Kannada.
  int min_kannada_chars = 10;
  int max_tokens = 200;
};

/// Which memory figure the VRAM threshold judges (the report shows every figure it has).
enum class MemoryMeasure {
  model,  ///< The model's own memory: vLLM's "Model loading took" (--server-log), Ollama's size.
  process_tree,  ///< Everything the server's process tree holds on the GPU (--server-pid).
  device,        ///< The device's used memory (peak during the run).
};
[[nodiscard]] std::string_view to_string(MemoryMeasure measure) noexcept;

struct VramTest {
  MemoryMeasure measure = MemoryMeasure::model;
};

/// Pass/fail lines of the decision framework.
struct Thresholds {
  double tok_s_min = 40;
  double ttft_ms_max = 200;
  double vram_gb_max = 25;
  int tools_min = 6;  ///< Right calls (structured or recovered) out of the cases.
  int vision_colours_min = 5;
  int persons_min = 5;
  int kannada_entities_min = 4;
};

/// Percent weights of the score's components (the seeds': 40/25/20/10/5).
struct Weights {
  double quality = 40, performance = 25, vision = 20, vram = 10, stability = 5;
};

/// Where component scores reach 1 (or 0): see decision.hpp.
struct Scoring {
  double tok_s_full = 80;    ///< tok/s at which the throughput half of performance is 1.
  double ttft_ms_full = 50;  ///< TTFT at or under which the TTFT half is 1 (score = full/ttft).
  double vram_gb_zero = 50;  ///< VRAM at which the VRAM score reaches 0 (linear from 0 GB).
};

struct Suite {
  std::string name;
  std::string description;
  Thinking thinking = Thinking::off;
  ThroughputTest throughput;
  TtftTest ttft;
  ConcurrencyTest concurrency;
  LongContextTest long_context;
  VramTest vram;
  EntitiesTest entities;
  ToolsTest tools;
  VisionTest vision;
  KannadaTest kannada;
  Thresholds thresholds;
  Weights weights;
  Scoring scoring;
  double swap_margin = 0.15;  ///< A candidate must beat the baseline's score by this fraction.
  /// Rounds of each quality test (entities, tools, vision, Kannada): single runs swing (tools
  /// 7/8 ↔ 8/8), so the thresholds judge the median round and the report shows the spread.
  int quality_repeats = 3;
  /// Sampling pinned on every request so runs compare (`temperature`, `seed`; both nullopt when
  /// the file says "pin_sampling": false, leaving them to the server).
  std::optional<double> temperature = 0.0;
  std::optional<std::int64_t> seed = 1234;
};

/// The test names, in the order they run.
[[nodiscard]] const std::vector<std::string>& test_names();

/// Reads a suite from JSON, merged key by key over the default suite: objects merge member by
/// member (a `thresholds` object naming one threshold keeps every other), any other value
/// replaces the default's (a `cases` array replaces the default cases), and null keeps the
/// default. Errors: ErrorKind::parse naming the key, for a wrong type, a value out of range, or
/// a test left with nothing to run (an empty prompt or case list).
[[nodiscard]] Result<Suite> parse_suite(const nlohmann::json& document);
/// parse_suite() on a file. ErrorKind::io when unreadable, ErrorKind::parse when not JSON.
[[nodiscard]] Result<Suite> load_suite(const std::filesystem::path& path);

/// The default suite's JSON text (identical to share/llmwire/suites/default.json).
[[nodiscard]] std::string_view default_suite_json() noexcept;
/// The default suite, parsed.
[[nodiscard]] const Suite& default_suite();

}  // namespace llmwire::bench
