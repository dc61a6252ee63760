#!/usr/bin/env bash
# Packs built fuzz targets, with every shared library they load (glibc and its loader included),
# into one folder that runs on another x86-64 Linux that has no clang: the longer mode's
# 10M executions per target need more cores than a development machine has, and the `device`
# tool's machine (16 cores) has no clang to build them.
#
#   scripts/make_fuzz_bundle.sh build-fuzz-long fuzz-bundle fuzz_response_decoder fuzz_repair
#   fuzz-bundle/run-workers fuzz_repair 8 10000000 540 out/   # on the other machine
#
# Symbols stay (ASan and UBSan reports name functions); debug information is stripped for size.
set -euo pipefail
build_dir=$1
out=$2
shift 2
[ $# -gt 0 ] || { echo "usage: $0 BUILD_DIR OUT TARGET..." >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
for target in "$@"; do
  binary="$build_dir/fuzz/$target"
  [ -x "$binary" ] || { echo "no $binary: build it first" >&2; exit 1; }
  cp "$binary" "$out/bin/$target"
  strip --strip-debug "$out/bin/$target"
  ldd "$binary" | awk '/=> \//{print $3}' | sort -u | while read -r lib; do
    cp -Ln "$lib" "$out/lib/" 2>/dev/null || true
  done
done
loader=$(ldd "$build_dir/fuzz/$1" | awk '/ld-linux/{print $1}')
cp -L "$loader" "$out/lib/ld-linux-x86-64.so.2"
strip --strip-unneeded "$out"/lib/*.so* 2>/dev/null || true
cp "$(dirname "$0")/fuzz_workers.sh" "$out/run-workers"
chmod +x "$out/run-workers"
du -sh "$out"
