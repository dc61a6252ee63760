// Server introspection parsers against bodies real servers sent (the captured llama-server
// 0.5.0 exchanges in tests/transcripts/captured/) and bodies from the servers' own docs.

#include "llmwire/server_info.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "captured.hpp"

using namespace llmwire;

namespace {}  // namespace

TEST_CASE("captured llama-server /v1/models: the model, its runtime and training context") {
  auto models = parse_models_list(llmwire_test::read_captured("v1_models.json"));
  REQUIRE(models);
  REQUIRE(models->size() == 1);
  CHECK(models->front().id == "model/tiny-gemma4vocab.gguf");
  CHECK(models->front().owned_by == "llamacpp");
  CHECK(models->front().context_length == 4096);
  CHECK(models->front().training_context_length == 65536);
}

TEST_CASE("vLLM /v1/models: max_model_len is the runtime context") {
  // The shape of vLLM's ModelCard (vllm/entrypoints/openai/protocol.py).
  auto models = parse_models_list(
      R"({"object":"list","data":[{"id":"google/gemma-4-26b-a4b-it","object":"model",)"
      R"("created":1,"owned_by":"vllm","root":"google/gemma-4-26b-a4b-it","parent":null,)"
      R"("max_model_len":32768,"permission":[]}]})");
  REQUIRE(models);
  CHECK(models->front().owned_by == "vllm");
  CHECK(models->front().context_length == 32768);
  CHECK_FALSE(models->front().training_context_length);
}

TEST_CASE("a models list that is not one is a parse error that says so") {
  CHECK(parse_models_list("<html>").error().kind == ErrorKind::parse);
  CHECK(parse_models_list(R"({"object":"list"})").error().message.find("'data'") !=
        std::string::npos);
  CHECK(parse_models_list(R"([1,2])").error().kind == ErrorKind::parse);
  // 10k-deep nesting is refused by the bounded parser, not a stack overflow.
  CHECK_FALSE(parse_models_list(std::string(10000, '[')));
}

TEST_CASE("captured llama-server /props: build, context per slot, slots, modalities") {
  auto props = parse_llama_props(llmwire_test::read_captured("props.json"));
  REQUIRE(props);
  CHECK(props->build_info == "b0-unknown");
  CHECK(props->model_path == "model/tiny-gemma4vocab.gguf");
  CHECK(props->context_per_slot == 4096);
  CHECK(props->total_slots == 3);
  CHECK(props->vision == false);
  CHECK(props->audio == false);
}

TEST_CASE("captured llama-server /metrics: counters and gauges, before and after a bench") {
  auto before = parse_prometheus(llmwire_test::read_captured("metrics_before.txt"));
  auto after = parse_prometheus(llmwire_test::read_captured("metrics_after_bench.txt"));
  REQUIRE(before);
  REQUIRE(after);
  CHECK(after->sum("llamacpp:tokens_predicted_total") == 16968);
  CHECK(after->sum("llamacpp:prompt_tokens_total") == 28731);
  CHECK(after->sum("llamacpp:prompt_seconds_total") == doctest::Approx(24.178));
  CHECK(*after->sum("llamacpp:tokens_predicted_total") >
        *before->sum("llamacpp:tokens_predicted_total"));
  bool typed_counter = false;
  for (const auto& [name, type] : after->types)
    typed_counter |= name == "llamacpp:tokens_predicted_total" && type == "counter";
  CHECK(typed_counter);
  CHECK_FALSE(after->sum("vllm:prompt_tokens_total"));
}

