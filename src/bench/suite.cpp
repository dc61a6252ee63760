// Suite parsing: JSON → Suite, with defaults for missing keys and errors that name the key.

#include "bench/suite.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "llmwire/detail/json_integer.hpp"
#include "llmwire/json_parse.hpp"

namespace llmwire::bench {
namespace {

// Reads `key` of `object` into `out` when present; a wrong type names the key in the error.
template <class T>
Result<void> read(const nlohmann::json& object, std::string_view path, const char* key, T& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // get<int>() of 2e9 or 1e30 would truncate (a cast out of range is undefined behaviour).
    if (detail::read_integer(*it, out) != detail::IntegerRead::ok) {
      return fail(ErrorKind::parse,
                  "suite: '" + std::string(path) + "." + key + "' must be an integer that fits");
    }
    return {};
  }
  try {
    out = it->get<T>();
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(out)) throw std::out_of_range("not finite");
    }
  } catch (const std::exception&) {
    return fail(ErrorKind::parse,
                "suite: '" + std::string(path) + "." + key + "' has the wrong type");
  }
  return {};
}

const nlohmann::json& section(const nlohmann::json& object, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

#define LLMWIRE_READ(obj, path, key, out)         \
  if (auto ok = read(obj, path, key, out); !ok) { \
    return tl::unexpected<Error>(ok.error());     \
  }

Result<void> parse_tests(const nlohmann::json& tests, Suite& suite) {
  const auto& tp = section(tests, "throughput");
  LLMWIRE_READ(tp, "tests.throughput", "runs", suite.throughput.runs);
  LLMWIRE_READ(tp, "tests.throughput", "max_tokens", suite.throughput.max_tokens);
  LLMWIRE_READ(tp, "tests.throughput", "prompts", suite.throughput.prompts);
  LLMWIRE_READ(tp, "tests.throughput", "fixed_length", suite.throughput.fixed_length);
  const auto& tt = section(tests, "ttft");
  LLMWIRE_READ(tt, "tests.ttft", "max_tokens", suite.ttft.max_tokens);
  LLMWIRE_READ(tt, "tests.ttft", "prompts", suite.ttft.prompts);
  const auto& cc = section(tests, "concurrency");
  LLMWIRE_READ(cc, "tests.concurrency", "parallel", suite.concurrency.parallel);
  LLMWIRE_READ(cc, "tests.concurrency", "levels", suite.concurrency.levels);
  LLMWIRE_READ(cc, "tests.concurrency", "max_tokens", suite.concurrency.max_tokens);
  LLMWIRE_READ(cc, "tests.concurrency", "prompt", suite.concurrency.prompt);
  const auto& lc = section(tests, "long_context");
  LLMWIRE_READ(lc, "tests.long_context", "input_tokens", suite.long_context.input_tokens);
  LLMWIRE_READ(lc, "tests.long_context", "max_tokens", suite.long_context.max_tokens);
  LLMWIRE_READ(lc, "tests.long_context", "needle", suite.long_context.needle);
  LLMWIRE_READ(lc, "tests.long_context", "question", suite.long_context.question);
  LLMWIRE_READ(lc, "tests.long_context", "expected", suite.long_context.expected);
  const auto& vr = section(tests, "vram");
  std::string measure = std::string(to_string(suite.vram.measure));
  LLMWIRE_READ(vr, "tests.vram", "measure", measure);
  if (measure == "model") {
    suite.vram.measure = MemoryMeasure::model;
  } else if (measure == "process_tree") {
    suite.vram.measure = MemoryMeasure::process_tree;
  } else if (measure == "device") {
    suite.vram.measure = MemoryMeasure::device;
  } else {
    return fail(
        ErrorKind::parse,
        "suite: 'tests.vram.measure' is model, process_tree or device, not '" + measure + "'");
  }
  const auto& en = section(tests, "entities");
  LLMWIRE_READ(en, "tests.entities", "prompt", suite.entities.prompt);
  LLMWIRE_READ(en, "tests.entities", "text", suite.entities.text);
  LLMWIRE_READ(en, "tests.entities", "max_tokens", suite.entities.max_tokens);
  LLMWIRE_READ(en, "tests.entities", "persons", suite.entities.persons);
  LLMWIRE_READ(en, "tests.entities", "places", suite.entities.places);

  const auto& tl = section(tests, "tools");
  LLMWIRE_READ(tl, "tests.tools", "max_tokens", suite.tools.max_tokens);
  if (auto it = tl.find("tools"); it != tl.end() && it->is_array()) {
    suite.tools.tools.clear();
    for (const auto& spec : *it) {
      ToolSpec tool;
      LLMWIRE_READ(spec, "tests.tools.tools[]", "name", tool.name);
      LLMWIRE_READ(spec, "tests.tools.tools[]", "description", tool.description);
      if (spec.contains("parameters")) tool.parameters = spec["parameters"];
      suite.tools.tools.push_back(std::move(tool));
    }
  }
  if (auto it = tl.find("cases"); it != tl.end() && it->is_array()) {
    suite.tools.cases.clear();
    for (const auto& item : *it) {
      ToolCase tool_case;
      LLMWIRE_READ(item, "tests.tools.cases[]", "prompt", tool_case.prompt);
      LLMWIRE_READ(item, "tests.tools.cases[]", "tool", tool_case.tool);
      if (item.contains("arguments_contain") && item["arguments_contain"].is_object()) {
        tool_case.arguments_contain = item["arguments_contain"];
      }
      suite.tools.cases.push_back(std::move(tool_case));
    }
  }
  const auto& tw = section(tl, "weights");
  LLMWIRE_READ(tw, "tests.tools.weights", "structured", suite.tools.weight_structured);
  LLMWIRE_READ(tw, "tests.tools.weights", "recovered", suite.tools.weight_recovered);
  LLMWIRE_READ(tw, "tests.tools.weights", "wrong", suite.tools.weight_wrong);

  const auto& vi = section(tests, "vision");
  LLMWIRE_READ(vi, "tests.vision", "prompt", suite.vision.prompt);
  LLMWIRE_READ(vi, "tests.vision", "max_tokens", suite.vision.max_tokens);
  LLMWIRE_READ(vi, "tests.vision", "grid", suite.vision.grid);
  const auto& palette = section(vi, "palette");
  if (!palette.empty()) suite.vision.palette.clear();
  for (const auto& [key, entry] : palette.items()) {
    if (key.size() != 1 || !entry.is_object()) {
      return fail(ErrorKind::parse, "suite: 'tests.vision.palette' keys are single characters");
    }
    VisionColour colour;
    colour.key = key[0];
    LLMWIRE_READ(entry, "tests.vision.palette", "name", colour.name);
    LLMWIRE_READ(entry, "tests.vision.palette", "rgb", colour.rgb);
    LLMWIRE_READ(entry, "tests.vision.palette", "position", colour.position);
    suite.vision.palette.push_back(std::move(colour));
  }
  for (const auto& row : suite.vision.grid) {
    if (row.size() != suite.vision.grid.front().size()) {
      return fail(ErrorKind::parse, "suite: 'tests.vision.grid' rows differ in length");
    }
    for (char c : row) {
      bool known = false;
      for (const auto& colour : suite.vision.palette) known = known || colour.key == c;
      if (!known) {
        return fail(ErrorKind::parse,
                    std::string("suite: 'tests.vision.grid' uses '") + c + "', not in the palette");
      }
    }
  }

  const auto& kn = section(tests, "kannada");
  LLMWIRE_READ(kn, "tests.kannada", "prompt", suite.kannada.prompt);
  LLMWIRE_READ(kn, "tests.kannada", "text", suite.kannada.text);
  LLMWIRE_READ(kn, "tests.kannada", "entities", suite.kannada.entities);
  LLMWIRE_READ(kn, "tests.kannada", "reply_prompt", suite.kannada.reply_prompt);
  LLMWIRE_READ(kn, "tests.kannada", "min_kannada_chars", suite.kannada.min_kannada_chars);
  LLMWIRE_READ(kn, "tests.kannada", "max_tokens", suite.kannada.max_tokens);
  return {};
}

// Sizes a benchmark can honestly ask for: beyond them a typo (parallel: 100000, input_tokens:
// 2e9) would exhaust the machine instead of measuring the server.
Result<void> check_limits(const Suite& s) {
  struct Limit {
    const char* name;
    long long value, lo, hi;
  };
  const Limit limits[] = {
      {"tests.throughput.runs", s.throughput.runs, 1, 1000},
      {"quality_repeats", s.quality_repeats, 1, 20},
      {"tests.throughput.max_tokens", s.throughput.max_tokens, 1, 1'000'000},
      {"tests.ttft.max_tokens", s.ttft.max_tokens, 1, 1'000'000},
      {"tests.concurrency.parallel", s.concurrency.parallel, 1, 1024},
      {"tests.concurrency.max_tokens", s.concurrency.max_tokens, 1, 1'000'000},
      {"tests.long_context.input_tokens", s.long_context.input_tokens, 1, 2'000'000},
      {"tests.long_context.max_tokens", s.long_context.max_tokens, 1, 1'000'000},
      {"tests.entities.max_tokens", s.entities.max_tokens, 1, 1'000'000},
      {"tests.tools.max_tokens", s.tools.max_tokens, 1, 1'000'000},
      {"tests.vision.max_tokens", s.vision.max_tokens, 1, 1'000'000},
      {"tests.kannada.max_tokens", s.kannada.max_tokens, 1, 1'000'000},
      {"tests.kannada.min_kannada_chars", s.kannada.min_kannada_chars, 0, 1'000'000},
      {"thresholds.tools_min", s.thresholds.tools_min, 0, 1'000'000},
      {"thresholds.vision_colours_min", s.thresholds.vision_colours_min, 0, 1'000'000},
      {"thresholds.persons_min", s.thresholds.persons_min, 0, 1'000'000},
      {"thresholds.kannada_entities_min", s.thresholds.kannada_entities_min, 0, 1'000'000},
  };
  if (s.concurrency.levels.size() > 16)
    return fail(ErrorKind::parse, "suite: 'tests.concurrency.levels' holds at most 16 levels");
  for (int level : s.concurrency.levels) {
    if (level < 1 || level > 1024)
      return fail(ErrorKind::parse,
                  "suite: 'tests.concurrency.levels' must be between 1 and "
                  "1024, got " +
                      std::to_string(level));
  }
  for (const Limit& l : limits) {
    if (l.value < l.lo || l.value > l.hi) {
      return fail(ErrorKind::parse, std::string("suite: '") + l.name + "' must be between " +
                                        std::to_string(l.lo) + " and " + std::to_string(l.hi) +
                                        ", got " + std::to_string(l.value));
    }
  }
  for (double v : {s.thresholds.tok_s_min, s.thresholds.ttft_ms_max, s.thresholds.vram_gb_max,
                   s.weights.quality, s.weights.performance, s.weights.vision, s.weights.vram,
                   s.weights.stability, s.swap_margin, s.tools.weight_structured,
                   s.tools.weight_recovered, s.tools.weight_wrong}) {
    if (v < 0) return fail(ErrorKind::parse, "suite: thresholds and weights must not be negative");
  }
  return {};
}

// A test with nothing to run would score the model 0/0: that is the suite's mistake, said now.
Result<void> check_cases(const Suite& s) {
  struct Needed {
    const char* name;
    bool empty;
  };
  const Needed needed[] = {
      {"tests.throughput.prompts", s.throughput.prompts.empty()},
      {"tests.ttft.prompts", s.ttft.prompts.empty()},
      {"tests.concurrency.prompt", s.concurrency.prompt.empty()},
      {"tests.entities.text", s.entities.text.empty()},
      {"tests.entities.persons", s.entities.persons.empty() && s.entities.places.empty()},
      {"tests.tools.tools", s.tools.tools.empty()},
      {"tests.tools.cases", s.tools.cases.empty()},
      {"tests.vision.grid", s.vision.grid.empty() || s.vision.grid.front().empty()},
      {"tests.vision.palette", s.vision.palette.empty()},
      {"tests.kannada.text", s.kannada.text.empty()},
      {"tests.kannada.entities", s.kannada.entities.empty()},
  };
  for (const Needed& n : needed) {
    if (n.empty) {
      return fail(ErrorKind::parse, std::string("suite: '") + n.name +
                                        "' is empty: the test would have nothing to run (leave "
                                        "the key out to keep the default)");
    }
  }
  return {};
}

// `user` over `defaults`, key by key (see parse_suite).
nlohmann::json merged(const nlohmann::json& defaults, const nlohmann::json& user) {
  if (!defaults.is_object() || !user.is_object()) return user.is_null() ? defaults : user;
  nlohmann::json out = defaults;
  for (const auto& [key, value] : user.items()) {
    if (value.is_null()) continue;
    auto it = out.find(key);
    out[key] = it == out.end() ? value : merged(*it, value);
  }
  return out;
}

const nlohmann::json& default_document() {
  static const nlohmann::json document = nlohmann::json::parse(default_suite_json());
  return document;
}

Result<Suite> parse_complete(const nlohmann::json& document);

}  // namespace

