#!/usr/bin/env python3
"""`llmwire replay` end to end: transcripts in, JSON out, exit codes.

Usage: replay_cli_test.py LLMWIRE TRANSCRIPTS_DIR
"""
import json
import os
import subprocess
import sys

exe, tdir = sys.argv[1], sys.argv[2]
failures = []


def run(args, stdin=None):
    p = subprocess.run([exe, 'replay'] + args, input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode('utf-8'), p.stderr.decode('utf-8')


def check(cond, what):
    if not cond:
        failures.append(what)


def t(name):
    return os.path.join(tdir, name)


expected = {
    'vllm_content.jsonl': {'content': 'Hello, world!', 'finish_reason': 'stop', 'done': True},
    'vllm_reasoning.jsonl': {'content': '5 km', 'reasoning': 'Check units first.', 'done': True},
    'vllm_tool_calls.jsonl': {'tool_calls': [{'id': 'chatcmpl-tool-9c8e90c7e0bd46b1bc0e0581480a634d',
                                              'name': 'send_message',
                                              'arguments': {'message': 'Hello! How can I help?'}}],
                              'finish_reason': 'tool_calls'},
    'ollama_native.jsonl': {'reasoning': 'The user greets me.', 'content': 'Hello! How can I help?',
                            'usage': {'prompt_tokens': 169, 'completion_tokens': 15}},
    'vllm_midstream_error.jsonl': {'content': 'Partial answer', 'done': True, 'error': {
        'message': 'Error in model execution: CUDA error: an illegal memory access was encountered'}},
    'vllm_truncated.jsonl': {'content': 'This answer is cut off', 'done': False, 'error': None,
                             'finish_reason': None},
}

for name, want in expected.items():
    results = []
    for extra in ([], ['--chunk', '1'], ['--chunk', '7']):
        rc, out, err = run(['--aggregate'] + extra + [t(name)])
        check(rc == 0, '%s %s: exit %d (%s)' % (name, extra, rc, err))
        got = json.loads(out)
        results.append(got)
        for k, v in want.items():
            check(got.get(k) == v, '%s %s: %s = %r, want %r' % (name, extra, k, got.get(k), v))
        check(set(got) >= {'content', 'reasoning', 'tool_calls', 'finish_reason', 'usage', 'error',
                           'done'}, '%s: keys %s' % (name, sorted(got)))
    check(results[0] == results[1] == results[2], '%s: chunking changed the aggregate' % name)

# Events: one JSON object per line, each with a type; content events concatenate to the content.
rc, out, err = run([t('vllm_content.jsonl')])
check(rc == 0, 'events: exit %d' % rc)
events = [json.loads(line) for line in out.splitlines()]
check(all('type' in e for e in events), 'events: every line has a type')
check(''.join(e['text'] for e in events if e['type'] == 'content') == 'Hello, world!',
      'events: content text')
check(events[-1] == {'type': 'done'}, 'events: last is done, got %r' % events[-1:])
check({'type': 'finish', 'reason': 'stop'} in events, 'events: finish event')

rc, out, err = run([t('vllm_tool_calls.jsonl')])
types = [json.loads(line)['type'] for line in out.splitlines()]
check(types.index('tool_call_begin') < types.index('tool_call_arguments') < types.index('tool_call')
      < types.index('finish') < types.index('done'), 'tool events in order: %r' % types)

# A raw body on stdin, dialect sniffed ('{' first = Ollama NDJSON), and overridden.
body = b'{"message":{"content":"hi"},"done":true,"done_reason":"stop"}\n'
rc, out, err = run(['--aggregate', '-'], stdin=body)
check(rc == 0 and json.loads(out)['content'] == 'hi', 'stdin ollama sniffed: %r %r' % (out, err))
rc, out, err = run(['--aggregate', '--dialect', 'openai', '-'], stdin=b'data: {"choices":[{"delta":{"content":"x"}}]}\n\ndata: [DONE]\n\n')
check(rc == 0 and json.loads(out)['content'] == 'x' and json.loads(out)['done'], 'stdin openai')

# Exit codes: 1 unreadable file, 2 usage errors.
rc, out, err = run(['--aggregate', t('no_such_file.jsonl')])
check(rc == 1 and 'No such file or directory' in err and out == '',
      'missing file: exit %d %r' % (rc, err))
# A directory is an unreadable file too (it used to abort on std::ios_failure, exit 134).
rc, out, err = run(['--aggregate', t('')])
check(rc == 1 and 'it is a directory' in err and out == '', 'directory: exit %d %r' % (rc, err))
rc, out, err = run(['--dialect', 'grpc', t('vllm_content.jsonl')])
check(rc == 2, 'bad dialect: exit %d' % rc)
rc, out, err = run(['--chunk', 'x', t('vllm_content.jsonl')])
check(rc == 2, 'bad chunk: exit %d' % rc)
rc, out, err = run([])
check(rc == 2, 'no file: exit %d' % rc)

for f in failures:
    print('FAIL', f)
print('replay_cli: %d failures' % len(failures))
sys.exit(1 if failures else 0)
