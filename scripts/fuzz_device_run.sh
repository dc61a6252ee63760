#!/usr/bin/env bash
# The device call of docs/FUZZING.md: the seven targets short of 10M, side by side on the
# device machine's 16 cores for SECONDS (default 520), from the repository root after
# scripts/make_fuzz_bundle.sh made fuzz-bundle/. Writes summary.txt, the first worker's log tails
# and every artifact under $OUT.
s=${1:-520}
b=fuzz-bundle
o=/tmp/fz
mkdir -p "$o"
nproc; uname -a
$b/run-workers fuzz_response_decoder 4 10000000 "$s" $o fuzz/corpus/fuzz_response_decoder > $o/r1 2>&1 &
$b/run-workers fuzz_image_sniff 3 10000000 "$s" $o fuzz/corpus/fuzz_image_sniff > $o/r2 2>&1 &
$b/run-workers fuzz_parser_qwen3_coder 3 10000000 "$s" $o fuzz/corpus/fuzz_parser_qwen3_coder > $o/r3 2>&1 &
$b/run-workers fuzz_repair 2 10000000 "$s" $o fuzz/corpus/fuzz_repair > $o/r4 2>&1 &
$b/run-workers fuzz_parser_gemma4 2 10000000 "$s" $o fuzz/corpus/fuzz_parser_gemma4 > $o/r5 2>&1 &
$b/run-workers fuzz_parser_hermes 1 10000000 "$s" $o fuzz/corpus/fuzz_parser_hermes > $o/r6 2>&1 &
$b/run-workers fuzz_meminfo 1 10000000 "$s" $o fuzz/corpus/fuzz_meminfo > $o/r7 2>&1 &
wait
cat $o/r? | tee "$OUT/summary.txt"
for f in $o/logs-*/worker-1.log; do echo "== $f"; tail -12 "$f"; done > "$OUT/worker1-tails.txt"
tar czf "$OUT/artifacts.tgz" $(ls -d $o/logs-*/artifact-* 2>/dev/null) $o/logs-*/worker-*.log 2>/dev/null
ls -la "$OUT"
