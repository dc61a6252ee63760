#!/usr/bin/env bash
# Builds llmwire with its tests and runs them all: `scripts/test.sh [BUILD_DIR]`.
# LLMWIRE_SANITIZE=address,undefined builds the same suite with sanitizers; LLMWIRE_TEST_REGEX
# runs only the ctests whose names match and LLMWIRE_BUILD_TARGETS builds only those targets (CI's
# ThreadSanitizer run takes the threaded rooms).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
jobs=$(nproc 2>/dev/null || echo 2)
if [[ "${LLMWIRE_SANITIZE:-}" == *thread* ]]; then
  export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp ${TSAN_OPTIONS:-}"
fi
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLLMWIRE_BUILD_TESTS=ON \
  -DLLMWIRE_SANITIZE="${LLMWIRE_SANITIZE:-}" ${LLMWIRE_CMAKE_ARGS:-}
# shellcheck disable=SC2086 # a space-separated list of targets
cmake --build "$build_dir" -j"$jobs" ${LLMWIRE_BUILD_TARGETS:+--target $LLMWIRE_BUILD_TARGETS}
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" --timeout 300 \
  ${LLMWIRE_TEST_REGEX:+-R "$LLMWIRE_TEST_REGEX"}
