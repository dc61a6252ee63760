#!/usr/bin/env bash
# Client concurrency, side by side in one run: llmwire::Client (bench/bench_client_concurrency.cpp)
# and the official `openai` npm SDK (bench/node/openai_stream.mjs) against the SAME blast server
# process, 100 and 1000 concurrent streams; plus llmwire's TTFT overhead over the server's first
# byte. Usage: bench/run_client_bench.sh [BUILD_DIR]   (BUILD_DIR needs -DLLMWIRE_BUILD_BENCH=ON)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
bench="$build_dir/bench/bench_client_concurrency"
if [ ! -x "$bench" ]; then
  echo "missing $bench: cmake -S . -B $build_dir -DLLMWIRE_BUILD_BENCH=ON && cmake --build $build_dir --target bench_client_concurrency" >&2
  exit 2
fi
if [ ! -d tests/node/node_modules/openai ] || ! command -v node >/dev/null; then
  echo "missing node or tests/node/node_modules (run: cd tests/node && npm ci)" >&2
  exit 2
fi

out=$(mktemp -d)
port_file="$out/port"
"$bench" --serve >"$port_file" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$port_file")"
echo "blast server: $base (pid $server)"

LLMWIRE_BENCH_ENDPOINT="$base" "$bench" --benchmark_out="$out/llmwire.json" --benchmark_out_format=json
for n in 100 1000; do
  node bench/node/openai_stream.mjs --base "$base" --streams "$n" --runs 3 | tee "$out/node_$n.json"
done

python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
ll = {}
for b in json.load(open(os.path.join(out, "llmwire.json")))["benchmarks"]:
    if b["name"].startswith("BM_client_streams/"):
        ll[int(b["name"].split("/")[1])] = b
    if b["name"].startswith("BM_ttft_overhead"):
        ttft = b
print()
print("| streams | client | events/s | CPU-s per M events | RSS KiB per stream |")
print("|---|---|---:|---:|---:|")
for n in (100, 1000):
    nd = json.load(open(os.path.join(out, f"node_{n}.json")))
    l = ll[n]
    print(f"| {n} | llmwire | {l['events_per_s']:,.0f} | {l['cpu_s_per_M_events']:.2f} | {l['rss_kib_per_stream']:.1f} |")
    print(f"| {n} | openai-node {nd['sdk_version']} | {nd['events_per_s']:,.0f} | {nd['cpu_s_per_M_events']:.2f} | {nd['rss_kib_per_stream']:.1f} |")
    print(f"| {n} | llmwire vs openai-node | {nd['events_per_s'] and l['events_per_s'] / nd['events_per_s']:.1f}x faster | "
          f"{nd['cpu_s_per_M_events'] / l['cpu_s_per_M_events']:.1f}x less CPU | "
          f"{nd['rss_kib_per_stream'] / max(l['rss_kib_per_stream'], 1e-9):.1f}x less memory |")
print()
print(f"TTFT overhead over the server's first byte (llmwire, {int(ttft['iterations'])} sequential requests): "
      f"p50 {ttft['p50_us']:.1f} us, p90 {ttft['p90_us']:.1f} us, p99 {ttft['p99_us']:.1f} us")
PY
