// Markdown: the per-run report and the cross-model comparison table.

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

#include "bench/report.hpp"

namespace llmwire::bench {
namespace {

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

const nlohmann::json& at(const nlohmann::json& object, std::initializer_list<const char*> path) {
  static const nlohmann::json null_value;
  const nlohmann::json* node = &object;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) return null_value;
    node = &(*node)[key];
  }
  return *node;
}

std::string num(const nlohmann::json& value, int digits, const char* unit = "") {
  if (!value.is_number()) return "—";
  return fixed(value.get<double>(), digits) + unit;
}

std::string summary(const nlohmann::json& s, int digits, const char* unit) {
  if (!s.is_object() || !s.contains("mean")) return "—";
  return num(s["mean"], digits, unit) + " (median " + num(s["median"], digits) + ", ±" +
         num(s["stddev"], digits) + ", " + num(s["min"], digits) + "–" + num(s["max"], digits) +
         ", n=" + std::to_string(s.value("n", 0)) + ")";
}

std::string simulated_banner(const nlohmann::json& r) {
  if (!r.value("simulated", false)) return {};
  const auto& sim = r["simulator"];
  std::string text = "> **simulated endpoint** — llmwire's built-in model simulator";
  if (sim.is_object()) {
    text += " (profile " + sim.value("profile", std::string("?")) + ", paced at " +
            num(sim.value("tok_s", nlohmann::json()), 0) + " tok/s, TTFT " +
            num(sim.value("ttft_ms", nlohmann::json()), 0) + " ms)";
  }
  text += ". These numbers measure llmwire and the simulator, not a model.\n\n";
  return text;
}

std::string model_label(const nlohmann::json& r) {
  std::string label = r.value("model", std::string("?"));
  if (r.value("simulated", false)) label += " (simulated)";
  return label;
}

}  // namespace

// A quality test's samples from its headline round (all of them when it ran once).
nlohmann::json headline_samples(const nlohmann::json& test) {
  const auto& samples = at(test, {"samples"});
  if (!test.contains("rounds") || !samples.is_array()) return samples;
  const int headline = test["rounds"].value("headline_round", 1);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : samples)
    if (s.value("round", 1) == headline) out.push_back(s);
  return out;
}

// " (median of 3 rounds: 7/8, 8/8, 8/8)": each round's result as `score` writes it.
std::string rounds_note(const nlohmann::json& test,
                        std::string (*score)(const nlohmann::json& round)) {
  if (!test.contains("rounds")) return {};
  const auto& rounds = test["rounds"];
  std::string list;
  for (const auto& round : rounds.value("scores", nlohmann::json::array()))
    list += (list.empty() ? "" : ", ") + score(round);
  return " (median of " + std::to_string(rounds.value("count", 0)) + " rounds: " + list + ")";
}

std::string of(const nlohmann::json& round, const char* found, const char* total) {
  return std::to_string(round.value(found, 0)) + "/" + std::to_string(round.value(total, 0));
}

