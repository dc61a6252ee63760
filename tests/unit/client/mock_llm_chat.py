#!/usr/bin/env python3
"""`llmwire chat` against @dwmkerr/mock-llm, a third-party OpenAI-compatible mock server.

Starts mock-llm on a free loopback port with a config written here, then checks that
`llmwire chat` streams the echoed reply, that --json carries the aggregate and timings, that a
recorded transcript replays to the same aggregate, and that an error rule gives exit code 4
(mock-llm streams errors as a 200 response with an error event, OpenAI's streaming shape).
Exit 77 = skipped (node or node_modules missing).
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CONFIG = """\
streaming:
  chunkSize: 4
  chunkIntervalMs: 5
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
  - path: "/v1/chat/completions"
    match: "contains(body.messages[-1].content, 'error-401')"
    response:
      status: 401
      content: |
        {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                   "param": null, "code": "invalid_api_key"}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, seconds=20.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--llmwire", required=True)
    ap.add_argument("--node-modules", required=True)
    args = ap.parse_args()

    main_js = os.path.join(os.path.abspath(args.node_modules), "@dwmkerr", "mock-llm", "dist", "main.js")
    node = shutil.which("node")
    if node is None or not os.path.exists(main_js):
        print(f"SKIP: needs node and {main_js} (run `npm ci` in tests/node)")
        return 77

    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("FAIL:", what)

    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "mock-llm.yaml")
        with open(config, "w") as f:
            f.write(CONFIG)
        port = free_port()
        env = dict(os.environ, PORT=str(port), HOST="127.0.0.1")
        log = open(os.path.join(tmp, "mock.log"), "w")
        proc = subprocess.Popen([node, main_js, "--config", config], cwd=tmp, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            if not wait_listening(port, proc):
                log.flush()
                print(open(os.path.join(tmp, "mock.log")).read())
                print("FAIL: mock-llm did not start")
                return 1
            endpoint = f"http://127.0.0.1:{port}"
            prompt = "Hello from llmwire, streamed in small chunks"

            r = run([args.llmwire, "chat", "--endpoint", endpoint, "--model", "gpt-test", prompt])
            check(r.returncode == 0, f"plain chat exit {r.returncode}: {r.stderr}")
            check(r.stdout == prompt + "\n", f"plain chat stdout {r.stdout!r}")

            record = os.path.join(tmp, "chat.jsonl")
            r = run([args.llmwire, "chat", "--endpoint", endpoint + "/v1", "--model", "gpt-test",
                     "--json", "--record", record, prompt])
            check(r.returncode == 0, f"--json exit {r.returncode}: {r.stderr}")
            out = json.loads(r.stdout)
            check(out["content"] == prompt, f"--json content {out.get('content')!r}")
            check(out["done"] is True, "--json done")
            check(out["finish_reason"] == "stop", "--json finish_reason")
            check(out["error"] is None, f"--json error {out.get('error')}")
            t = out["timings"]
            check(t["ttft_ms"] is not None and t["ttft_ms"] >= 0, f"ttft {t}")
            # mock-llm sends no usage: the rate comes from counted deltas, and says so.
            check(t["token_count_source"] == "counted_deltas", f"token source {t}")
            check(t["decode_tok_s"] is not None and t["decode_tok_s"] > 0, f"tok/s {t}")

            r = run([args.llmwire, "replay", "--aggregate", record])
            check(r.returncode == 0, f"replay exit {r.returncode}: {r.stderr}")
            replayed = json.loads(r.stdout)
            live = {k: v for k, v in out.items() if k not in ("timings", "cancelled")}
            check(replayed == live, f"replay differs:\n{replayed}\n{live}")

            r = run([args.llmwire, "chat", "--endpoint", endpoint, "--model", "gpt-test", "error-401"])
            check(r.returncode == 4, f"error rule exit {r.returncode}: {r.stderr}")
            check("Incorrect API key provided." in r.stderr, f"error rule stderr {r.stderr!r}")

            dead = f"http://127.0.0.1:{free_port()}"
            r = run([args.llmwire, "chat", "--endpoint", dead, "--model", "m", "hi"])
            check(r.returncode == 3, f"refused exit {r.returncode}")
            check(dead in r.stderr, f"refused stderr names the endpoint: {r.stderr!r}")

            r = run([args.llmwire, "chat", "--model", "m", "hi"])
            check(r.returncode == 2, f"usage exit {r.returncode}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("mock-llm: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
