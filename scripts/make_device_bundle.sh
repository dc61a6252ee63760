#!/usr/bin/env bash
# Packs a built `llmwire` with every shared library it loads, glibc and its loader included, into
# one folder that runs on another x86-64 Linux whatever its own libraries are (the `device`
# tool's GPU machine has no libcurl headers to build the client there):
#
#   scripts/make_device_bundle.sh build device-bundle
#   device-bundle/run llmwire gpu --json        # on the other machine
#
# NVML is not packed: the probe loads the driver's libnvidia-ml.so.1 from the machine it runs on.
set -euo pipefail
build_dir=${1:-build}
out=${2:-device-bundle}
binary="$build_dir/bin/llmwire"
[ -x "$binary" ] || { echo "no $binary: build it first" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
cp "$binary" "$out/bin/llmwire"
ldd "$binary" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | sort -u | while read -r lib; do
  cp -L "$lib" "$out/lib/"
done
loader=$(ldd "$binary" | awk '/ld-linux/{print $1}')
cp -L "$loader" "$out/lib/ld-linux-x86-64.so.2"
# Debug information is most of the size (the device tool carries at most 64 MiB).
strip --strip-unneeded "$out/bin/llmwire" "$out"/lib/*.so* 2>/dev/null || true
cat > "$out/run" <<'RUN'
#!/bin/sh
# run PROGRAM ARGS: runs bin/PROGRAM with the packed loader and libraries.
here=$(cd "$(dirname "$0")" && pwd)
prog=$1; shift
exec "$here/lib/ld-linux-x86-64.so.2" --library-path "$here/lib" "$here/bin/$prog" "$@"
RUN
chmod +x "$out/run"
du -sh "$out"
