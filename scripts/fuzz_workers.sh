#!/usr/bin/env bash
# Runs one packed fuzz target (scripts/make_fuzz_bundle.sh) as WORKERS processes sharing one
# corpus, until together they have made RUNS executions or SECONDS have passed:
#
#   run-workers TARGET WORKERS RUNS SECONDS OUT_DIR [SEEDS_DIR...]
#
# Each worker gets RUNS/WORKERS executions and its own random seed (1..WORKERS); libFuzzer's
# -reload picks up what the others add to the shared corpus, as its own -jobs mode does. The
# corpus (OUT_DIR/corpus-TARGET) can be given back as a SEEDS_DIR to go on in a later run.
# Prints one line: the executions summed over the workers, the largest coverage, the corpus.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=$1 workers=$2 runs=$3 seconds=$4 out=$5
shift 5
# The same max_len per target as scripts/fuzz.sh (the bundle runs without the repository).
case "$target" in
  fuzz_json_parse|fuzz_transcript|fuzz_repair|fuzz_server_info) max_len=65536 ;;
  *) max_len=8192 ;;
esac
corpus="$out/corpus-$target"
mkdir -p "$corpus" "$out/logs-$target"
per_worker=$(( (runs + workers - 1) / workers ))
seeds=()
for dir in "$@"; do [ -d "$dir" ] && seeds+=("$dir"); done
pids=()
for w in $(seq 1 "$workers"); do
  "$here/lib/ld-linux-x86-64.so.2" --library-path "$here/lib" "$here/bin/$target" \
    -runs="$per_worker" -max_total_time="$seconds" -max_len="$max_len" -timeout=5 \
    -rss_limit_mb=2048 -print_final_stats=1 -reload=1 -seed="$w" \
    -artifact_prefix="$out/logs-$target/artifact-w$w-" "$corpus" "${seeds[@]}" \
    >"$out/logs-$target/worker-$w.log" 2>&1 &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
execs=0
cov=0
for log in "$out/logs-$target"/worker-*.log; do
  n=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  execs=$((execs + ${n:-0}))
  c=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  [ "${c:-0}" -gt "$cov" ] && cov=$c
done
findings=$(ls "$out/logs-$target" | grep -c "^artifact-" || true)
# No executions is a failure, whatever the workers' exit codes said.
[ "$execs" -gt 0 ] || status=1
echo "-- $target: $execs executions by $workers workers, cov: $cov, corpus $(ls "$corpus" | wc -l) files, findings $findings, exit $status"
exit $status
