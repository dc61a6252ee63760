#!/usr/bin/env bash
# Verifies `llmwire gpu` on a real NVIDIA machine (the `device` tool's machine, or any host with
# the driver): builds the probe-only configuration, compares `llmwire gpu --json` with
# nvidia-smi, then starts a helper that allocates a known amount (8 GiB by default) under a
# parent shell and checks that the helper's PID shows about that amount and that `--pid` of
# the parent shell sums it. Also records a --watch window around the allocation and, where the
# carried Google Benchmark is present, bench_gpu_probe. Everything goes to $OUT (default ./out-gpu).
#
#   scripts/verify_gpu_device.sh            # needs device-deps/ (see docs/GPU.md) when the
#                                           # machine lacks nlohmann/tl/fmt dev packages
# Exit status: 0 when every check passed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/out-gpu}
GIB=${GIB:-8}
mkdir -p "$OUT"
exec > >(tee "$OUT/verify.log") 2>&1

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
failures=0
check() {  # check "what" python-expression-exit-status
  if [ "$2" = 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}

say "machine"
run nvidia-smi --query-gpu=index,name,driver_version,memory.used,memory.total --format=csv
uname -r
nproc

say "build (probe only: no curl, no image libraries)"
DEPS=()
if [ -d device-deps ]; then
  DEPS=(-Dnlohmann_json_DIR="$ROOT/device-deps/share/cmake/nlohmann_json"
        -Dtl-expected_DIR="$ROOT/device-deps/share/cmake/tl-expected"
        -DLLMWIRE_FMT_INCLUDE_DIR="$ROOT/device-deps/include")
fi
run cmake -S . -B build-device -DCMAKE_BUILD_TYPE=Release -DLLMWIRE_PROBE_ONLY=ON \
  -DLLMWIRE_BUILD_TESTS=OFF -DLLMWIRE_INSTALL=OFF "${DEPS[@]}" >/dev/null || exit 1
run cmake --build build-device -j"$(nproc)" --target llmwire_cli >/dev/null || exit 1
LLMWIRE=$ROOT/build-device/bin/llmwire

# Compares llmwire's JSON with an nvidia-smi CSV line taken right after it, per device:
# within 1% of nvidia-smi's figure or 64 MiB, whichever is larger.
compare_with_smi() {
  python3 - "$1" "$2" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
smi = [l.split(',') for l in open(sys.argv[2]).read().strip().splitlines()[1:]]
ok = True
for dev, row in zip(ours["devices"], smi):
    used_mib, total_mib = (float(x.strip().split()[0]) for x in row)
    for what, mine, theirs in (("used", dev["memory"]["used_bytes"], used_mib),
                               ("total", dev["memory"]["total_bytes"], total_mib)):
        mine_mib = mine / 2**20 if mine is not None else float("nan")
        tol = max(0.01 * theirs, 64.0)
        good = abs(mine_mib - theirs) <= tol
        ok = ok and good
        print(f"  gpu {dev['index']} {what}: llmwire {mine_mib:.1f} MiB, nvidia-smi {theirs:.1f} MiB, "
              f"diff {mine_mib - theirs:+.1f} MiB (tolerance {tol:.1f}) {'ok' if good else 'MISMATCH'}")
sys.exit(0 if ok and len(smi) == len(ours["devices"]) else 1)
PY
}

say "idle: llmwire gpu vs nvidia-smi"
run "$LLMWIRE" gpu
"$LLMWIRE" gpu --json >"$OUT/gpu_idle.json"
idle_rc=$?
nvidia-smi --query-gpu=memory.used,memory.total --format=csv >"$OUT/smi_idle.csv"
echo "\$ llmwire gpu --json  (exit $idle_rc)"; cat "$OUT/gpu_idle.json"
echo "\$ nvidia-smi --query-gpu=memory.used,memory.total --format=csv"; cat "$OUT/smi_idle.csv"
compare_with_smi "$OUT/gpu_idle.json" "$OUT/smi_idle.csv"
check "idle reading agrees with nvidia-smi" $?

say "helper allocating $GIB GiB under a parent shell"
HELPER_DIR=$(mktemp -d)
cat >"$HELPER_DIR/alloc.py" <<'PY'
import os, sys, time
import torch
n = int(sys.argv[1]) << 30
x = torch.empty(n, dtype=torch.uint8, device="cuda")
x.fill_(1)
torch.cuda.synchronize()
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(f"{os.getpid()}\n")
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
time.sleep(float(sys.argv[3]))
PY
# Without torch: a C++ helper that dlopens libcuda.so.1 (prototypes by hand, no CUDA headers).
cat >"$HELPER_DIR/alloc.cpp" <<'CPP'
#include <dlfcn.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <string>
using CUresult = int;
int main(int argc, char** argv) {
  unsigned long long bytes = std::strtoull(argv[1], nullptr, 10) << 30;
  void* cuda = dlopen("libcuda.so.1", RTLD_NOW);
  if (!cuda) { std::fprintf(stderr, "no libcuda.so.1\n"); return 1; }
  auto cu_init = reinterpret_cast<CUresult (*)(unsigned)>(dlsym(cuda, "cuInit"));
  auto cu_device_get = reinterpret_cast<CUresult (*)(int*, int)>(dlsym(cuda, "cuDeviceGet"));
  auto cu_ctx_create = reinterpret_cast<CUresult (*)(void**, unsigned, int)>(dlsym(cuda, "cuCtxCreate_v2"));
  auto cu_mem_alloc = reinterpret_cast<CUresult (*)(unsigned long long*, size_t)>(dlsym(cuda, "cuMemAlloc_v2"));
  auto cu_memset = reinterpret_cast<CUresult (*)(unsigned long long, unsigned char, size_t)>(dlsym(cuda, "cuMemsetD8_v2"));
  auto cu_sync = reinterpret_cast<CUresult (*)()>(dlsym(cuda, "cuCtxSynchronize"));
  int device = 0; void* ctx = nullptr; unsigned long long ptr = 0;
  if (cu_init(0) || cu_device_get(&device, 0) || cu_ctx_create(&ctx, 0, device) ||
      cu_mem_alloc(&ptr, bytes) || cu_memset(ptr, 1, bytes) || cu_sync()) {
    std::fprintf(stderr, "CUDA call failed\n"); return 1;
  }
  std::string ready = argv[2], tmp = ready + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w"); std::fprintf(f, "%d\n", getpid()); std::fclose(f);
  std::rename(tmp.c_str(), ready.c_str());
  sleep(static_cast<unsigned>(std::atoi(argv[3])));
}
CPP
if python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  HELPER=(python3 "$HELPER_DIR/alloc.py")
  echo "helper: python3 + torch $(python3 -c 'import torch; print(torch.__version__)')"
else
  g++ -std=c++17 -O1 -o "$HELPER_DIR/alloc" "$HELPER_DIR/alloc.cpp" -ldl || exit 1
  HELPER=("$HELPER_DIR/alloc")
  echo "helper: C++ over libcuda.so.1 (no torch)"
fi

# A watch window around the allocation: its delta should be about the helper's size.
"$LLMWIRE" gpu --json --watch 100 >"$OUT/watch.json" &
WATCH_PID=$!
sleep 1

# `; true` keeps bash from exec'ing the helper, so the shell stays its parent.
bash -c '"$@"; true' parent-shell "${HELPER[@]}" "$GIB" "$HELPER_DIR/ready" 90 &
SHELL_PID=$!
for _ in $(seq 1 240); do [ -f "$HELPER_DIR/ready" ] && break; sleep 0.5; done
if [ ! -f "$HELPER_DIR/ready" ]; then echo "FAIL: helper never became ready"; exit 1; fi
HELPER_PID=$(cat "$HELPER_DIR/ready")
sleep 1
echo "parent shell pid $SHELL_PID, helper pid $HELPER_PID"
grep -E '^(PPid|NSpid)' "/proc/$HELPER_PID/status"

say "loaded: llmwire gpu --pid <parent shell> vs nvidia-smi"
"$LLMWIRE" gpu --json --pid "$SHELL_PID" >"$OUT/gpu_loaded.json"
loaded_rc=$?
nvidia-smi --query-gpu=memory.used,memory.total --format=csv >"$OUT/smi_loaded.csv"
echo "\$ llmwire gpu --json --pid $SHELL_PID  (exit $loaded_rc)"; cat "$OUT/gpu_loaded.json"
echo "\$ nvidia-smi --query-gpu=memory.used,memory.total --format=csv"; cat "$OUT/smi_loaded.csv"
run nvidia-smi --query-compute-apps=pid,used_memory --format=csv
run "$LLMWIRE" gpu --pid "$SHELL_PID"
compare_with_smi "$OUT/gpu_loaded.json" "$OUT/smi_loaded.csv"
check "loaded reading agrees with nvidia-smi" $?

python3 - "$OUT/gpu_loaded.json" "$HELPER_PID" "$SHELL_PID" "$GIB" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); helper, shell, gib = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
want = gib << 30
entries = [p for d in j["devices"] for p in d["processes"] if p["pid"] == helper]
print(f"  helper entries: {entries}")
ok_pid = len(entries) == 1 and entries[0]["used_bytes"] is not None and \
    want <= entries[0]["used_bytes"] <= want + (1 << 30)