TEST_CASE("vLLM /metrics: cache_config_info labels and a TTFT histogram's quantiles") {
  // The line shapes of vLLM's Prometheus exposition (its docs' metrics example): an info gauge
  // whose labels carry the cache configuration, histograms with le buckets per engine.
  const std::string body =
      "# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n"
      "# TYPE vllm:cache_config_info gauge\n"
      "vllm:cache_config_info{block_size=\"16\",cache_dtype=\"auto\",enable_prefix_caching="
      "\"True\",gpu_memory_utilization=\"0.85\",num_cpu_blocks=\"None\",num_gpu_blocks="
      "\"81767\"} 1.0\n"
      "# TYPE vllm:time_to_first_token_seconds histogram\n"
      "vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"0.1\",model_name=\"m\"} 0.0\n"
      "vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"0.2\",model_name=\"m\"} 40.0\n"
      "vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"0.4\",model_name=\"m\"} 90.0\n"
      "vllm:time_to_first_token_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"m\"} 100.0\n"
      "vllm:time_to_first_token_seconds_count{engine=\"0\",model_name=\"m\"} 100.0\n"
      "vllm:time_to_first_token_seconds_sum{engine=\"0\",model_name=\"m\"} 23.5\n"
      "vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 3.0\n"
      "vllm:num_requests_running{engine=\"1\",model_name=\"m\"} 2.0\n";
  auto m = parse_prometheus(body);
  REQUIRE(m);
  const MetricSample* cache = m->find("vllm:cache_config_info");
  REQUIRE(cache != nullptr);
  CHECK(cache->label("gpu_memory_utilization") == "0.85");
  CHECK(cache->label("num_gpu_blocks") == "81767");
  CHECK_FALSE(cache->label("nosuch"));
  CHECK(m->find("vllm:num_requests_running", {{"engine", "1"}})->value == 2.0);
  CHECK(m->sum("vllm:num_requests_running") == 5.0);  // summed across engines
  CHECK(m->histogram_count("vllm:time_to_first_token_seconds") == 100.0);
  // p50: rank 50 falls in (0.2, 0.4] holding 40..90 → 0.2 + 0.2·(50−40)/(90−40) = 0.24.
  CHECK(*m->histogram_quantile(0.5, "vllm:time_to_first_token_seconds") == doctest::Approx(0.24));
  // p25: rank 25 in (0.1, 0.2] holding 0..40 → 0.1 + 0.1·25/40.
  CHECK(*m->histogram_quantile(0.25, "vllm:time_to_first_token_seconds") ==
        doctest::Approx(0.1625));
  // p99: rank 99 lies in the +Inf bucket → the last finite bound, as Prometheus answers.
  CHECK(*m->histogram_quantile(0.99, "vllm:time_to_first_token_seconds") == 0.4);
  CHECK_FALSE(m->histogram_quantile(0.5, "vllm:e2e_request_latency_seconds"));
  CHECK_FALSE(m->histogram_quantile(1.5, "vllm:time_to_first_token_seconds"));
}

TEST_CASE("Prometheus text: escapes, NaN and infinities, timestamps, exemplars, blank lines") {
  auto m = parse_prometheus(
      "\r\n"
      "a_total{path=\"C:\\\\dir\",msg=\"say \\\"hi\\\"\\n\",} 1 1700000000000\r\n"
      "b NaN\n"
      "c +Inf\n"
      "d -Inf # {trace_id=\"x\"} 1.0\n"
      "e 1.5e3\n"
      "  # a comment\n");
  REQUIRE(m);
  REQUIRE(m->samples.size() == 5);
  CHECK(m->samples[0].label("path") == "C:\\dir");
  CHECK(m->samples[0].label("msg") == "say \"hi\"\n");
  CHECK(std::isnan(m->samples[1].value));
  CHECK(std::isinf(m->samples[2].value));
  CHECK(m->samples[3].value < 0);
  CHECK(m->samples[4].value == 1500);
}

TEST_CASE("malformed Prometheus lines are parse errors naming the line") {
  auto missing_value = parse_prometheus("ok 1\nbroken\n");
  REQUIRE_FALSE(missing_value);
  CHECK(missing_value.error().kind == ErrorKind::parse);
  CHECK(missing_value.error().message.find("line 2") != std::string::npos);
  CHECK_FALSE(parse_prometheus("x{a=\"unclosed} 1\n"));
  CHECK_FALSE(parse_prometheus("x{a=1} 1\n"));
  CHECK_FALSE(parse_prometheus("x 1 2 3\n"));
  CHECK_FALSE(parse_prometheus("1x 1\n"));
  CHECK_FALSE(parse_prometheus("x one\n"));
  CHECK(parse_prometheus("")->samples.empty());
}

TEST_CASE("Ollama /api/ps: a model partly on the CPU shows its share (Ollama's docs example)") {
  // docs/openapi.yaml's /api/ps example (Ollama's repository): 6,591,830,464 bytes, of which
  // 5,333,539,264 in VRAM, loaded with a 4096 context.
  auto loaded = parse_ollama_ps(
      R"({"models":[{"name":"gemma4","model":"gemma4","size":6591830464,"digest":"c6eb",)"
      R"("details":{"format":"gguf","family":"gemma4"},)"
      R"("expires_at":"2025-10-17T16:47:07.93355-07:00","size_vram":5333539264,)"
      R"("context_length":4096}]})");
  REQUIRE(loaded);
  REQUIRE(loaded->size() == 1);
  const auto& m = loaded->front();
  CHECK(m.name == "gemma4");
  CHECK(m.size_bytes == 6591830464u);
  CHECK(m.size_vram_bytes == 5333539264u);
  CHECK(m.context_length == 4096);
  CHECK(m.cpu_fraction() == doctest::Approx((6591830464.0 - 5333539264.0) / 6591830464.0));
  CHECK(m.expires_at == "2025-10-17T16:47:07.93355-07:00");
}

