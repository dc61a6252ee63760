// The VRAM test's figures: the team's case (vLLM reserving 0.85 of the card for a model whose
// weights are 15.76 GiB), Ollama's GPU/CPU split, and what is judged when a figure is missing.

#include "bench/memory_figures.hpp"

#include <doctest/doctest.h>

#include "bench/decision.hpp"

using namespace llmwire;
using namespace llmwire::bench;

namespace {

constexpr double gib = 1024.0 * 1024.0 * 1024.0;

// What the probe and /metrics say on the team's box: a 120 GB device, vLLM at
// gpu_memory_utilization 0.85, its process tree holding ~102 GB.
MemoryInputs team_box() {
  static const ServerInfo server = [] {
    ServerInfo info;
    info.kind = ServerKind::vllm;
    info.metrics = *parse_prometheus(
        "vllm:cache_config_info{block_size=\"16\",gpu_memory_utilization=\"0.85\","
        "num_gpu_blocks=\"81767\"} 1.0\n");
    return info;
  }();
  MemoryInputs in;
  in.model = "google/gemma-4-26b-a4b-it";
  in.server = &server;
  in.device_total_bytes = 120'000'000'000ull;
  in.device.baseline_bytes = 1'000'000'000ull;
  in.device.peak_bytes = 103'500'000'000ull;
  in.process_tree.peak_bytes = 102'000'000'000ull;
  in.server_pid = 4242;
  return in;
}

Metrics judged(const nlohmann::json& vram) {
  Metrics m;
  if (vram.contains("vram_gb")) {
    m.vram_gb = vram["vram_gb"].get<double>();
  } else {
    m.vram_unavailable = vram.value("reason", std::string());
  }
  return m;
}

CheckStatus vram_check(const Metrics& m, double max_gb = 25) {
  Thresholds t;
  t.vram_gb_max = max_gb;
  for (const auto& check : check_thresholds(m, t))
    if (check.metric == "VRAM") return check.status;
  FAIL("no VRAM check");
  return CheckStatus::not_measured;
}

}  // namespace

TEST_CASE(
    "the team's case: model memory from vLLM's log passes at 25 GB, the 102 GB shown beside") {
  MemoryInputs in = team_box();
  in.vllm_log = parse_vllm_log(
      "INFO Model loading took 15.76 GiB memory and 37.9 seconds\n"
      "INFO Available KV cache memory: 81.8 GiB\n");
  in.vllm_log_path = "/var/log/vllm.log";
  auto v = vram_result(in);
  CHECK(v["status"] == "ok");
  CHECK(v["measure"] == "model");
  CHECK(v["vram_gb"].get<double>() == doctest::Approx(15.76 * gib / 1e9));  // 16.92 GB
  CHECK(v["source"].get<std::string>().find("Model loading took 15.76 GiB") != std::string::npos);
  const auto& f = v["figures"];
  CHECK(f["kv_cache_gb"].get<double>() == doctest::Approx(81.8 * gib / 1e9));
  CHECK(f["process_tree_peak_gb"].get<double>() == doctest::Approx(102.0));
  CHECK(f["reservation_gb"].get<double>() == doctest::Approx(0.85 * 120.0));
  CHECK(f["device_peak_gb"].get<double>() == doctest::Approx(103.5));
  CHECK(vram_check(judged(v)) == CheckStatus::pass);
}

TEST_CASE("without the log the model row is N/A with the reason, never a FAIL on 102 GB") {
  auto v = vram_result(team_box());
  CHECK(v["status"] == "unavailable");
  CHECK_FALSE(v.contains("vram_gb"));
  const std::string reason = v["reason"];
  CHECK(reason.find("--server-log") != std::string::npos);
  CHECK(reason.find("process tree held 102.00 GB") != std::string::npos);
  CHECK(v["figures"]["process_tree_peak_gb"].get<double>() == doctest::Approx(102.0));
  Metrics m = judged(v);
  CHECK(vram_check(m) == CheckStatus::not_measured);
  Thresholds t;
  for (const auto& check : check_thresholds(m, t)) {
    if (check.metric == "VRAM")
      CHECK(check.value.starts_with("unavailable: the model's own memory"));
  }
}