print(f"  helper pid {helper}: {'ok' if ok_pid else 'MISSING or off'} "
      f"(want {want} .. {want + (1 << 30)} bytes: allocation + CUDA context)")
tree = j["process_tree"]
ok_tree = tree is not None and tree["pid"] == shell and ok_pid and tree["used_bytes"] == entries[0]["used_bytes"]
print(f"  process tree of shell {shell}: {tree} {'ok' if ok_tree else 'MISMATCH'}")
sys.exit((0 if ok_pid else 1) | (0 if ok_tree else 2))
PY
tree_rc=$?
check "helper PID listed with about $GIB GiB" $((tree_rc & 1))
check "--pid of the parent shell sums the helper" $((tree_rc & 2))

if [ -f device-deps/lib/libbenchmark.so ] || [ -f /usr/include/benchmark/benchmark.h ]; then
  say "bench_gpu_probe on the real driver (helper still allocated)"
  if g++ -std=c++20 -O2 -DNDEBUG bench/bench_gpu_probe.cpp -Iinclude -Idevice-deps/include \
      build-device/libllmwire.a -Ldevice-deps/lib -lbenchmark -lpthread -ldl \
      -o build-device/bench_gpu_probe; then
    LD_LIBRARY_PATH=$ROOT/device-deps/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
      run build-device/bench_gpu_probe --benchmark_min_time=0.3
  fi
fi

say "watch window (SIGINT after the helper allocated)"
kill -INT "$WATCH_PID"
wait "$WATCH_PID"
echo "\$ llmwire gpu --json --watch 100  (exit $?)"; cat "$OUT/watch.json"
python3 - "$OUT/watch.json" "$GIB" <<'PY'
import json, sys
w = json.load(open(sys.argv[1])); want = int(sys.argv[2]) << 30
d = w["device"]["delta_bytes"]
print(f"  delta {d} bytes = {d / 2**30:.3f} GiB over {w['samples']} samples")
sys.exit(0 if d is not None and want <= d <= want + (1 << 30) else 1)
PY
check "--watch delta is about $GIB GiB" $?

kill "$SHELL_PID" "$HELPER_PID" 2>/dev/null
# Wait for the shell only: a bare `wait` would also wait for the tee above, which never ends.
wait "$SHELL_PID" 2>/dev/null
rm -rf "$HELPER_DIR"
say "summary: $failures failed check(s)"
[ "$failures" = 0 ]