TEST_CASE("Ollama /api/ps: all on the GPU (docs/api.md example), nothing loaded, bad sizes") {
  auto gpu = parse_ollama_ps(
      R"({"models":[{"name":"mistral:latest","model":"mistral:latest","size":5137025024,)"
      R"("expires_at":"2024-06-04T14:38:31.83753-07:00","size_vram":5137025024}]})");
  REQUIRE(gpu);
  CHECK(gpu->front().cpu_fraction() == 0.0);
  CHECK_FALSE(gpu->front().context_length);  // older Ollama does not say
  CHECK(parse_ollama_ps(R"({"models":[]})")->empty());
  CHECK(parse_ollama_ps(R"({"models":null})")->empty());
  auto negative = parse_ollama_ps(R"({"models":[{"name":"m","size":-1}]})");
  REQUIRE_FALSE(negative);
  CHECK(negative.error().message.find("'size'") != std::string::npos);
  CHECK_FALSE(parse_ollama_ps(R"({"models":[{"name":"m","size_vram":"5 GB"}]})"));
  CHECK_FALSE(parse_ollama_ps(R"({})"));
}

TEST_CASE("version bodies (vLLM /version, Ollama /api/version)") {
  // Both answer {"version": "…"}: vLLM's api_server `/version` route, Ollama's docs/api.md
  // "Version" section.
  CHECK(*parse_version_body(R"({"version":"0.11.0"})") == "0.11.0");
  CHECK(*parse_version_body(R"({"version":"0.12.3"})") == "0.12.3");
  CHECK_FALSE(parse_version_body(R"({"version":12})"));
  CHECK_FALSE(parse_version_body("not json"));
}

TEST_CASE("SGLang /server_info: version, memory fraction, KV pool, running-request limit") {
  // SGLang's http_server.py answers /server_info (and the older /get_server_info) with its
  // ServerArgs dataclass, the scheduler's info and "internal_states" merged into one object,
  // plus "version". Field names as that code and its ServerArgs define them; values made up.
  auto info = parse_sglang_server_info(
      R"({"model_path":"google/gemma-4-26b-a4b","tp_size":1,"mem_fraction_static":0.88,)"
      R"("max_running_requests":8,"context_length":32768,"max_total_num_tokens":1215680,)"
      R"("internal_states":[{"max_total_num_tokens":1}],"version":"0.5.2"})");
  REQUIRE(info);
  CHECK(info->version == "0.5.2");
  CHECK(info->model_path == "google/gemma-4-26b-a4b");
  CHECK(info->mem_fraction_static == doctest::Approx(0.88));
  CHECK(info->max_running_requests == 8);
  CHECK(info->context_length == 32768);
  CHECK(info->max_total_num_tokens == 1215680);  // the top level wins over the per-rank copy

  // Launch arguments left to SGLang are null; the pool then comes from the first rank's state.
  auto defaults = parse_sglang_server_info(
      R"({"mem_fraction_static":null,"max_running_requests":null,"context_length":null,)"
      R"("internal_states":[{"max_total_num_tokens":400000}],"version":"0.4.9"})");
  REQUIRE(defaults);
  CHECK_FALSE(defaults->mem_fraction_static);
  CHECK_FALSE(defaults->max_running_requests);
  CHECK_FALSE(defaults->context_length);
  CHECK(defaults->max_total_num_tokens == 400000);

  CHECK_FALSE(parse_sglang_server_info(R"({"mem_fraction_static":1.5,"version":"x"})")
                  ->mem_fraction_static);  // not a share of the card
  auto no_version = parse_sglang_server_info(R"({"model_path":"m"})");
  REQUIRE_FALSE(no_version);
  CHECK(no_version.error().message == "/server_info has no 'version' string");
  CHECK_FALSE(parse_sglang_server_info("[1]"));
}

