// Cost per event of decoding a long vLLM content stream (SSE framing + chunk JSON + event
// dispatch + aggregation), side by side with baselines in the same run:
//   llmwire_decoder      ResponseDecoder as shipped (fast path on)
//   llmwire_full_parse   the same decoder with the fast path off: every chunk through nlohmann
//   baseline_json_parse  llmwire's SSE framing + nlohmann::json::parse per chunk + content
//                        extraction, i.e. what a straightforward client does
//   sse_framing_only     the SSE decoder alone
// Input: tests/transcripts/vllm_long_content.jsonl (1000 ~230-byte content chunks, fed as the
// recorded reads). Heap allocations are counted with a replaced global operator new; the
// `allocs_per_event` counter is measured over the steady state (events 100..end of a stream).
//
//   cmake --build build --target bench_stream_decode && build/bench/bench_stream_decode

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <nlohmann/json.hpp>
#include <string>

#include "llmwire/sse.hpp"
#include "llmwire/stream.hpp"
#include "llmwire/transcript.hpp"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

// Counting allocator: every heap allocation in the process goes through these. GCC 12 sees the
// malloc inside this operator new inlined at call sites and then warns that operator delete's
// free() "mismatches" it; the pairing is correct, so that one warning is silenced here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return operator new(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

const llmwire::Transcript& stream() {
  static const llmwire::Transcript transcript = [] {
    auto t = llmwire::read_transcript(LLMWIRE_TEST_TRANSCRIPTS_DIR "/vllm_long_content.jsonl");
    if (!t) {
      std::fprintf(stderr, "bench_stream_decode: %s\n", t.error().message.c_str());
      std::exit(1);
    }
    return *t;
  }();
  return transcript;
}

constexpr std::size_t warmup_events = 100;
// The last three reads are the finish chunk, the usage chunk (choices:[], which takes the full
// parse) and [DONE]: not content events, so the steady-state window ends before them.
std::size_t steady_end() {
  return stream().chunks.size() - 3;
}

// One SSE event per recorded read in this transcript, so reads == events.
void report(benchmark::State& state, std::size_t events, std::size_t steady_allocs,
            std::size_t steady_events) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events));
  state.counters["ns_per_event"] =
      benchmark::Counter(static_cast<double>(state.iterations() * events) * 1e-9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["allocs_per_event"] =
      static_cast<double>(steady_allocs) / static_cast<double>(steady_events);
  double bytes = 0;
  for (const auto& c : stream().chunks) bytes += static_cast<double>(c.bytes.size());
  state.counters["bytes_per_event"] = bytes / static_cast<double>(events);
}

void decode_with(benchmark::State& state, bool fast_path) {
  const auto& chunks = stream().chunks;
  const llmwire::EventSink sink = [](const llmwire::Event& e) {
    benchmark::DoNotOptimize(&e);
    return true;
  };
  std::size_t steady_allocs = 0, steady_events = 0;
  for (auto _ : state) {
    llmwire::ResponseDecoder decoder(llmwire::Dialect::openai,
                                     llmwire::DecoderOptions{.fast_path = fast_path});
    std::size_t before = 0;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      if (i == warmup_events) before = g_allocations.load(std::memory_order_relaxed);
      if (i == steady_end())
        steady_allocs += g_allocations.load(std::memory_order_relaxed) - before;
      decoder.feed(chunks[i].bytes, sink);
    }
    steady_events += steady_end() - warmup_events;
    decoder.finish(sink);
    if (!decoder.result().done) state.SkipWithError("stream did not decode");
    benchmark::DoNotOptimize(decoder.result().content->size());
  }
  report(state, chunks.size(), steady_allocs, steady_events);
}

void llmwire_decoder(benchmark::State& state) {
  decode_with(state, true);
}
void llmwire_full_parse(benchmark::State& state) {
  decode_with(state, false);
}

void baseline_json_parse(benchmark::State& state) {
  const auto& chunks = stream().chunks;
  std::size_t steady_allocs = 0, steady_events = 0;
  for (auto _ : state) {
    llmwire::sse::Decoder framing;
    std::string content;
    bool done = false;
    auto on_event = [&](const llmwire::sse::Event& e) {
      if (e.data == "[DONE]") {
        done = true;
        return false;
      }
      auto chunk = nlohmann::json::parse(e.data);
      const auto& choices = chunk["choices"];
      if (!choices.empty()) {
        const auto& delta = choices[0]["delta"];
        if (auto it = delta.find("content"); it != delta.end() && it->is_string()) {
          content += it->get_ref<const std::string&>();
        }
      }
      return true;
    };
    std::size_t before = 0;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      if (i == warmup_events) before = g_allocations.load(std::memory_order_relaxed);
      if (i == steady_end())
        steady_allocs += g_allocations.load(std::memory_order_relaxed) - before;
      (void)framing.feed(chunks[i].bytes, on_event);
    }
    steady_events += steady_end() - warmup_events;
    if (!done) state.SkipWithError("stream did not decode");
    benchmark::DoNotOptimize(content.size());
  }
  report(state, chunks.size(), steady_allocs, steady_events);
}

void sse_framing_only(benchmark::State& state) {
  const auto& chunks = stream().chunks;
  std::size_t steady_allocs = 0, steady_events = 0;
  for (auto _ : state) {
    llmwire::sse::Decoder framing;
    std::size_t total = 0;
    auto on_event = [&total](const llmwire::sse::Event& e) {
      total += e.data.size();
      return true;
    };
    std::size_t before = 0;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      if (i == warmup_events) before = g_allocations.load(std::memory_order_relaxed);
      if (i == steady_end())
        steady_allocs += g_allocations.load(std::memory_order_relaxed) - before;
      (void)framing.feed(chunks[i].bytes, on_event);
    }
    steady_events += steady_end() - warmup_events;
    benchmark::DoNotOptimize(total);
  }
  report(state, chunks.size(), steady_allocs, steady_events);
}

}  // namespace

BENCHMARK(llmwire_decoder);
BENCHMARK(llmwire_full_parse);
BENCHMARK(baseline_json_parse);
BENCHMARK(sse_framing_only);
BENCHMARK_MAIN();
