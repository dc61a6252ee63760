#!/usr/bin/env bash
# Builds llmwire with its tests and runs them all: `scripts/test.sh [BUILD_DIR]`.
# LLMWIRE_SANITIZE=address,undefined builds the same suite with sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLLMWIRE_BUILD_TESTS=ON \
  -DLLMWIRE_SANITIZE="${LLMWIRE_SANITIZE:-}" ${LLMWIRE_CMAKE_ARGS:-}
cmake --build "$build_dir" -j"$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" --timeout 300