TEST_CASE("vLLM log: the team's memory case (15.76 GiB of weights, 81.8 GiB of KV pool)") {
  // The lines vLLM's GPU model runner and worker log at start-up.
  auto memory = parse_vllm_log(
      "INFO 11-20 10:01:02 [gpu_model_runner.py:2000] Starting to load model google/gemma-4\n"
      "INFO 11-20 10:01:40 [gpu_model_runner.py:2050] Model loading took 15.76 GiB memory and "
      "37.9 seconds\n"
      "INFO 11-20 10:02:10 [gpu_worker.py:300] Available KV cache memory: 81.8 GiB\n"
      "INFO 11-20 10:02:10 [kv_cache_utils.py:900] GPU KV cache size: 1,787,008 tokens\n"
      "INFO 11-20 10:02:10 [kv_cache_utils.py:901] Maximum concurrency for 32,768 tokens per "
      "request: 54.53x\n");
  REQUIRE(memory.model_gib);
  CHECK(*memory.model_gib == doctest::Approx(15.76));
  CHECK(*memory.kv_cache_gib == doctest::Approx(81.8));
  CHECK(memory.kv_cache_tokens == 1787008);
  CHECK(memory.lines_matched == 3);
}

TEST_CASE("vLLM log: a token count no integer holds is skipped, the rest still read") {
  // Found by fuzz_server_info under UBSan (fuzz/corpus/fuzz_server_info/
  // regression-vllm-log-token-count-overflow): a mangled line's 28-digit count was converted
  // to int64. It is no count vLLM could have meant, so the figure stays unknown.
  auto memory = parse_vllm_log(
      "INFO [gpu_worker.py:300] Available KV cache memory: 81.8 GiB\n"
      "INFO [kv_cache_utils.py:900] GPU KV cache size: 1,234,567,890,123,456,789,012,345,678 "
      "tokens\n");
  CHECK_FALSE(memory.kv_cache_tokens);
  REQUIRE(memory.kv_cache_gib);
  CHECK(*memory.kv_cache_gib == doctest::Approx(81.8));
  CHECK_FALSE(parse_vllm_log("GPU KV cache size: 12.5 tokens\n").kv_cache_tokens);
  CHECK(parse_vllm_log("GPU KV cache size: 1,787,008 tokens\n").kv_cache_tokens == 1787008);
}

TEST_CASE("vLLM log: older wording, tensor-parallel ranks summed, the last start-up counts") {
  auto older = parse_vllm_log("INFO model_runner.py:1 Loading model weights took 14.9927 GB\n");
  REQUIRE(older.model_gib);
  CHECK(*older.model_gib == doctest::Approx(14.9927e9 / (1024.0 * 1024 * 1024)));
  CHECK_FALSE(older.kv_cache_gib);

  auto ranks = parse_vllm_log(
      "(VllmWorker rank=0 pid=11) INFO Model loading took 8.0 GiB and 10.2 seconds\n"
      "(VllmWorker rank=1 pid=12) INFO Model loading took 8.0 GiB and 10.3 seconds\n"
      "(VllmWorker rank=0 pid=11) INFO Available KV cache memory: 20.5 GiB\n"
      "(VllmWorker rank=1 pid=12) INFO Available KV cache memory: 20.5 GiB\n");
  CHECK(*ranks.model_gib == doctest::Approx(16.0));
  CHECK(*ranks.kv_cache_gib == doctest::Approx(41.0));

  auto restarted = parse_vllm_log(
      "INFO Model loading took 30.1 GiB and 50 seconds\n"
      "INFO Available KV cache memory: 60.0 GiB\n"
      "ERROR engine died\n"
      "INFO Model loading took 15.76 GiB and 37.9 seconds\n");
  CHECK(*restarted.model_gib == doctest::Approx(15.76));
  CHECK_FALSE(restarted.kv_cache_gib);  // the second start-up has not reported it yet

  auto none = parse_vllm_log("nothing here\nModel loading took lots of GiB\n");
  CHECK_FALSE(none.model_gib);
  CHECK(none.lines_matched == 0);
}

TEST_CASE("server info as JSON: fields, the Ollama split, a metrics summary") {
  ServerInfo info;
  info.kind = ServerKind::ollama;
  info.url = "http://127.0.0.1:11434";
  info.version = "0.12.3";
  info.ollama_loaded.push_back({.name = "gemma4",
                                .size_bytes = 300,
                                .size_vram_bytes = 100,
                                .context_length = 8192,
                                .expires_at = "x"});
  auto metrics = parse_prometheus("vllm:num_requests_running 2\n");
  info.metrics = *metrics;
  info.notes.push_back("/metrics: HTTP 404");
  auto doc = nlohmann::json::parse(server_info_json(info));
  CHECK(doc["server"] == "ollama");
  CHECK(doc["version"] == "0.12.3");
  CHECK(doc["ollama_loaded"][0]["cpu_fraction"].get<double>() == doctest::Approx(2.0 / 3.0));
  CHECK(doc["metrics"]["series"]["vllm:num_requests_running"] == 2.0);
  CHECK(doc["notes"][0] == "/metrics: HTTP 404");
  CHECK(doc["context_length"].is_null());
}
