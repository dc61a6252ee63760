// Runs the suite's tests against one endpoint and scores them. Each test records its raw samples
// in the results document; metrics are derived from those samples only.

#include "bench/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <numeric>

#include "bench/fair_runs.hpp"
#include "bench/memory_figures.hpp"
#include "llmwire/gpu.hpp"
#include "llmwire/json.hpp"
#include "llmwire/profile.hpp"
#include "llmwire/version.hpp"

namespace llmwire::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

std::string clip(std::string_view text, std::size_t limit = 4000) {
  if (text.size() <= limit) return std::string(text);
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8
  return std::string(text.substr(0, cut)) + "…";
}

std::string now_iso() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string host_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

// Everything a test needs while it runs: the request counter for stability and progress.
struct Context {
  const Suite& suite;
  const Endpoint& endpoint;
  const ChatFunction& chat;
  const ParallelChatFunction& parallel;
  const RunOptions& options;
  FairRuns fair;
  int requests = 0;
  int failed_requests = 0;
  int done = 0;
  int total = 0;
  Clock::time_point started = Clock::now();

  std::map<std::string, int> test_done;
  std::map<std::string, int> test_total;  // planned requests per test

  void progress(const std::string& test, int steps = 1) {
    done += steps;
    test_done[test] += steps;
    if (!options.on_progress) return;
    double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    double eta = done > 0 ? elapsed / done * std::max(0, total - done) : 0;
    options.on_progress({test, test_done[test], test_total[test], done, total, eta});
  }

  ChatRequest request(std::string prompt, int max_tokens) const {
    ChatRequest r;
    r.model = endpoint.model;
    r.profile = endpoint.profile;
    r.messages = {Message::user(std::move(prompt))};
    r.max_tokens = max_tokens;
    r.thinking = suite.thinking;
    r.temperature = fair.temperature;
    r.extra = sampling_fields(fair, endpoint.api);
    return r;
  }

  /// A throughput request: its output held at max_tokens where the server allows it.
  ChatRequest fixed_length_request(std::string prompt, int max_tokens) const {
    ChatRequest r = request(std::move(prompt), max_tokens);
    r.extra.merge_patch(fair.fixed_length);
    return r;
  }

  Exchange send(const ChatRequest& r) {
    auto exchange = chat(r);
    count(exchange);
    return exchange;
  }

  void count(const Exchange& exchange) {
    ++requests;
    if (!exchange.result || exchange.result->error || !exchange.result->done) ++failed_requests;
  }
};

std::string error_text(const Exchange& exchange) {
  if (!exchange.result) {
    const auto& e = exchange.result.error();
    std::string text(to_string(e.kind));
    if (e.http_status) text += " (HTTP " + std::to_string(e.http_status) + ")";
    return text + ": " + e.message;
  }
  if (exchange.result->error) {
    return std::string(to_string(exchange.result->error->kind)) + ": " +
           exchange.result->error->message;
  }
  if (!exchange.result->done) return "stream ended without the end marker";
  return {};
}

// One timed generation: the figures every performance test records.
nlohmann::json timing_sample(const Exchange& exchange) {
  auto optional = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json s = nlohmann::json::object();
  s["total_ms"] = exchange.total_ms;
  s["ttft_ms"] = nullptr;
  s["deltas"] = exchange.deltas;
  s["error"] = nullptr;
  auto error = error_text(exchange);
  if (!error.empty()) s["error"] = error;
  if (!exchange.result) return s;
  const auto& r = *exchange.result;
  // The headline numbers are the library's (ChatResult::timings), one definition for every
  // caller: TTFT from the request to the first output, decode tok/s from the server's token
  // count over the deltas' window (from the first byte when the server held output back).
  const Timings& t = r.timings;
  if (t.total_ms) s["total_ms"] = *t.total_ms;
  s["ttft_ms"] = optional(t.ttft_ms);
  s["first_sentence_ms"] = optional(t.first_sentence_ms);
  s["tok_s"] = optional(t.decode_tok_s);
  s["itl_p50_ms"] = optional(t.gap_p50_ms);
  s["itl_p90_ms"] = optional(t.gap_p90_ms);
  s["itl_p99_ms"] = optional(t.gap_p99_ms);
  if (t.output_held_back) s["output_held_back"] = true;
  std::int64_t tokens = exchange.deltas;
  if (r.usage && r.usage->completion_tokens > 0) tokens = r.usage->completion_tokens;
  s["completion_tokens"] = tokens;
  s["token_source"] =
      t.token_count_source == TokenCountSource::server_usage
          ? "server_usage"
          : (t.token_count_source == TokenCountSource::counted_deltas ? "counted_deltas" : "none");
  s["prompt_tokens"] = r.usage ? nlohmann::json(r.usage->prompt_tokens) : nlohmann::json(nullptr);
  s["finish_reason"] = r.finish_reason ? nlohmann::json(*r.finish_reason) : nlohmann::json(nullptr);
  if (r.server_timings) {
    const auto& t = *r.server_timings;
    // Ollama loaded the model for this request (it unloads idle ones): the TTFT is the load's,
    // not the model's. The sample is kept and flagged, and left out of every summary.
    constexpr std::int64_t model_load_ns = 500'000'000;
    if (t.load_duration_ns && *t.load_duration_ns >= model_load_ns) {
      s["model_load_ms"] = static_cast<double>(*t.load_duration_ns) / 1e6;
      s["excluded"] = "the server loaded the model for this request (Ollama load_duration)";
    }
    if (t.predicted_per_second) s["server_tok_s"] = *t.predicted_per_second;
    if (t.prompt_ms) s["server_ttft_ms"] = *t.prompt_ms;
    if (t.prompt_eval_duration_ns)
      s["server_ttft_ms"] = static_cast<double>(*t.prompt_eval_duration_ns) / 1e6;
    if (t.eval_count && t.eval_duration_ns && *t.eval_duration_ns > 0) {
      s["server_tok_s"] =
          static_cast<double>(*t.eval_count) / (static_cast<double>(*t.eval_duration_ns) / 1e9);
    }
  }
  return s;
}

