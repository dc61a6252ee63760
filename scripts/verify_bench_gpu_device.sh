#!/usr/bin/env bash
# Verifies `llmwire bench --server-pid` on a real NVIDIA GPU (the `device` tool's machine): the
# simulator runs as the endpoint under a parent shell that also starts a child holding a known
# amount of GPU memory (as vLLM's engine child does); bench samples the parent's process tree and
# its VRAM row (tests.vram.measure "process_tree") must agree with nvidia-smi's per-process
# figures for that tree within 1% or 64 MiB. Needs the bundle from scripts/make_device_bundle.sh
# (device-bundle/) and python3 with torch. Output goes to $OUT (default ./out-bench-gpu).
#
#   scripts/verify_bench_gpu_device.sh      # exit 0 when every check passed
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/out-bench-gpu}
GIB=${GIB:-8}
PORT=${PORT:-18777}
RUN="$ROOT/device-bundle/run"
mkdir -p "$OUT"
exec > >(tee "$OUT/verify-bench.log") 2>&1
failures=0
check() { if [ "$2" = 0 ]; then echo "PASS: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi; }

echo "== machine"
nvidia-smi --query-gpu=index,name,driver_version,memory.used,memory.total --format=csv
"$RUN" llmwire --version || { echo "FAIL: the bundle does not run here"; exit 1; }

echo "== the server: simulator + a child holding ${GIB} GiB, under one parent shell"
bash -c '
  "$1" llmwire sim --port "$2" >/dev/null 2>&1 &
  python3 -c "
import torch, time, sys
x = torch.empty(int(sys.argv[1]) * 2**30, dtype=torch.uint8, device=\"cuda\")
x.fill_(1); torch.cuda.synchronize()
print(\"allocated\", flush=True)
time.sleep(600)
" "$3" &
  wait
' server-parent "$RUN" "$PORT" "$GIB" > "$OUT/server.log" 2>&1 &
PARENT=$!
echo "parent PID $PARENT"
for _ in $(seq 1 120); do grep -q allocated "$OUT/server.log" 2>/dev/null && break; sleep 0.5; done
grep -q allocated "$OUT/server.log" || { echo "FAIL: the GPU child never allocated"; cat "$OUT/server.log"; exit 1; }
sleep 1

cat > "$OUT/suite.json" <<'JSON'
{"name": "gpu-check",
 "tests": {"throughput": {"runs": 1, "max_tokens": 200, "prompts": ["Tell me about rivers."]},
           "vram": {"measure": "process_tree"}}}
JSON
echo "== bench --server-pid $PARENT"
"$RUN" llmwire bench --endpoint "http://127.0.0.1:$PORT" --model gemma-4-26b-a4b-sim \
  --server-pid "$PARENT" --suite "$OUT/suite.json" --only throughput,vram --out "$OUT/bench" \
  > "$OUT/report.md"
check "bench exits 0" $?
nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader,nounits > "$OUT/smi-apps.csv"
ps -eo pid,ppid > "$OUT/ps.txt"
echo "nvidia-smi compute apps:"; cat "$OUT/smi-apps.csv"
grep -A3 "VRAM" "$OUT/report.md" | head -8

python3 - "$OUT" "$PARENT" <<'PY'
import json, sys
out, parent = sys.argv[1], int(sys.argv[2])
children = {}
for line in open(out + "/ps.txt").read().split("\n")[1:]:
    if line.strip():
        pid, ppid = map(int, line.split())
        children.setdefault(ppid, []).append(pid)
tree, todo = set(), [parent]
while todo:
    p = todo.pop(); tree.add(p); todo += children.get(p, [])
smi_mib = 0.0
for line in open(out + "/smi-apps.csv"):
    if line.strip():
        pid, mib = (x.strip() for x in line.split(","))
        if int(pid) in tree: smi_mib += float(mib)
vram = json.load(open(out + "/bench/results.json"))["tests"]["vram"]
print("bench vram:", json.dumps(vram, indent=1))
ours_mib = vram["vram_gb"] * 1e9 / 2**20 if "vram_gb" in vram else float("nan")
tol = max(0.01 * smi_mib, 64.0)
print(f"process tree of {parent}: bench {ours_mib:.1f} MiB, nvidia-smi {smi_mib:.1f} MiB, tolerance {tol:.1f} MiB")
sys.exit(0 if smi_mib > 0 and abs(ours_mib - smi_mib) <= tol else 1)
PY
check "bench's process-tree VRAM agrees with nvidia-smi (1% or 64 MiB)" $?
kill -- -"$PARENT" 2>/dev/null; pkill -P "$PARENT" 2>/dev/null; kill "$PARENT" 2>/dev/null
echo "== $failures failure(s)"
[ "$failures" = 0 ]
