// Fair runs: sampling pinned on every request, the throughput output held at max_tokens where
// the server can (vLLM ignore_eos + min_tokens), as the requests bench sends show.

#include "bench/fair_runs.hpp"

#include <doctest/doctest.h>

#include "bench/report.hpp"
#include "bench/runner.hpp"

using namespace llmwire;
using namespace llmwire::bench;

namespace {

struct Recorder {
  std::vector<ChatRequest> sent;
  std::optional<std::int64_t> load_ns_first;  // Ollama's load_duration on the first timed reply

  ChatFunction chat() {
    return [this](const ChatRequest& r) {
      sent.push_back(r);
      ChatResult result;
      result.content = "A river. It flows.";
      result.done = true;
      result.usage = Usage{.prompt_tokens = 10, .completion_tokens = r.max_tokens.value_or(1)};
      result.timings.ttft_ms = 50.0 + static_cast<double>(sent.size());
      if (load_ns_first && sent.size() == 2) {  // after the warm-up: the first timed request
        result.server_timings = ServerTimings{};
        result.server_timings->load_duration_ns = *load_ns_first;
        result.timings.ttft_ms = 2500.0;
      }
      Exchange e;
      e.result = std::move(result);
      e.total_ms = 10;
      return e;
    };
  }
  ParallelChatFunction parallel() {
    return [this](const std::vector<ChatRequest>& rs) {
      std::vector<Exchange> out;
      for (const auto& r : rs) out.push_back(chat()(r));
      return out;
    };
  }
};

nlohmann::json run_against(ServerKind kind, Recorder& recorder, const Suite& suite,
                           Dialect api = Dialect::openai,
                           std::vector<std::string> only = {"throughput", "ttft"},
                           std::optional<LlamaServerProps> props = std::nullopt) {
  Endpoint endpoint{.url = "http://127.0.0.1:1", .api = api, .model = "m"};
  RunOptions options;
  options.only = std::move(only);
  options.vram_unavailable_reason = "no GPU here";
  ServerInfo info;
  info.kind = kind;
  info.llama_props = std::move(props);
  options.server = info;
  return run_suite(suite, endpoint, recorder.chat(), recorder.parallel(), options);
}

}  // namespace

TEST_CASE("fair_runs: each server's way of fixing the output length, or why there is none") {
  auto vllm = fair_runs(ServerKind::vllm, Dialect::openai, 0.0, 7, true, 500);
  CHECK(vllm.fixed_length == nlohmann::json{{"ignore_eos", true}, {"min_tokens", 500}});
  CHECK(fair_runs(ServerKind::llama_server, Dialect::openai, 0.0, 7, true, 500).fixed_length ==
        nlohmann::json{{"ignore_eos", true}});
  auto ollama = fair_runs(ServerKind::ollama, Dialect::ollama, 0.0, 7, true, 500);
  CHECK(ollama.fixed_length.empty());
  CHECK(ollama.fixed_length_note.starts_with("Ollama has no way"));
  CHECK(fair_runs(ServerKind::vllm, Dialect::openai, 0.0, 7, false, 500).fixed_length.empty());
  CHECK(sampling_fields(vllm, Dialect::openai) == nlohmann::json{{"seed", 7}});
  CHECK(sampling_fields(ollama, Dialect::ollama) == nlohmann::json{{"options", {{"seed", 7}}}});
}

TEST_CASE("against vLLM: every request pinned, throughput held at max_tokens") {
  Suite suite = default_suite();
  suite.throughput.runs = 1;
  suite.throughput.prompts.resize(1);
  Recorder recorder;
  auto results = run_against(ServerKind::vllm, recorder, suite);
  REQUIRE(recorder.sent.size() == 1 + 1 + 5);  // warm-up, throughput, ttft
  for (const auto& r : recorder.sent) {
    CHECK(r.temperature == 0.0);
    CHECK(r.extra["seed"] == 1234);
  }
  const auto& throughput = recorder.sent[1];
  CHECK(throughput.extra["ignore_eos"] == true);
  CHECK(throughput.extra["min_tokens"] == suite.throughput.max_tokens);
  CHECK_FALSE(recorder.sent[2].extra.contains("ignore_eos"));  // ttft: its own length
  CHECK(results["fair_runs"]["fixed_length_note"] == "ignore_eos + min_tokens (vLLM)");
  CHECK(results["fair_runs"]["seed"] == 1234);
}

TEST_CASE("\"pin_sampling\": false leaves sampling to the server") {
  auto suite = parse_suite(nlohmann::json::parse(
      R"({"pin_sampling": false, "tests": {"throughput": {"runs": 1, "prompts": ["Go."]}}})"));
  REQUIRE(suite);
  CHECK_FALSE(suite->temperature);
  Recorder recorder;
  auto results = run_against(ServerKind::ollama, recorder, *suite, Dialect::ollama);
  for (const auto& r : recorder.sent) {
    CHECK_FALSE(r.temperature);
    CHECK_FALSE(r.extra.contains("seed"));
    CHECK_FALSE(r.extra.contains("options"));
  }
  CHECK(results["fair_runs"]["temperature"].is_null());
  CHECK(parse_suite(nlohmann::json::parse(R"({"temperature": -1})")).error().message ==
        "suite: 'temperature' must be between 0 and 100");
}

TEST_CASE("a sample during which Ollama loaded the model is flagged and left out of the summary") {
  Suite suite = default_suite();
  suite.throughput.runs = 1;
  suite.throughput.prompts.resize(2);
  Recorder recorder;
  recorder.load_ns_first = 2'400'000'000;  // 2.4 s of model load in the first timed reply
  auto results = run_against(ServerKind::ollama, recorder, suite, Dialect::ollama);
  const auto& samples = results["tests"]["throughput"]["samples"];
  REQUIRE(samples.size() == 2);
  CHECK(samples[0]["model_load_ms"].get<double>() == doctest::Approx(2400.0));
  CHECK(samples[0].contains("excluded"));
  CHECK_FALSE(samples[1].contains("excluded"));
  // Only the second sample (TTFT 53 ms) is summarised; the 2.5 s load is not the model's TTFT.
  CHECK(results["tests"]["throughput"]["ttft_ms"]["n"] == 1);
  CHECK(results["tests"]["throughput"]["ttft_ms"]["max"].get<double>() < 100.0);
}

TEST_CASE("a server that says it takes no images is not sent one: vision is skipped, not failed") {
  // llama-server without a vision projector answered the image with HTTP 500 (captured), and
  // the bench scored that as the model's failure.
  Recorder recorder;
  LlamaServerProps props;
  props.vision = false;
  auto results = run_against(ServerKind::llama_server, recorder, default_suite(), Dialect::openai,
                             {"vision"}, props);
  CHECK(recorder.sent.size() == 1);  // the warm-up only
  CHECK(results["tests"]["vision"]["status"] == "skipped");
  CHECK(results["tests"]["vision"]["reason"] ==
        "the server takes no images (/props modalities.vision is false)");
  CHECK(results["errors"].empty());
  CHECK(results["metrics"]["vision_colours"].is_null());  // not measured, not 0/5
  CHECK(
      markdown_report(results).find(
          "| Vision | skipped: the server takes no images (/props modalities.vision is false) |") !=
      std::string::npos);
}