std::vector<double> collect(const nlohmann::json& samples, const char* key) {
  std::vector<double> values;
  for (const auto& s : samples) {
    if (s.contains(key) && s[key].is_number() && s["error"].is_null() && !s.contains("excluded"))
      values.push_back(s[key].get<double>());
  }
  return values;
}

bool selected(const RunOptions& options, const std::string& name) {
  return options.only.empty() ||
         std::find(options.only.begin(), options.only.end(), name) != options.only.end();
}

nlohmann::json run_throughput(Context& c) {
  nlohmann::json samples = nlohmann::json::array();
  const auto& t = c.suite.throughput;
  for (int run = 0; run < t.runs; ++run) {
    for (std::size_t p = 0; p < t.prompts.size(); ++p) {
      auto exchange = c.send(c.fixed_length_request(t.prompts[p], t.max_tokens));
      auto s = timing_sample(exchange);
      s["prompt"] = static_cast<int>(p);
      s["run"] = run;
      samples.push_back(std::move(s));
      c.progress("throughput");
    }
  }
  return {{"status", "ok"},
          {"samples", samples},
          {"tok_s", summarize(collect(samples, "tok_s"))},
          {"ttft_ms", summarize(collect(samples, "ttft_ms"))},
          {"first_sentence_ms", summarize(collect(samples, "first_sentence_ms"))},
          {"itl_ms", summarize(collect(samples, "itl_p50_ms"))},
          {"e2e_ms", summarize(collect(samples, "total_ms"))},
          {"server_tok_s", summarize(collect(samples, "server_tok_s"))}};
}

nlohmann::json run_ttft(Context& c) {
  nlohmann::json samples = nlohmann::json::array();
  for (std::size_t p = 0; p < c.suite.ttft.prompts.size(); ++p) {
    auto exchange = c.send(c.request(c.suite.ttft.prompts[p], c.suite.ttft.max_tokens));
    auto s = timing_sample(exchange);
    s["prompt"] = static_cast<int>(p);
    samples.push_back(std::move(s));
    c.progress("ttft");
  }
  return {{"status", "ok"},
          {"samples", samples},
          {"ttft_ms", summarize(collect(samples, "ttft_ms"))},
          {"first_sentence_ms", summarize(collect(samples, "first_sentence_ms"))},
          {"e2e_ms", summarize(collect(samples, "total_ms"))},
          {"server_ttft_ms", summarize(collect(samples, "server_ttft_ms"))}};
}

// The levels the sweep runs: the suite's, with the headline level among them, ascending.
std::vector<int> sweep_levels(const ConcurrencyTest& t) {
  std::vector<int> levels = t.levels;
  levels.push_back(t.parallel);
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  return levels;
}

// `level` requests at once: per-stream figures and the aggregate over their common window.
nlohmann::json run_level(Context& c, int level) {
  const auto& t = c.suite.concurrency;
  std::vector<ChatRequest> requests;
  for (int i = 0; i < level; ++i) {
    requests.push_back(
        c.request(t.prompt + (i > 0 ? " (variant " + std::to_string(i + 1) + ")" : std::string()),
                  t.max_tokens));
  }
  auto exchanges = c.parallel(requests);
  nlohmann::json samples = nlohmann::json::array();
  double first = 1e300, last = 0;
  std::int64_t tokens = 0;
  for (const auto& exchange : exchanges) {
    c.count(exchange);
    auto s = timing_sample(exchange);
    s["level"] = level;
    if (s["error"].is_null() && exchange.first_ms && exchange.last_ms) {
      first = std::min(first, *exchange.first_ms);
      last = std::max(last, *exchange.last_ms);
      tokens += s.value("completion_tokens", std::int64_t{0});
    }
    samples.push_back(std::move(s));
  }
  c.progress("concurrency", level);
  nlohmann::json out = {{"parallel", level},
                        {"samples", samples},
                        {"per_request_tok_s", summarize(collect(samples, "tok_s"))},
                        {"ttft_ms", summarize(collect(samples, "ttft_ms"))}};
  out["aggregate_tok_s"] =
      last > first ? nlohmann::json(static_cast<double>(tokens) / ((last - first) / 1000.0))
                   : nlohmann::json(nullptr);
  return out;
}

