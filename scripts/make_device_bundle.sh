#!/usr/bin/env bash
# Packs built programs (default: the `llmwire` CLI) with every shared library they load, glibc
# and its loader included, into one folder that runs on another x86-64 Linux whatever its own
# libraries are (the `device` tool's GPU machine has no libcurl headers to build the client
# there, and no clang to build the fuzz targets):
#
#   scripts/make_device_bundle.sh build device-bundle [PROGRAM...]
#   device-bundle/run llmwire gpu --json        # on the other machine
#
# NVML is not packed: the probe loads the driver's libnvidia-ml.so.1 from the machine it runs on.
# Debug information is stripped (the device tool carries at most 64 MiB); symbols stay, so
# sanitizer reports still name functions.
set -euo pipefail
build_dir=${1:-build}
out=${2:-device-bundle}
shift $(( $# > 2 ? 2 : $# ))
programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=("$build_dir/bin/llmwire")
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
for binary in "${programs[@]}"; do
  [ -x "$binary" ] || { echo "no $binary: build it first" >&2; exit 1; }
  cp "$binary" "$out/bin/"
  ldd "$binary" | awk '/=> \//{print $3}' | sort -u | while read -r lib; do
    cp -L "$lib" "$out/lib/"
  done
done
loader=$(ldd "${programs[0]}" | awk '/ld-linux/{print $1}')
cp -L "$loader" "$out/lib/ld-linux-x86-64.so.2"
strip --strip-debug "$out"/bin/* 2>/dev/null || true
strip --strip-unneeded "$out"/lib/*.so* 2>/dev/null || true
cat > "$out/run" <<'RUN'
#!/bin/sh
# run PROGRAM ARGS: runs bin/PROGRAM with the packed loader and libraries.
here=$(cd "$(dirname "$0")" && pwd)
prog=$1; shift
exec "$here/lib/ld-linux-x86-64.so.2" --library-path "$here/lib" "$here/bin/$prog" "$@"
RUN
chmod +x "$out/run"
du -sh "$out"