std::string markdown_report(const nlohmann::json& r) {
  std::string md;
  md += simulated_banner(r);
  md += "# llmwire bench: " + r.value("model", std::string("?")) + "\n\n";
  md += "| | |\n|---|---|\n";
  md += "| Endpoint | " + r.value("endpoint", std::string("?")) +
        (r.value("simulated", false) ? " (simulated endpoint)" : "") + " |\n";
  md += "| API | " + r.value("api", std::string("?")) + " |\n";
  md += "| Model | " + r.value("model", std::string("?")) + " |\n";
  md += "| Profile | " +
        (r["profile"].is_string() ? r["profile"].get<std::string>() + " (" +
                                        r.value("profile_source", std::string("given")) + ")"
                                  : std::string("none matched the model id")) +
        " |\n";
  if (r.contains("server") && r["server"].is_object()) {
    // What the server said about itself (llmwire info shows the rest).
    const auto& srv = r["server"];
    std::string text = srv.value("server", std::string("unknown"));
    if (srv.contains("version") && srv["version"].is_string())
      text += " " + srv["version"].get<std::string>();
    if (srv.contains("context_length") && srv["context_length"].is_number())
      text += ", context " + num(srv["context_length"], 0) + " tokens (" +
              srv.value("context_source", std::string()) + ")";
    const auto& slots = at(srv, {"llama_server", "total_slots"});
    if (slots.is_number()) text += ", " + num(slots, 0) + " slots";
    md += "| Server | " + text + " |\n";
  }
  md += "| Thinking | " + r.value("thinking", std::string("?")) + " |\n";
  md += "| Suite | " + r.value("suite", std::string("?")) + " |\n";
  md += "| llmwire | " + r.value("llmwire_version", std::string("?")) + " |\n";
  md += "| Host | " + r.value("host", std::string("?")) + " |\n";
  md += "| Time | " + r.value("time", std::string("?")) + " |\n";
  md += "| Requests | " +
        std::to_string(at(r, {"requests", "total"}).is_number()
                           ? at(r, {"requests", "total"}).get<int>()
                           : 0) +
        " (" +
        std::to_string(at(r, {"requests", "failed"}).is_number()
                           ? at(r, {"requests", "failed"}).get<int>()
                           : 0) +
        " failed), " + num(r.value("elapsed_s", nlohmann::json()), 1, " s") + " |\n\n";

  md += "## Results\n\n| Metric | Value | Threshold | Status |\n|---|---|---|---|\n";
  for (const auto& check : r.value("thresholds", nlohmann::json::array())) {
    md += "| " + check.value("metric", std::string()) + " | " +
          check.value("value", std::string()) + " | " + check.value("threshold", std::string()) +
          " | **" + check.value("status", std::string()) + "** |\n";
  }

  const auto& tests = r["tests"];
  std::string latency_table, sweep_table;
  md += "\n## Performance\n\n| Test | Result |\n|---|---|\n";
  if (tests.contains("throughput")) {
    md += "| Throughput (decode tok/s) | " +
          summary(at(tests, {"throughput", "tok_s"}), 1, " tok/s") + " |\n";
  }
  if (tests.contains("throughput")) {
    bool counted = false;
    for (const auto& s : at(tests, {"throughput", "samples"})) {
      counted = counted || s.value("token_source", std::string()) == "counted_deltas";
    }
    if (counted) {
      md +=
          "| Token counts | the server sent no usage: one token per streamed delta (approximate) "
          "|\n";
    }
  }
  if (tests.contains("ttft"))
    md += "| TTFT | " + summary(at(tests, {"ttft", "ttft_ms"}), 1, " ms") + " |\n";
  {
    // What the server itself reported (llama-server `timings`, Ollama durations), when it did:
    // free of client-side scheduling noise, but not what a user waits for.
    const auto& tok = at(tests, {"throughput", "server_tok_s"});
    const auto& ttft = at(tests, {"ttft", "server_ttft_ms"});
    if ((tok.is_object() && tok.contains("mean")) || (ttft.is_object() && ttft.contains("mean"))) {
      md += "| Server-reported | decode " + summary(tok, 1, " tok/s") + "; time to first token " +
            summary(ttft, 1, " ms") + " |\n";
    }
  }
  {
    // The tail, not only the mean: what a voice loop waits for at its worst.
    std::string rows;
    auto add = [&](const char* label, const nlohmann::json& v) {
      if (!v.is_object() || !v.contains("p50")) return;
      rows += std::string("| ") + label + " | " + num(v["p50"], 1) + " | " + num(v["p90"], 1) +
              " | " + num(v["p99"], 1) + " | " + std::to_string(v.value("n", 0)) + " |\n";
    };
    add("TTFT (ms)", at(tests, {"ttft", "ttft_ms"}));
    add("Time to first sentence (ms)", at(tests, {"ttft", "first_sentence_ms"}));
    add("Throughput TTFT (ms)", at(tests, {"throughput", "ttft_ms"}));
    add("Throughput time to first sentence (ms)", at(tests, {"throughput", "first_sentence_ms"}));
    add("Inter-token latency, per-request median (ms)", at(tests, {"throughput", "itl_ms"}));
    add("End to end (ms)", at(tests, {"throughput", "e2e_ms"}));
    if (!rows.empty())
      latency_table =
          "\n## Latency\n\n| Measure | p50 | p90 | p99 | n |\n|---|---|---|---|---|\n" + rows;
  }
  if (tests.contains("concurrency") && at(tests, {"concurrency", "sweep"}).is_array()) {
    std::string rows;
    for (const auto& level : at(tests, {"concurrency", "sweep"})) {
      rows += "| " + num(level.value("parallel", nlohmann::json()), 0) + " | " +
              num(at(level, {"per_request_tok_s", "median"}), 1) + " | " +
              num(level.value("aggregate_tok_s", nlohmann::json()), 1) + " | " +
              num(at(level, {"ttft_ms", "p90"}), 1) + " | " +
              (level.value("meets_slo", false) ? "yes" : "no") + " |\n";
    }
    const auto& capacity = at(tests, {"concurrency", "capacity"});
    sweep_table =
        "\n## Concurrency sweep\n\n| Streams | Per-stream tok/s (median) | "
        "Aggregate tok/s | TTFT p90 (ms) | Meets TTFT and tok/s thresholds |\n"
        "|---|---|---|---|---|\n" +
        rows + "\nCapacity under the thresholds: " +
        (capacity.is_number() ? num(capacity, 0) + " concurrent streams"
                              : std::string("none of the levels")) +
        ".\n";
  }
  if (const auto& over = at(r, {"server_metrics_over_run"}); over.is_object()) {
    std::string text;
    auto add = [&](const char* key, const char* label, const char* unit) {
      if (over.contains(key) && over[key].is_number())
        text += (text.empty() ? "" : "; ") + std::string(label) + " " + num(over[key], 1, unit);
    };
    add("decode_tok_s", "decode", " tok/s");
    add("prompt_tok_s", "prompt", " tok/s");
    add("mean_ttft_ms", "mean TTFT", " ms");
    add("mean_queue_ms", "mean queue time", " ms");
    add("mean_e2e_ms", "mean end to end", " ms");
    if (over.contains("note"))
      text += (text.empty() ? "" : "; ") + over.value("note", std::string());
    if (!text.empty()) md += "| Server /metrics over the run | " + text + " |\n";
  }
  if (tests.contains("concurrency")) {
    md += "| Concurrency (" +
          std::to_string(at(tests, {"concurrency", "parallel"}).is_number()
                             ? at(tests, {"concurrency", "parallel"}).get<int>()
                             : 0) +
          " parallel) | aggregate " +
          num(at(tests, {"concurrency", "aggregate_tok_s"}), 1, " tok/s") + ", per request " +
          summary(at(tests, {"concurrency", "per_request_tok_s"}), 1, " tok/s") + " |\n";
  }
  if (tests.contains("long_context")) {
    const auto& lc = tests["long_context"];
    std::string value;
    if (lc.value("status", std::string()) == "skipped" ||
        lc.value("status", std::string()) == "error") {
      value = lc.value("status", std::string()) + ": " + lc.value("reason", std::string());
    } else {
      const auto& s = lc["samples"][0];
      value = num(s.value("prompt_tokens", nlohmann::json()), 0) + " prompt tokens, TTFT " +
              num(s.value("ttft_ms", nlohmann::json()), 0, " ms") + ", " +
              num(s.value("tok_s", nlohmann::json()), 1, " tok/s") + ", needle " +
              (lc.value("needle_found", false) ? "found" : "NOT found");
    }
    md += "| Long context | " + value + " |\n";
  }
  if (tests.contains("vram")) {
    const auto& v = tests["vram"];
    std::string value = v.value("status", std::string()) == "ok"
                            ? num(v.value("vram_gb", nlohmann::json()), 2, " GB") + " (" +
                                  v.value("source", std::string()) + ")"
                            : "unavailable: " + v.value("reason", std::string("no GPU"));
    md += "| VRAM (" + v.value("measure", std::string("model")) + ") | " + value + " |\n";
    // Every other figure found, so a reader sees the reservation beside the model.
    const auto& f = v.value("figures", nlohmann::json::object());
    const std::pair<const char*, const char*> shown[] = {
        {"model_gb", "model memory"},
        {"kv_cache_gb", "KV-cache pool (vLLM log)"},
        {"reservation_gb", "vLLM reservation (gpu_memory_utilization × card)"},
        {"process_tree_peak_gb", "server process tree (peak)"},
        {"device_peak_gb", "device used (peak)"},
        {"ollama_vram_gb", "Ollama model on the GPU"}};
    std::string others;
    for (const auto& [key, label] : shown) {
      if (f.contains(key) && f[key].is_number())
        others += (others.empty() ? "" : "; ") + std::string(label) + " " + num(f[key], 2, " GB");
    }
    if (f.value("memory_kind", std::string()) == "unified") others += " (unified memory)";
    if (!others.empty()) md += "| Memory figures | " + others + " |\n";
    for (const auto& warning : v.value("warnings", nlohmann::json::array()))
      if (warning.is_string()) md += "| **Warning** | " + warning.get<std::string>() + " |\n";
  }
  md += latency_table + sweep_table;

  if (tests.contains("tools")) {
    const auto& t = tests["tools"];
    md +=
        "\n## Tool calls: " + std::to_string(t.value("correct", 0)) + "/" +
        std::to_string(t.value("total", 0)) + " (" + std::to_string(t.value("structured", 0)) +
        " structured, " + std::to_string(t.value("recovered", 0)) +
        " recovered by llmwire), weighted score " + num(t.value("weighted", nlohmann::json()), 2) +
        rounds_note(t, [](const nlohmann::json& round) { return of(round, "correct", "total"); }) +
        "\n\n";
    if (t.contains("rounds"))
      md += "The calls of round " + std::to_string(t["rounds"].value("headline_round", 1)) +
            "; every round's are in results.json.\n\n";
    md += "| Prompt | Expected | Called | Score |\n|---|---|---|---|\n";
    for (const auto& s : headline_samples(t)) {
      std::string score = s.value("score", std::string());
      if (s.contains("why")) score += " (" + s.value("why", std::string()) + ")";
      md += "| " + s.value("prompt", std::string()) + " | " + s.value("expected", std::string()) +
            " | " + s.value("called", std::string("—")) + " | " + score + " |\n";
    }
  }
  md += "\n## Quality\n\n| Test | Result |\n|---|---|\n";
  if (tests.contains("entities")) {
    const auto& e = tests["entities"];
    md += "| Entity extraction | " + std::to_string(e.value("persons_found", 0)) + "/" +
          std::to_string(e.value("persons_total", 0)) + " persons, " +
          std::to_string(e.value("places_found", 0)) + "/" +
          std::to_string(e.value("places_total", 0)) +
          " places (JSON: " + headline_samples(e).at(0).value("json", std::string("?")) + ")" +
          rounds_note(e,
                      [](const nlohmann::json& round) {
                        return of(round, "persons_found", "persons_total") + " + " +
                               of(round, "places_found", "places_total");
                      }) +
          " |\n";
  }
  if (tests.contains("vision") && tests["vision"].value("status", std::string()) == "skipped") {
    md += "| Vision | skipped: " + tests["vision"].value("reason", std::string()) + " |\n";
  } else if (tests.contains("vision")) {
    const auto& v = tests["vision"];
    md += "| Vision | " +
          (v.value("status", std::string()) == "error"
               ? "NOT WORKING: " + v.value("reason", std::string()) + " — "
               : std::string()) +
          std::to_string(v.value("colours_found", 0)) + "/" +
          std::to_string(v.value("colours_total", 0)) + " colours, " +
          std::to_string(v.value("positions_found", 0)) + "/" +
          std::to_string(v.value("positions_total", 0)) + " positions" +
          rounds_note(v,
                      [](const nlohmann::json& round) {
                        return of(round, "colours_found", "colours_total") + " + " +
                               of(round, "positions_found", "positions_total");
                      }) +
          " |\n";
  }
  if (tests.contains("kannada")) {
    const auto& k = tests["kannada"];
    md += "| Kannada | " + std::to_string(k.value("entities_found", 0)) + "/" +
          std::to_string(k.value("entities_total", 0)) +
          " entities; reply in Kannada: " + (k.value("reply_kannada", false) ? "YES" : "NO") +
          " (" + std::to_string(k.value("reply_kannada_chars", 0)) + " Kannada chars)" +
          rounds_note(k,
                      [](const nlohmann::json& round) {
                        return of(round, "entities_found", "entities_total") +
                               (round.value("reply_kannada", false) ? " YES" : " NO");
                      }) +
          " |\n";
  }

  const auto& d = r["decision"];
  md += "\n## Score\n\n| Component | Weight | Score |\n|---|---|---|\n";
  const char* parts[] = {"quality", "performance", "vision", "vram", "stability"};
  for (const char* part : parts) {
    const auto& value = at(d, {"candidate", part});
    md += std::string("| ") + part + " | " + num(at(r, {"weights", part}), 0) + " | " +
          (value.is_number() ? fixed(value.get<double>(), 2)
                             : std::string("left out (not measured)")) +
          " |\n";
  }
  md += "| **total** | | **" + num(at(d, {"candidate", "total"}), 1) + " / 100** |\n";
  if (r.contains("baseline")) {
    md += "\nBaseline: " + at(r, {"baseline", "model"}).get<std::string>() + ", score " +
          num(at(d, {"baseline", "total"}), 1) + " / 100 (margin " +
          num(d.value("margin", nlohmann::json()), 3) + ").\n";
  }
  md += "\n## Decision\n\n**" + d.value("outcome", std::string("?")) + "** — " +
        d.value("reason", std::string()) + "\n";
  return md;
}