nlohmann::json run_concurrency(Context& c) {
  const auto& t = c.suite.concurrency;
  const auto& th = c.suite.thresholds;
  nlohmann::json sweep = nlohmann::json::array();
  nlohmann::json headline;
  nlohmann::json all_samples = nlohmann::json::array();
  std::optional<int> capacity;
  bool still_meets = true;
  for (int level : sweep_levels(t)) {
    auto result = run_level(c, level);
    // The SLO: p90 TTFT within the TTFT threshold and the median stream at the tok/s one.
    const auto& ttft = result["ttft_ms"];
    const auto& tok = result["per_request_tok_s"];
    const bool clean = std::all_of(result["samples"].begin(), result["samples"].end(),
                                   [](const auto& s) { return s["error"].is_null(); });
    const bool meets = clean && ttft.contains("p90") && tok.contains("median") &&
                       ttft["p90"].get<double>() <= th.ttft_ms_max &&
                       tok["median"].get<double>() >= th.tok_s_min;
    result["meets_slo"] = meets;
    if (meets && still_meets) capacity = level;
    still_meets = still_meets && meets;
    for (const auto& s : result["samples"]) all_samples.push_back(s);
    if (level == t.parallel) headline = result;
    result.erase("samples");
    sweep.push_back(std::move(result));
  }
  return {{"status", "ok"},
          {"parallel", t.parallel},
          {"samples", all_samples},
          {"per_request_tok_s", headline["per_request_tok_s"]},
          {"aggregate_tok_s", headline["aggregate_tok_s"]},
          {"sweep", sweep},
          {"slo", {{"ttft_p90_ms_max", th.ttft_ms_max}, {"per_stream_tok_s_min", th.tok_s_min}}},
          {"capacity", capacity ? nlohmann::json(*capacity) : nlohmann::json(nullptr)}};
}

std::string filler_text(std::int64_t tokens, const std::string& needle) {
  static constexpr std::string_view sentences[] = {
      "The committee reviewed the quarterly logistics figures for the southern warehouses.",
      "Rainfall in the hill districts was above average, which delayed two road projects.",
      "A new batch of solar panels was installed on the roof of the community library.",
      "The museum extended its opening hours on weekends to accommodate school visits.",
      "Engineers replaced the worn bearings in the third pump station ahead of schedule.",
      "Volunteers catalogued seven hundred donated books for the rural reading program.",
      "The bakery on the corner introduced a millet bread that sold out every morning.",
      "Ticket sales for the autumn music festival exceeded the organisers' expectations."};
  // About four bytes per token for English prose under common BPE tokenizers; the server's
  // usage report gives the real count, which the sample records.
  const std::size_t target = static_cast<std::size_t>(tokens) * 4;
  std::string text;
  text.reserve(target + 256);
  bool placed = false;
  for (std::size_t i = 0; text.size() < target; ++i) {
    text += "Section " + std::to_string(i + 1) + ". ";
    text += sentences[i % std::size(sentences)];
    text += ' ';
    if (!placed && text.size() >= target / 2) {
      text += needle + ' ';
      placed = true;
    }
  }
  if (!placed) text += needle;
  return text;
}

nlohmann::json run_long_context(Context& c) {
  const auto& t = c.suite.long_context;
  std::optional<std::int64_t> context = c.options.context_tokens;
  std::string context_source = context ? "given" : "";
  if (!context && c.options.server && c.options.server->context_length) {
    context = c.options.server->context_length;
    context_source = c.options.server->context_source;
  }
  if (context && *context < t.input_tokens + t.max_tokens) {
    c.progress("long_context");
    return {
        {"status", "skipped"},
        {"reason", "the model's context is " + std::to_string(*context) +
                       " tokens; this test needs " + std::to_string(t.input_tokens + t.max_tokens) +
                       " (" + std::to_string(t.input_tokens) + " in + " +
                       std::to_string(t.max_tokens) + " out)"},
        {"context_tokens", *context},
        {"context_source", context_source}};
  }
  auto exchange =
      c.send(c.request(filler_text(t.input_tokens, t.needle) + "\n\n" + t.question, t.max_tokens));
  auto s = timing_sample(exchange);
  bool found = exchange.result && exchange.result->content &&
               contains_ci(*exchange.result->content, t.expected);
  s["needle_found"] = found;
  s["reply"] =
      exchange.result && exchange.result->content ? clip(*exchange.result->content, 600) : "";
  c.progress("long_context");
  nlohmann::json out = {
      {"status", s["error"].is_null() ? "ok" : "error"},
      {"samples", {s}},
      {"context_tokens", context ? nlohmann::json(*context) : nlohmann::json(nullptr)},
      {"context_source", context_source},
      {"needle_found", found}};
  if (!s["error"].is_null()) out["reason"] = s["error"];
  return out;
}

