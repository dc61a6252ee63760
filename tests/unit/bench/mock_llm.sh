#!/usr/bin/env bash
# Runs the whole default suite of `llmwire bench` against @dwmkerr/mock-llm (a third-party
# OpenAI-compatible mock that echoes the last user message) on a free loopback port, and checks
# that it runs to completion and writes its three outputs.
# usage: mock_llm.sh LLMWIRE NODE MOCK_LLM_MAIN_JS WORK_DIR
set -euo pipefail
llmwire=$1 node=$2 main=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# Small, fast chunks: the 32K-token long-context prompt is echoed back in full.
cat >"$work/mock-llm.yaml" <<'YAML'
streaming:
  chunkSize: 64
  chunkIntervalMs: 2
rules:
  - path: "/v1/chat/completions"
    method: "POST"
    match: "@"
    response:
      status: 200
      content: |
        {
          "id": "chatcmpl-{{timestamp}}",
          "object": "chat.completion",
          "model": "{{jmes request body.model}}",
          "choices": [{
            "message": {"role": "assistant", "content": "{{jmes request body.messages[-1].content}}"},
            "finish_reason": "stop"
          }]
        }
  - path: "/v1/models"
    method: "GET"
    response:
      status: 200
      content: '{"object": "list", "data": [{"id": "mock-model", "object": "model"}]}'
YAML

(cd "$work" && PORT=$port HOST=127.0.0.1 exec "$node" "$main" --config "$work/mock-llm.yaml" >"$work/mock-llm.log" 2>&1) &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done

"$llmwire" bench --endpoint "http://127.0.0.1:$port" --model mock-model --out "$work/out" >"$work/report.stdout" 2>"$work/bench.stderr" || {
  echo "llmwire bench failed:"; cat "$work/bench.stderr"; exit 1; }

for f in results.json report.md chart.svg; do
  [ -s "$work/out/$f" ] || { echo "missing $f"; exit 1; }
done
python3 - "$work/out/results.json" "$work/out/report.md" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
report = open(sys.argv[2]).read()
tests = results["tests"]
expected = ["throughput", "ttft", "concurrency", "long_context", "vram", "entities", "tools", "vision", "kannada"]
missing = [t for t in expected if t not in tests]
assert not missing, f"tests missing from results: {missing}"
assert results["simulated"] is False and "simulated endpoint" not in report, "mock-llm is not the simulator"
assert len(tests["throughput"]["samples"]) == 25, "5 prompts x 5 runs"
# mock-llm echoes the prompt: streaming works, so TTFT was measured on every run
assert tests["ttft"]["ttft_ms"].get("n") == 5, tests["ttft"]
# it sends no usage, so tokens were counted from deltas, and it calls no tools
assert tests["throughput"]["samples"][0]["token_source"] == "counted_deltas"
assert results["metrics"]["tools_correct"] == 0
for needle in ["| Metric | Value | Threshold | Status |", "## Decision", "**FAIL**"]:
    assert needle in report, needle
print("mock-llm bench ok:", results["requests"], "decision", results["decision"]["outcome"])
PY