std::string compare_table(const std::vector<nlohmann::json>& results) {
  std::string md = "| Metric |";
  std::string rule = "|---|";
  bool any_simulated = false;
  for (const auto& r : results) {
    md += " " + model_label(r) + " |";
    rule += "---|";
    any_simulated = any_simulated || r.value("simulated", false);
  }
  // Files scored on different tests are not comparable line by line: say so first, naming
  // what each file lacks of what the others ran.
  std::string subsets;
  {
    auto ran = [](const nlohmann::json& r) {
      std::set<std::string> names;
      if (r.contains("tests") && r["tests"].is_object()) {
        for (const auto& [name, test] : r["tests"].items()) {
          if (test.is_object() && test.value("status", std::string()) != "skipped")
            names.insert(name);
        }
      } else if (r.contains("metrics") && r["metrics"].is_object()) {
        // A file of recorded figures: the tests its measured figures come from.
        const std::pair<const char*, const char*> from[] = {{"tok_s", "throughput"},
                                                            {"ttft_ms", "ttft"},
                                                            {"vram_gb", "vram"},
                                                            {"tools_correct", "tools"},
                                                            {"persons_found", "entities"},
                                                            {"vision_colours", "vision"},
                                                            {"kannada_entities", "kannada"}};
        for (const auto& [metric, test] : from) {
          auto it = r["metrics"].find(metric);
          if (it != r["metrics"].end() && !it->is_null()) names.insert(test);
        }
      }
      return names;
    };
    std::set<std::string> all;
    for (const auto& r : results) {
      auto names = ran(r);
      all.insert(names.begin(), names.end());
    }
    std::string lacking;
    for (const auto& r : results) {
      auto names = ran(r);
      std::string missing;
      for (const auto& name : all)
        if (!names.contains(name)) missing += (missing.empty() ? "" : ", ") + name;
      if (!missing.empty())
        lacking += (lacking.empty() ? " " : "; ") + model_label(r) + " lacks " + missing;
    }
    if (!lacking.empty())
      subsets = "> **Warning:** these files were scored on different tests:" + lacking + ".\n\n";
  }
  md = (any_simulated
            ? std::string("> includes a **simulated endpoint** (llmwire's model simulator)\n\n")
            : std::string()) +
       subsets + md + "\n" + rule + "\n";
  auto row = [&](const std::string& name, auto cell) {
    md += "| **" + name + "** |";
    for (const auto& r : results) md += " " + cell(r) + " |";
    md += "\n";
  };
  row("tok/s", [](const nlohmann::json& r) { return num(at(r, {"metrics", "tok_s"}), 1); });
  row("TTFT", [](const nlohmann::json& r) { return num(at(r, {"metrics", "ttft_ms"}), 1, " ms"); });
  row("VRAM", [](const nlohmann::json& r) {
    const auto& v = at(r, {"metrics", "vram_gb"});
    return v.is_number() ? num(v, 2, " GB") : std::string("unavailable");
  });
  row("Vision", [](const nlohmann::json& r) {
    // The seeds' YES/NO, with the count behind it.
    const auto& v = at(r, {"metrics", "vision_colours"});
    if (!v.is_number()) return std::string("—");
    int found = v.get<int>(), total = at(r, {"metrics", "vision_total"}).get<int>();
    std::string count = std::to_string(found) + "/" + std::to_string(total);
    if (found == 0) return "NO (" + count + ")";
    return found == total ? "YES (" + count + ")" : count;
  });
  row("Tools", [](const nlohmann::json& r) {
    const auto& v = at(r, {"metrics", "tools_correct"});
    if (!v.is_number()) return std::string("—");
    return std::to_string(v.get<int>()) + "/" +
           std::to_string(at(r, {"metrics", "tools_total"}).get<int>()) + " (" +
           num(at(r, {"metrics", "tools_weighted"}), 2) + ")";
  });
  row("Entities", [](const nlohmann::json& r) {
    const auto& v = at(r, {"metrics", "persons_found"});
    if (!v.is_number()) return std::string("—");
    std::string cell = std::to_string(v.get<int>()) + "/" +
                       std::to_string(at(r, {"metrics", "persons_total"}).get<int>());
    const auto& places = at(r, {"metrics", "places_found"});
    if (places.is_number()) {
      cell += "+" + std::to_string(places.get<int>()) + "/" +
              std::to_string(at(r, {"metrics", "places_total"}).get<int>());
    }
    return cell;
  });
  row("Kannada", [](const nlohmann::json& r) {
    const auto& v = at(r, {"metrics", "kannada_entities"});
    if (!v.is_number()) return std::string("—");
    return std::to_string(v.get<int>()) + "/" +
           std::to_string(at(r, {"metrics", "kannada_total"}).get<int>());
  });
  row("Score", [](const nlohmann::json& r) {
    return num(at(r, {"decision", "candidate", "total"}), 1);
  });
  row("Decision", [](const nlohmann::json& r) {
    return at(r, {"decision", "outcome"}).is_string()
               ? at(r, {"decision", "outcome"}).get<std::string>()
               : std::string("—");
  });
  return md;
}

}  // namespace llmwire::bench