TEST_CASE("a suite that judges the process tree gets the 102 GB, and fails at 25 GB") {
  MemoryInputs in = team_box();
  in.measure = MemoryMeasure::process_tree;
  auto v = vram_result(in);
  CHECK(v["status"] == "ok");
  CHECK(v["vram_gb"].get<double>() == doctest::Approx(102.0));
  CHECK(v["source"] == "server process tree (peak, PID 4242)");
  CHECK(vram_check(judged(v)) == CheckStatus::fail);

  in.process_tree = {};
  in.server_pid.reset();
  auto no_pid = vram_result(in);
  CHECK(no_pid["reason"] == "the process tree was not sampled: pass --server-pid");
  in.measure = MemoryMeasure::device;
  CHECK(vram_result(in)["vram_gb"].get<double>() == doctest::Approx(103.5));
}

TEST_CASE(
    "Ollama with part of the model on the CPU: its size is the model figure, with a warning") {
  ServerInfo server;
  server.kind = ServerKind::ollama;
  // Ollama's docs/openapi.yaml /api/ps example.
  server.ollama_loaded =
      *parse_ollama_ps(R"({"models":[{"name":"gemma4","size":6591830464,"size_vram":5333539264,)"
                       R"("context_length":4096}]})");
  MemoryInputs in;
  in.model = "gemma4";
  in.server = &server;
  in.probe_unavailable = "no NVIDIA driver";
  auto v = vram_result(in);
  CHECK(v["status"] == "ok");
  CHECK(v["vram_gb"].get<double>() == doctest::Approx(6.591830464));
  CHECK(v["figures"]["ollama_vram_gb"].get<double>() == doctest::Approx(5.333539264));
  REQUIRE(v["warnings"].size() == 1);
  const std::string warning = v["warnings"][0];
  CHECK(warning.starts_with("19% of gemma4 runs on the CPU"));
  CHECK(warning.find("5.33 of 6.59 GB on the GPU") != std::string::npos);
}

TEST_CASE(
    "no GPU and nothing from the server: the probe's reason, and unified memory is labelled") {
  MemoryInputs in;
  in.probe_unavailable = "simulated endpoint: no model is loaded on a GPU";
  auto v = vram_result(in);
  CHECK(v["status"] == "unavailable");
  CHECK(v["reason"] == "simulated endpoint: no model is loaded on a GPU");

  MemoryInputs spark;
  spark.measure = MemoryMeasure::device;
  spark.device_kind = GpuMemoryKind::unified;
  spark.device.peak_bytes = 40'000'000'000ull;
  auto u = vram_result(spark);
  CHECK(u["source"] == "device used, unified memory (peak)");
  CHECK(u["figures"]["memory_kind"] == "unified");
}

TEST_CASE("SGLang: mem_fraction_static × the card is shown as the reservation, not judged") {
  ServerInfo server;
  server.kind = ServerKind::sglang;
  server.sglang =
      *parse_sglang_server_info(R"({"mem_fraction_static":0.88,"max_total_num_tokens":1215680,)"
                                R"("version":"0.5.2"})");
  MemoryInputs in = team_box();
  in.server = &server;
  auto v = vram_result(in);
  const auto& f = v["figures"];
  CHECK(f["sglang_mem_fraction_static"].get<double>() == doctest::Approx(0.88));
  CHECK(f["reservation_gb"].get<double>() == doctest::Approx(0.88 * 120.0));
  CHECK(f["reservation_source"].get<std::string>().starts_with("SGLang mem_fraction_static 0.88"));
  CHECK(f["kv_cache_tokens"] == 1215680);
  // The reservation is context, not the model: without the model's own figure it stays N/A.
  CHECK(v["status"] == "unavailable");
  CHECK(vram_check(judged(v)) == CheckStatus::not_measured);
}
