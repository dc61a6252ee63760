#!/usr/bin/env bash
# The device calls of docs/FUZZING.md, from the repository root after scripts/make_fuzz_bundle.sh
# made fuzz-bundle/. One campaign runs longer than a device call may (10 minutes): `start`
# launches it in its own process session, which outlives the call while the machine is held,
# and later calls made within the machine's warm time watch it and collect it.
#
#   scripts/fuzz_device_run.sh start SECONDS TARGET:WORKERS...  # returns at once
#   scripts/fuzz_device_run.sh watch SECONDS   # prints executions so far every 60 s, then
#                                              # leaves them and the corpora so far in $OUT
#   scripts/fuzz_device_run.sh collect         # waits for the end; summary, logs, corpora to $OUT
#
# Each TARGET runs as WORKERS processes sharing one corpus (scripts/fuzz_workers.sh), seeded
# from fuzz/corpus/TARGET.
set -uo pipefail
b=fuzz-bundle
o=/tmp/fz
mode=${1:?start, watch or collect}
shift

executions_so_far() {
  # libFuzzer prints "#N ..." status lines as it goes: the last one per worker, summed.
  for dir in "$o"/logs-*; do
    [ -d "$dir" ] || continue
    local sum=0 n
    for log in "$dir"/worker-*.log; do
      n=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
      sum=$((sum + ${n:-0}))
    done
    echo "${dir##*/logs-}: $sum"
  done
}

# The corpora as they stand, to $OUT: a machine lost between calls loses the campaign with it,
# and a corpus brought back lets the same build go on from there on the next machine.
save_corpora() {
  for c in "$o"/corpus-*; do
    [ -d "$c" ] && tar czf "$OUT/${c##*/}.tgz" -C "$o" "${c##*/}"
  done
}

case "$mode" in
  start)
    seconds=$1
    shift
    mkdir -p "$o"
    nproc
    for spec in "$@"; do
      target=${spec%%:*} workers=${spec##*:}
      setsid nohup "$b/run-workers" "$target" "$workers" 10000000 "$seconds" "$o" \
        "fuzz/corpus/$target" >"$o/summary-$target.txt" 2>&1 </dev/null &
    done
    sleep 5
    executions_so_far
    ;;
  watch)
    end=$((SECONDS + $1))
    while [ "$SECONDS" -lt "$end" ]; do
      sleep 60
      date -u +%T
      executions_so_far
    done
    executions_so_far >"$OUT/executions-so-far.txt"
    save_corpora
    ;;
  collect)
    while pgrep -f "$b/run-workers" >/dev/null; do sleep 5; done
    cat "$o"/summary-*.txt | tee "$OUT/summary.txt"
    for f in "$o"/logs-*/worker-1.log; do
      echo "== $f"
      tail -12 "$f"
    done >"$OUT/worker1-tails.txt"
    tar czf "$OUT/logs.tgz" "$o"/logs-* 2>/dev/null
    save_corpora
    ls -la "$OUT"
    ;;
  *)
    echo "unknown mode $mode (start, watch or collect)" >&2
    exit 2
    ;;
esac