std::string_view to_string(MemoryMeasure measure) noexcept {
  switch (measure) {
    case MemoryMeasure::model: return "model";
    case MemoryMeasure::process_tree: return "process_tree";
    case MemoryMeasure::device: return "device";
  }
  return "model";
}

const std::vector<std::string>& test_names() {
  static const std::vector<std::string> names = {"throughput",   "ttft",   "concurrency",
                                                 "long_context", "vram",   "entities",
                                                 "tools",        "vision", "kannada"};
  return names;
}

Result<Suite> parse_suite(const nlohmann::json& document) {
  if (!document.is_object())
    return fail(ErrorKind::parse, "suite: the document is not a JSON object");
  return parse_complete(merged(default_document(), document));
}

namespace {

// A whole suite document (the default, or a user's merged over it).
Result<Suite> parse_complete(const nlohmann::json& document) {
  Suite suite;
  LLMWIRE_READ(document, "", "name", suite.name);
  LLMWIRE_READ(document, "", "description", suite.description);
  std::string thinking = "off";
  LLMWIRE_READ(document, "", "thinking", thinking);
  if (thinking == "off")
    suite.thinking = Thinking::off;
  else if (thinking == "on")
    suite.thinking = Thinking::on;
  else if (thinking == "default" || thinking == "server_default")
    suite.thinking = Thinking::server_default;
  else
    return fail(ErrorKind::parse, "suite: 'thinking' is off, on or default");
  if (auto ok = parse_tests(section(document, "tests"), suite); !ok)
    return tl::unexpected<Error>(ok.error());

  const auto& th = section(document, "thresholds");
  LLMWIRE_READ(th, "thresholds", "tok_s_min", suite.thresholds.tok_s_min);
  LLMWIRE_READ(th, "thresholds", "ttft_ms_max", suite.thresholds.ttft_ms_max);
  LLMWIRE_READ(th, "thresholds", "vram_gb_max", suite.thresholds.vram_gb_max);
  LLMWIRE_READ(th, "thresholds", "tools_min", suite.thresholds.tools_min);
  LLMWIRE_READ(th, "thresholds", "vision_colours_min", suite.thresholds.vision_colours_min);
  LLMWIRE_READ(th, "thresholds", "persons_min", suite.thresholds.persons_min);
  LLMWIRE_READ(th, "thresholds", "kannada_entities_min", suite.thresholds.kannada_entities_min);
  const auto& we = section(document, "weights");
  LLMWIRE_READ(we, "weights", "quality", suite.weights.quality);
  LLMWIRE_READ(we, "weights", "performance", suite.weights.performance);
  LLMWIRE_READ(we, "weights", "vision", suite.weights.vision);
  LLMWIRE_READ(we, "weights", "vram", suite.weights.vram);
  LLMWIRE_READ(we, "weights", "stability", suite.weights.stability);
  const auto& sc = section(document, "scoring");
  LLMWIRE_READ(sc, "scoring", "tok_s_full", suite.scoring.tok_s_full);
  LLMWIRE_READ(sc, "scoring", "ttft_ms_full", suite.scoring.ttft_ms_full);
  LLMWIRE_READ(sc, "scoring", "vram_gb_zero", suite.scoring.vram_gb_zero);
  LLMWIRE_READ(document, "", "swap_margin", suite.swap_margin);
  LLMWIRE_READ(document, "", "quality_repeats", suite.quality_repeats);
  {
    bool pin = true;
    double temperature = suite.temperature.value_or(0.0);
    std::int64_t seed = suite.seed.value_or(1234);
    LLMWIRE_READ(document, "", "pin_sampling", pin);
    LLMWIRE_READ(document, "", "temperature", temperature);
    LLMWIRE_READ(document, "", "seed", seed);
    if (temperature < 0 || temperature > 100)
      return fail(ErrorKind::parse, "suite: 'temperature' must be between 0 and 100");
    suite.temperature = pin ? std::optional(temperature) : std::nullopt;
    suite.seed = pin ? std::optional(seed) : std::nullopt;
  }
  if (suite.scoring.tok_s_full <= 0 || suite.scoring.ttft_ms_full <= 0 ||
      suite.scoring.vram_gb_zero <= 0) {
    return fail(ErrorKind::parse, "suite: 'scoring' values must be positive");
  }
  if (auto ok = check_limits(suite); !ok) return tl::unexpected(ok.error());
  if (auto ok = check_cases(suite); !ok) return tl::unexpected(ok.error());
  return suite;
}

}  // namespace

Result<Suite> load_suite(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::io, "cannot read suite file " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto document = llmwire::json::parse(buffer.str());
  if (!document)
    return fail(ErrorKind::parse,
                "suite file " + path.string() + " is not valid JSON: " + document.error().message);
  return parse_suite(*document);
}

const Suite& default_suite() {
  static const Suite suite = [] {
    auto parsed = parse_complete(default_document());
    return parsed ? *parsed : Suite{};
  }();
  return suite;
}

}  // namespace llmwire::bench
