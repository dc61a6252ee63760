#!/usr/bin/env bash
# Packs built fuzz targets for a machine without clang (scripts/make_device_bundle.sh does the
# packing), with scripts/fuzz_workers.sh as `run-workers`: the longer mode's 10M executions per
# target need more cores than the development machine has.
#
#   scripts/make_fuzz_bundle.sh build-fuzz-long fuzz-bundle fuzz_response_decoder fuzz_repair
#   fuzz-bundle/run-workers fuzz_repair 8 10000000 540 out/   # on the other machine
set -euo pipefail
build_dir=$1
out=$2
shift 2
[ $# -gt 0 ] || { echo "usage: $0 BUILD_DIR OUT TARGET..." >&2; exit 2; }
targets=()
for target in "$@"; do targets+=("$build_dir/fuzz/$target"); done
"$(dirname "$0")/make_device_bundle.sh" "$build_dir" "$out" "${targets[@]}"
cp "$(dirname "$0")/fuzz_workers.sh" "$out/run-workers"
chmod +x "$out/run-workers"
