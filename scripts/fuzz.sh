#!/usr/bin/env bash
# Builds every fuzz/fuzz_*.cpp with clang + libFuzzer (+ASan/UBSan) and runs each for a bounded
# time: `scripts/fuzz.sh [BUILD_DIR] [SECONDS_EACH]`. Seeds come from fuzz/corpus/<name>/ if present;
# the random seed is fixed (LLMWIRE_FUZZ_SEED, default 1) so a CI run is repeatable.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build-fuzz}
seconds=${2:-20}
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLLMWIRE_BUILD_FUZZ=ON -DLLMWIRE_BUILD_TESTS=OFF -DLLMWIRE_BUILD_TOOLS=OFF \
  -DLLMWIRE_BUILD_EXAMPLES=OFF -DLLMWIRE_INSTALL=OFF -DLLMWIRE_WITH_CURL=OFF \
  -DLLMWIRE_SANITIZE=address,undefined >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
status=0
for fuzzer in "$build_dir"/fuzz/fuzz_*; do
  [ -x "$fuzzer" ] || continue
  name=$(basename "$fuzzer")
  corpus="$build_dir/corpus-$name"
  mkdir -p "$corpus"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
  echo "-- $name for ${seconds}s"
  if ! "$fuzzer" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=0 -artifact_prefix="$build_dir/" -seed="${LLMWIRE_FUZZ_SEED:-1}" \
      "$corpus" "${seeds[@]}" >"$build_dir/$name.log" 2>&1; then
    echo "FAIL: $name (tail of $build_dir/$name.log follows)"; tail -40 "$build_dir/$name.log"; status=1
  fi
done
exit $status