// Names found in a value: strings, or objects' "name" fields, inside arrays.
void gather_names(const nlohmann::json& value, std::vector<std::string>& out) {
  if (value.is_string())
    out.push_back(value.get<std::string>());
  else if (value.is_array())
    for (const auto& item : value) gather_names(item, out);
  else if (value.is_object() && value.contains("name"))
    gather_names(value["name"], out);
}

std::vector<std::string> list_under(const nlohmann::json& object,
                                    std::initializer_list<const char*> keys) {
  std::vector<std::string> names;
  if (!object.is_object()) return names;
  for (const auto& [key, value] : object.items()) {
    for (const char* wanted : keys) {
      if (lower(key) == wanted) gather_names(value, names);
    }
  }
  return names;
}

int count_found(const std::vector<std::string>& expected, const std::vector<std::string>& got) {
  int found = 0;
  for (const auto& name : expected) {
    if (std::any_of(got.begin(), got.end(),
                    [&](const std::string& g) { return contains_ci(g, name); }))
      ++found;
  }
  return found;
}

nlohmann::json run_entities(Context& c) {
  const auto& t = c.suite.entities;
  auto exchange = c.send(c.request(t.prompt + t.text, t.max_tokens));
  c.progress("entities");
  nlohmann::json sample = {{"error", nullptr}};
  if (auto e = error_text(exchange); !e.empty()) sample["error"] = e;
  std::string content =
      exchange.result && exchange.result->content ? *exchange.result->content : "";
  sample["reply"] = clip(content);
  std::vector<std::string> persons, places;
  std::string parse = "none";
  // Lenient first, as the seeds' benchmark had to be: models drop quotes in JSON keys.
  if (auto repaired = json::repair(content)) {
    parse = repaired->repairs.empty() ? "strict" : "repaired";
    sample["repairs"] = repaired->repairs;
    const auto& value = repaired->value.is_array() && !repaired->value.empty()
                            ? repaired->value.front()
                            : repaired->value;
    persons = list_under(value, {"persons", "people", "person", "names"});
    places = list_under(value, {"places", "locations", "place", "location"});
  }
  if (persons.empty() && places.empty() && !content.empty()) {
    // Nothing structured came back: fall back to looking for the names in the text.
    parse = "text_fallback";
    persons = places = {content};
  }
  sample["json"] = parse;
  sample["persons"] = persons;
  sample["places"] = places;
  int pf = count_found(t.persons, persons), lf = count_found(t.places, places);
  nlohmann::json out = {{"status", sample["error"].is_null() ? "ok" : "error"},
                        {"samples", {sample}},
                        {"persons_found", pf},
                        {"persons_total", t.persons.size()},
                        {"places_found", lf},
                        {"places_total", t.places.size()}};
  return out;
}

nlohmann::json run_tools(Context& c) {
  const auto& t = c.suite.tools;
  nlohmann::json samples = nlohmann::json::array();
  int correct = 0, structured = 0, recovered = 0;
  double weighted = 0;
  for (const auto& tool_case : t.cases) {
    auto r = c.request(tool_case.prompt, t.max_tokens);
    r.tools = t.tools;
    auto exchange = c.send(r);
    nlohmann::json s = {
        {"prompt", tool_case.prompt}, {"expected", tool_case.tool}, {"error", nullptr}};
    if (auto e = error_text(exchange); !e.empty()) s["error"] = e;
    std::string verdict = "wrong", why = "no tool call";
    if (exchange.result && !exchange.result->tool_calls.empty()) {
      const auto& call = exchange.result->tool_calls.front();
      s["called"] = call.name;
      s["arguments"] = call.arguments;
      s["origin"] = call.origin == ToolCallOrigin::server ? "structured" : "recovered";
      bool args_ok = true;
      for (const auto& [key, want] : tool_case.arguments_contain.items()) {
        auto it = call.arguments.find(key);
        std::string have = it == call.arguments.end()
                               ? ""
                               : (it->is_string() ? it->get<std::string>() : it->dump());
        if (!want.is_string() || !contains_ci(have, want.get<std::string>())) args_ok = false;
      }
      if (call.name != tool_case.tool) {
        why = "called " + call.name;
      } else if (!args_ok) {
        why = "arguments miss " + tool_case.arguments_contain.dump();
      } else {
        verdict = call.origin == ToolCallOrigin::server ? "structured" : "recovered";
        why.clear();
      }
    } else if (exchange.result && exchange.result->content) {
      s["content"] = clip(*exchange.result->content, 600);
    }
    s["score"] = verdict;
    if (!why.empty()) s["why"] = why;
    if (verdict == "structured") {
      ++correct, ++structured, weighted += t.weight_structured;
    } else if (verdict == "recovered") {
      ++correct, ++recovered, weighted += t.weight_recovered;
    } else {
      weighted += t.weight_wrong;
    }
    samples.push_back(std::move(s));
    c.progress("tools");
  }
  double total = static_cast<double>(t.cases.size());
  return {{"status", "ok"},
          {"samples", samples},
          {"correct", correct},
          {"structured", structured},
          {"recovered", recovered},
          {"total", t.cases.size()},
          {"weighted", total > 0 ? weighted / total : 0.0}};
}

