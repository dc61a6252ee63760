#!/usr/bin/env bash
# Builds every fuzz/fuzz_*.cpp with clang + libFuzzer (+ASan/UBSan), the library instrumented
# for coverage too, and runs each for a bounded time: `scripts/fuzz.sh [BUILD_DIR] [SECONDS_EACH]`.
# Seeds come from fuzz/corpus/<name>/ if present; the random seed is fixed (LLMWIRE_FUZZ_SEED,
# default 1) so a CI run is repeatable.
#
# The longer mode (docs/FUZZING.md): LLMWIRE_FUZZ_RUNS=10000000 runs each target for that many
# executions instead of a time (LLMWIRE_FUZZ_JOBS parallel targets, default 1), and prints each
# target's executions, coverage and corpus size. LLMWIRE_FUZZ_ONLY (an extended regex) picks
# targets by name.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build-fuzz}
seconds=${2:-20}
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLLMWIRE_BUILD_FUZZ=ON -DLLMWIRE_BUILD_TESTS=OFF -DLLMWIRE_BUILD_TOOLS=OFF \
  -DLLMWIRE_BUILD_EXAMPLES=OFF -DLLMWIRE_INSTALL=OFF \
  -DLLMWIRE_SANITIZE=address,undefined >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
# Targets whose interesting inputs are large (deep nesting, long documents, a /props or /metrics
# body) get a larger max_len.
# The response decoder stays at 8 KiB: it decodes each input twice at 1-16-byte reads, and deep
# nesting inside a chunk is json::parse's, which fuzz_json_parse covers at 64 KiB.
max_len_for() {
  case "$1" in
    fuzz_json_parse|fuzz_transcript|fuzz_repair|fuzz_server_info) echo 65536 ;;
    *) echo 8192 ;;
  esac
}
run_one() {
  local fuzzer=$1 name corpus limit
  name=$(basename "$fuzzer")
  corpus="$build_dir/corpus-$name"
  mkdir -p "$corpus"
  local seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
  if [ -n "${LLMWIRE_FUZZ_RUNS:-}" ]; then limit="-runs=$LLMWIRE_FUZZ_RUNS"; else limit="-max_total_time=$seconds"; fi
  if ! "$fuzzer" "$limit" -max_len="$(max_len_for "$name")" -timeout=5 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build_dir/$name-" -seed="${LLMWIRE_FUZZ_SEED:-1}" \
      "$corpus" "${seeds[@]}" >"$build_dir/$name.log" 2>&1; then
    echo "FAIL: $name (tail of $build_dir/$name.log follows)"; tail -40 "$build_dir/$name.log"
    return 1
  fi
  local execs cov
  execs=$(grep -m1 'stat::number_of_executed_units' "$build_dir/$name.log" | awk '{print $2}')
  cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$build_dir/$name.log" | tail -1 | grep -o 'cov: [0-9]*' || true)
  echo "-- $name: ${execs:-?} executions, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) files"
}
status=0
jobs=${LLMWIRE_FUZZ_JOBS:-1}
running=0
for fuzzer in "$build_dir"/fuzz/fuzz_*; do
  [ -x "$fuzzer" ] || continue
  if [ -n "${LLMWIRE_FUZZ_ONLY:-}" ] && ! basename "$fuzzer" | grep -Eq "$LLMWIRE_FUZZ_ONLY"; then
    continue
  fi
  if [ "$jobs" -le 1 ]; then
    run_one "$fuzzer" || status=1
  else
    run_one "$fuzzer" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n || status=1; running=$((running - 1)); fi
  fi
done
while [ "$running" -gt 0 ]; do wait -n || status=1; running=$((running - 1)); done
exit $status