// Sentences of `text`, split at . ! ? and newlines.
std::vector<std::string> sentences_of(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (char ch : text) {
    current += ch;
    if (ch == '.' || ch == '!' || ch == '?' || ch == '\n') {
      out.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

bool mentions_position(const std::string& sentence, const std::string& position) {
  std::string s = lower(sentence);
  std::string p = lower(position);
  for (auto& ch : s)
    if (ch == '-' || ch == '_') ch = ' ';
  for (auto& ch : p)
    if (ch == '-' || ch == '_') ch = ' ';
  if (s.find(p) != std::string::npos) return true;
  if (p == "center" &&
      (s.find("centre") != std::string::npos || s.find("middle") != std::string::npos))
    return true;
  return false;
}

nlohmann::json run_vision(Context& c) {
  const auto& t = c.suite.vision;
  // A server that says it takes no images (llama-server's /props modalities) is not sent one:
  // llama-server answers HTTP 500, which is not the model failing to see.
  if (c.options.server && c.options.server->llama_props &&
      c.options.server->llama_props->vision == false) {
    c.progress("vision");
    return {{"status", "skipped"},
            {"reason", "the server takes no images (/props modalities.vision is false)"}};
  }
  auto r = c.request(t.prompt, t.max_tokens);
  auto png = grid_png(t);
  if (!png) {
    c.progress("vision");
    return {{"status", "error"}, {"reason", "the test picture: " + png.error().message}};
  }
  ContentPart image;
  image.type = ContentPart::Type::image;
  image.bytes = std::move(*png);
  image.media_type = "image/png";
  r.messages.front().parts.push_back(std::move(image));
  auto exchange = c.send(r);
  c.progress("vision");
  nlohmann::json sample = {{"error", nullptr}};
  if (auto e = error_text(exchange); !e.empty()) sample["error"] = e;
  std::string content =
      exchange.result && exchange.result->content ? *exchange.result->content : "";
  sample["reply"] = clip(content);
  int colours = 0, positions = 0, positioned = 0;
  nlohmann::json per_colour = nlohmann::json::array();
  auto sentences = sentences_of(content);
  for (const auto& colour : t.palette) {
    bool named = contains_ci(content, colour.name);
    bool placed = false;
    if (!colour.position.empty()) {
      ++positioned;
      for (const auto& sentence : sentences) {
        if (contains_ci(sentence, colour.name) && mentions_position(sentence, colour.position))
          placed = true;
      }
    }
    colours += named;
    positions += placed;
    per_colour.push_back({{"colour", colour.name},
                          {"named", named},
                          {"position", colour.position},
                          {"placed", placed}});
  }
  sample["colours"] = per_colour;
  nlohmann::json out = {{"status", sample["error"].is_null() ? "ok" : "error"},
                        {"samples", {sample}},
                        {"colours_found", colours},
                        {"colours_total", t.palette.size()},
                        {"positions_found", positions},
                        {"positions_total", positioned}};
  if (!sample["error"].is_null()) out["reason"] = sample["error"];
  return out;
}

int kannada_chars(std::string_view text) {
  int count = 0;
  for (std::size_t i = 0; i + 2 < text.size() + 0; ++i) {
    auto a = static_cast<unsigned char>(text[i]), b = static_cast<unsigned char>(text[i + 1]);
    if (a == 0xE0 && (b == 0xB2 || b == 0xB3)) {  // U+0C80..U+0CFF
      ++count;
      i += 2;
    }
  }
  return count;
}

nlohmann::json run_kannada(Context& c) {
  const auto& t = c.suite.kannada;
  auto first = c.send(c.request(t.prompt + t.text, t.max_tokens));
  c.progress("kannada");
  auto second = c.send(c.request(t.reply_prompt, t.max_tokens));
  c.progress("kannada");
  std::string entities_reply = first.result && first.result->content ? *first.result->content : "";
  std::string reply = second.result && second.result->content ? *second.result->content : "";
  int found = 0;
  nlohmann::json per_entity = nlohmann::json::array();
  for (const auto& spellings : t.entities) {
    bool hit = std::any_of(spellings.begin(), spellings.end(),
                           [&](const std::string& s) { return contains_ci(entities_reply, s); });
    found += hit;
    per_entity.push_back({{"entity", spellings.empty() ? "" : spellings.front()}, {"found", hit}});
  }
  int chars = kannada_chars(reply);
  nlohmann::json samples = {
      {{"kind", "entities"},
       {"reply", clip(entities_reply)},
       {"entities", per_entity},
       {"error",
        error_text(first).empty() ? nlohmann::json(nullptr) : nlohmann::json(error_text(first))}},
      {{"kind", "reply"},
       {"reply", clip(reply)},
       {"kannada_chars", chars},
       {"error", error_text(second).empty() ? nlohmann::json(nullptr)
                                            : nlohmann::json(error_text(second))}}};
  return {{"status", "ok"},
          {"samples", samples},
          {"entities_found", found},
          {"entities_total", t.entities.size()},
          {"reply_kannada", chars >= t.min_kannada_chars},
          {"reply_kannada_chars", chars}};
}

// What a quality test's round scored, to order its rounds: right answers first, then (tools)
// the weighted score.
double round_score(const std::string& test, const nlohmann::json& round) {
  auto number = [&](const char* key) {
    return round.contains(key) && round[key].is_number() ? round[key].get<double>() : 0.0;
  };
  if (test == "tools") return number("correct") + number("weighted") / 1000;
  if (test == "entities") return number("persons_found") + number("places_found");
  if (test == "vision") return number("colours_found") + number("positions_found");
  return number("entities_found") + (round.value("reply_kannada", false) ? 0.5 : 0);  // kannada
}

// A quality test run suite.quality_repeats times. The headline (what thresholds and the score
// read) is the median round, the lower of the two middle ones for an even count; every round's
// score is kept with the spread, and every round's samples, so a request that failed in any
// round makes the test ERROR.
nlohmann::json run_rounds(Context& c, const std::string& test, nlohmann::json (*run)(Context&)) {
  const int n = c.suite.quality_repeats;
  std::vector<nlohmann::json> rounds;
  for (int i = 0; i < n; ++i) rounds.push_back(run(c));
  if (n == 1) return rounds.front();
  std::vector<std::size_t> order(rounds.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return round_score(test, rounds[a]) < round_score(test, rounds[b]);
  });
  const std::size_t headline = order[(order.size() - 1) / 2];
  nlohmann::json out = rounds[headline];
  nlohmann::json scores = nlohmann::json::array();
  nlohmann::json samples = nlohmann::json::array();
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    nlohmann::json score = rounds[i];
    score.erase("samples");
    score["round"] = i + 1;
    scores.push_back(std::move(score));
    for (auto sample : rounds[i].value("samples", nlohmann::json::array())) {
      sample["round"] = i + 1;
      samples.push_back(std::move(sample));
    }
    if (rounds[i].value("status", std::string()) == "error") {
      out["status"] = "error";
      if (rounds[i].contains("reason") && !out.contains("reason"))
        out["reason"] = rounds[i]["reason"];
    }
  }
  out["samples"] = std::move(samples);
  out["rounds"] = {{"count", n},
                   {"headline_round", headline + 1},
                   {"scores", std::move(scores)},
                   {"min", round_score(test, rounds[order.front()])},
                   {"max", round_score(test, rounds[order.back()])}};
  return out;
}

// Requests each selected test will make, for the progress line.
std::map<std::string, int> planned_steps(const Suite& s, const RunOptions& o) {
  std::map<std::string, int> steps;
  auto plan = [&](const char* name, int n) {
    if (selected(o, name)) steps[name] = n;
  };
  plan("throughput", s.throughput.runs * static_cast<int>(s.throughput.prompts.size()));
  plan("ttft", static_cast<int>(s.ttft.prompts.size()));
  int sweep = 0;
  for (int level : sweep_levels(s.concurrency)) sweep += level;
  plan("concurrency", sweep);
  plan("long_context", 1);
  const int rounds = s.quality_repeats;
  plan("entities", rounds);
  plan("tools", rounds * static_cast<int>(s.tools.cases.size()));
  plan("vision", rounds);
  plan("kannada", rounds * 2);
  return steps;
}

}  // namespace

nlohmann::json summarize(const std::vector<double>& values) {
  if (values.empty()) return nlohmann::json::object();
  double sum = 0;
  for (double v : values) sum += v;
  double mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  double stddev =
      values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  std::size_t mid = sorted.size() / 2;
  double median = sorted.size() % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  // Nearest rank, as the client's gap percentiles.
  auto rank = [&](double p) {
    const double r = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
    const auto index =
        static_cast<std::size_t>(std::clamp(r, 1.0, static_cast<double>(sorted.size())));
    return sorted[index - 1];
  };
  return {{"n", values.size()},
          {"mean", mean},
          {"median", median},
          {"p50", rank(50)},
          {"p90", rank(90)},
          {"p99", rank(99)},
          {"stddev", stddev},
          {"min", *std::min_element(values.begin(), values.end())},
          {"max", *std::max_element(values.begin(), values.end())}};
}

nlohmann::json run_suite(const Suite& suite, const Endpoint& endpoint, const ChatFunction& chat,
                         const ParallelChatFunction& parallel, const RunOptions& options) {
  const ServerKind kind = options.server ? options.server->kind : ServerKind::unknown;
  Context c{suite,
            endpoint,
            chat,
            parallel,
            options,
            fair_runs(kind, endpoint.api, suite.temperature, suite.seed,
                      suite.throughput.fixed_length, suite.throughput.max_tokens)};
  // The profile the requests get: the one given, else the built-in set's pick for the model id
  // (what the Client does with use_profiles), so the report names it rather than "by model id".
  std::string chosen_profile = endpoint.profile;
  if (chosen_profile.empty()) {
    static const ProfileSet builtin = ProfileSet::builtin();
    if (auto picked = builtin.select(endpoint.model, ""); picked) chosen_profile = (*picked)->name;
  }
  c.test_total = planned_steps(suite, options);
  for (const auto& [name, n] : c.test_total) c.total += n;
  nlohmann::json results = {{"llmwire_version", version_string},
                            {"suite", suite.name},
                            {"time", now_iso()},
                            {"host", host_name()},
                            {"endpoint", endpoint.url},
                            {"api", std::string(to_string(endpoint.api))},
                            {"model", endpoint.model},
                            {"profile", chosen_profile.empty() ? nlohmann::json(nullptr)
                                                               : nlohmann::json(chosen_profile)},
                            {"profile_source", endpoint.profile.empty() ? "by model id" : "given"},
                            {"simulated", endpoint.simulated},
                            {"simulator", endpoint.simulator},
                            {"thinking", suite.thinking == Thinking::off
                                             ? "off"
                                             : (suite.thinking == Thinking::on ? "on" : "default")},
                            {"tests", nlohmann::json::object()}};
  results["fair_runs"] = {
      {"temperature", c.fair.temperature ? nlohmann::json(*c.fair.temperature) : nlohmann::json()},
      {"seed", c.fair.seed ? nlohmann::json(*c.fair.seed) : nlohmann::json()},
      {"fixed_length", c.fair.fixed_length},
      {"fixed_length_note", c.fair.fixed_length_note}};
  auto& tests = results["tests"];

  if (options.server) results["server"] = nlohmann::json::parse(server_info_json(*options.server));
  if (options.server_log) {
    const auto& log = *options.server_log;
    results["server_log"] = {
        {"path", options.server_log_path},
        {"lines_matched", log.lines_matched},
        {"model_gib", log.model_gib ? nlohmann::json(*log.model_gib) : nlohmann::json(nullptr)},
        {"kv_cache_gib",
         log.kv_cache_gib ? nlohmann::json(*log.kv_cache_gib) : nlohmann::json(nullptr)}};
  }

  // VRAM is sampled across the whole run, so the peak covers every test's load.
  std::shared_ptr<GpuProbe> probe;
  std::unique_ptr<GpuSampler> sampler;
  MemoryInputs memory{.measure = suite.vram.measure,
                      .model = endpoint.model,
                      .vllm_log = options.server_log,
                      .vllm_log_path = options.server_log_path,
                      .server = options.server ? &*options.server : nullptr,
                      .server_pid = options.server_pid};
  if (selected(options, "vram")) {
    if (options.vram_unavailable_reason) {
      memory.probe_unavailable = *options.vram_unavailable_reason;
    } else if (auto opened = GpuProbe::shared(); opened) {
      probe = *opened;
      if (auto snapshot = probe->snapshot(); snapshot && !snapshot->devices.empty()) {
        std::uint64_t total = 0;
        for (const auto& device : snapshot->devices) total += device.memory.total_bytes.value_or(0);
        if (total > 0) memory.device_total_bytes = total;
        memory.device_kind = snapshot->devices.front().memory.kind;
      }
      sampler = std::make_unique<GpuSampler>(probe, GpuSamplerOptions{.pid = options.server_pid});
      sampler->start();
    } else {
      memory.probe_unavailable = opened.error().message;
    }
  }

  // One untimed request first: connection set-up and any lazy model load stay out of the numbers.
  {
    auto warm = chat(c.request("Hello", 8));
    auto error = error_text(warm);
    results["warmup"] = {
        {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)}};
    if (!error.empty() && options.stop_on_failed_warmup) {
      if (sampler) (void)sampler->stop();
      results["aborted"] = "the warm-up request failed: " + error;
      return results;
    }
  }

  if (selected(options, "throughput")) tests["throughput"] = run_throughput(c);
  if (selected(options, "ttft")) tests["ttft"] = run_ttft(c);
  if (selected(options, "concurrency")) tests["concurrency"] = run_concurrency(c);
  if (selected(options, "long_context")) tests["long_context"] = run_long_context(c);
  for (auto [name, run] : {std::pair{"entities", &run_entities}, std::pair{"tools", &run_tools},
                           std::pair{"vision", &run_vision}, std::pair{"kannada", &run_kannada}}) {
    if (selected(options, name)) tests[name] = run_rounds(c, name, run);
  }
  if (selected(options, "vram")) {
    std::size_t samples = 0;
    if (sampler) {
      auto report = sampler->stop();
      samples = report.samples;
      memory.device = report.device;
      memory.process_tree = report.process_tree;
      if (report.last_error) memory.sampler_error = report.last_error->message;
    }
    auto v = vram_result(memory);
    v["samples"] = samples;
    tests["vram"] = std::move(v);
  }
  // A test with a failed request is ERROR, never a PASS on what happened to get through.
  nlohmann::json errors = nlohmann::json::array();
  for (auto& [name, test] : tests.items()) {
    if (!test.is_object() || test.value("status", std::string()) == "skipped") continue;
    int failed = 0, total = 0;
    std::string first;
    const auto& samples = test.value("samples", nlohmann::json::array());
    for (const auto& sample : samples.is_array() ? samples : nlohmann::json::array()) {
      ++total;
      if (sample.contains("error") && sample["error"].is_string()) {
        if (failed++ == 0) first = sample["error"].get<std::string>();
      }
    }
    if (failed == 0 && test.value("status", std::string()) == "error" && test.contains("reason"))
      first = test["reason"].is_string() ? test["reason"].get<std::string>() : first;
    if (failed > 0 || test.value("status", std::string()) == "error") {
      test["status"] = "error";
      test["failed_requests"] = failed;
      if (!first.empty()) test["first_error"] = first;
      errors.push_back({{"test", name}, {"failed", failed}, {"of", total}, {"first_error", first}});
    }
  }
  results["errors"] = std::move(errors);
  results["requests"] = {{"total", c.requests}, {"failed", c.failed_requests}};
  results["elapsed_s"] = std::chrono::duration<double>(Clock::now() - c.started).count();

  // Metrics: the summary the thresholds and score read, derived from the samples above.
  Metrics m;
  if (tests.contains("throughput") && tests["throughput"]["tok_s"].contains("mean")) {
    m.tok_s = tests["throughput"]["tok_s"]["mean"].get<double>();
  }
  if (tests.contains("ttft") && tests["ttft"]["ttft_ms"].contains("mean")) {
    m.ttft_ms = tests["ttft"]["ttft_ms"]["mean"].get<double>();
  }
  if (tests.contains("vram")) {
    if (tests["vram"].contains("vram_gb")) {
      m.vram_gb = tests["vram"]["vram_gb"].get<double>();
    } else {
      m.vram_unavailable = tests["vram"].value("reason", std::string());
    }
  }
  if (tests.contains("tools")) {
    const auto& t = tests["tools"];
    m.tools_correct = t["correct"].get<int>();
    m.tools_structured = t["structured"].get<int>();
    m.tools_recovered = t["recovered"].get<int>();
    m.tools_total = t["total"].get<int>();
    m.tools_weighted = t["weighted"].get<double>();
  }
  if (tests.contains("entities")) {
    const auto& t = tests["entities"];
    m.persons_found = t["persons_found"].get<int>();
    m.persons_total = t["persons_total"].get<int>();
    m.places_found = t["places_found"].get<int>();
    m.places_total = t["places_total"].get<int>();
  }
  if (tests.contains("vision") && tests["vision"].contains("colours_found")) {
    const auto& t = tests["vision"];
    m.vision_colours = t["colours_found"].get<int>();
    m.vision_total = t["colours_total"].get<int>();
    m.vision_positions = t["positions_found"].get<int>();
  }
  if (tests.contains("kannada")) {
    const auto& t = tests["kannada"];
    m.kannada_entities = t["entities_found"].get<int>();
    m.kannada_total = t["entities_total"].get<int>();
    m.kannada_reply = t["reply_kannada"].get<bool>();
  }
  if (c.requests > 0)
    m.stability = static_cast<double>(c.requests - c.failed_requests) / c.requests;
  results["metrics"] = to_json(m);
  decide_results(results, suite, nullptr);
  return results;
}

void decide_results(nlohmann::json& results, const Suite& suite, const nlohmann::json* baseline) {
  auto metrics = metrics_from_json(results.value("metrics", nlohmann::json::object()));
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& check : check_thresholds(metrics, suite.thresholds)) {
    checks.push_back({{"metric", check.metric},
                      {"value", check.value},
                      {"threshold", check.threshold},
                      {"status", std::string(to_string(check.status))}});
  }
  results["thresholds"] = checks;
  results["weights"] = {{"quality", suite.weights.quality},
                        {"performance", suite.weights.performance},
                        {"vision", suite.weights.vision},
                        {"vram", suite.weights.vram},
                        {"stability", suite.weights.stability}};
  results["limits"] = {{"tok_s_min", suite.thresholds.tok_s_min},
                       {"ttft_ms_max", suite.thresholds.ttft_ms_max}};
  std::optional<Metrics> base;
  if (baseline != nullptr && baseline->contains("metrics"))
    base = metrics_from_json((*baseline)["metrics"]);
  auto decision = decide(metrics, base ? &*base : nullptr, suite);
  // Tests whose requests failed: the figures are not the model's, so no PASS/SWAP is given.
  if (const auto& errors = results.value("errors", nlohmann::json::array()); !errors.empty()) {
    std::string which;
    for (const auto& e : errors) {
      if (!which.empty()) which += "; ";
      which += e.value("test", std::string("?")) + " (" + std::to_string(e.value("failed", 0)) +
               " of " + std::to_string(e.value("of", 0)) + " requests failed";
      const std::string first = e.value("first_error", std::string());
      if (!first.empty()) which += ": " + first;
      which += ")";
    }
    decision.outcome = "ERROR";
    decision.reason = "tests did not run cleanly, so nothing is decided: " + which + ".";
  }
  results["decision"] = to_json(decision);
  if (base) {
    results["baseline"] = {{"model", baseline->value("model", "")},
                           {"endpoint", baseline->value("endpoint", "")},
                           {"metrics", (*baseline)["metrics"]}};
  }
}

}  // namespace llmwire::bench
