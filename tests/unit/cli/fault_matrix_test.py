#!/usr/bin/env python3
"""The fault matrix: `llmwire` (the CLI over the library) against servers that misbehave in
every way we know of, and against bad local input. Each scenario asserts the exit code, the
error kind the CLI reports, and the bytes that must be kept (partial content, the server's
message) or must not appear (the API key, raw control characters).

The servers are real loopback TCP servers scripted byte by byte, so replies that no HTTP
library would send (HTTP/0.9, a bad status line, a connection held open after [DONE]) are
possible.

Usage: fault_matrix_test.py LLMWIRE [--only NAME]
"""
import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

EXE = sys.argv[1]
ONLY = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == '--only' else None
KEY = 'sk-fault-matrix-0123456789abcdef'
TMP = tempfile.mkdtemp(prefix='llmwire-fault-')


# ---- scripted servers ---------------------------------------------------------------------

def chunk(delta, finish=None):
    return json.dumps({'id': 'c', 'object': 'chat.completion.chunk',
                       'choices': [{'index': 0, 'delta': delta, 'finish_reason': finish}]})


def sse(*payloads):
    return b''.join(b'data: ' + (p.encode() if isinstance(p, str) else p) + b'\n\n'
                    for p in payloads)


def stream(*pieces):
    return sse(*[chunk({'content': p}) for p in pieces])


DONE = sse(chunk({}, 'stop'), '[DONE]')


def head(status=200, ctype='text/event-stream', extra=(), length=None, reason='OK'):
    lines = ['HTTP/1.1 %d %s' % (status, reason), 'Content-Type: ' + ctype]
    lines += ['Content-Length: %d' % length] if length is not None else ['Transfer-Encoding: chunked']
    lines += list(extra)
    return ('\r\n'.join(lines) + '\r\n\r\n').encode()


def chunked(data):
    return b'%x\r\n%s\r\n' % (len(data), data) if data else b''


END = b'0\r\n\r\n'


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """Accepts connections on 127.0.0.1 and runs `script(conn)` for each, after reading the
    request (headers and Content-Length body)."""

    def __init__(self, script):
        self.script = script
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.one, args=(conn,), daemon=True).start()

    def one(self, conn):
        try:
            data = b''
            while b'\r\n\r\n' not in data:
                got = conn.recv(65536)
                if not got:
                    return
                data += got
            headers, body = data.split(b'\r\n\r\n', 1)
            for line in headers.split(b'\r\n'):
                if line.lower().startswith(b'content-length:'):
                    want = int(line.split(b':')[1])
                    while len(body) < want:
                        got = conn.recv(65536)
                        if not got:
                            break
                        body += got
            self.script(conn)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def close(self):
        self.stop = True
        self.sock.close()


def reply(*parts, hold=0.0):
    """A script sending `parts` (bytes, or a float = sleep seconds), then holding the connection
    open for `hold` seconds."""
    def script(conn):
        for part in parts:
            if isinstance(part, float):
                time.sleep(part)
            else:
                conn.sendall(part)
        if hold:
            time.sleep(hold)
    return script


def http(status, body, ctype='application/json', extra=()):
    body = body.encode() if isinstance(body, str) else body
    return reply(head(status, ctype, extra, length=len(body),
                      reason='Error' if status >= 400 else 'OK') + body)


def sse_reply(body, hold=0.0, extra=()):
    return reply(head(200, extra=extra), chunked(body), END, hold=hold)


# ---- running the CLI ----------------------------------------------------------------------

def chat(url, *flags, api='openai', timeout=60, env_key=True, stdout=None):
    env = dict(os.environ)
    env.pop('OPENAI_API_KEY', None)
    if env_key:
        env['LLMWIRE_API_KEY'] = KEY
    else:
        env.pop('LLMWIRE_API_KEY', None)
    args = [EXE, 'chat', '--endpoint', url, '--model', 'm', '--api', api, '--json'] + list(flags) + ['hi']
    started = time.monotonic()
    p = subprocess.run(args, capture_output=stdout is None, stdout=stdout, timeout=timeout, env=env)
    took = time.monotonic() - started
    out = p.stdout.decode('utf-8', 'replace') if p.stdout else ''
    err = p.stderr.decode('utf-8', 'replace') if p.stderr else ''
    result = None
    if out.strip():
        try:
            result = json.loads(out)
        except ValueError:
            result = None
    return p.returncode, result, err, took


def cli(*args, timeout=60, env=None):
    p = subprocess.run([EXE] + list(args), capture_output=True, timeout=timeout,
                       env=None if env is None else {**os.environ, **env})
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def kind_of(stderr):
    # "llmwire chat: <kind>: <message>"
    for line in stderr.splitlines():
        if line.startswith('llmwire chat: ') and line.count(': ') >= 2:
            return line.split(': ')[1]
    return None


# ---- the scenarios ------------------------------------------------------------------------

SCENARIOS = []


def scenario(name):
    def register(fn):
        SCENARIOS.append((name, fn))
        return fn
    return register


def served(script, *flags, **kw):
    server = Server(script)
    try:
        return chat(server.url(), *flags, **kw)
    finally:
        server.close()


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_run(run, code, kind=None, content=None, in_err=(), not_in=(KEY,), max_s=None):
    rc, result, err, took = run
    expect(rc == code, 'exit %r, wanted %r (stderr %r)' % (rc, code, err[-300:]))
    if kind is not None:
        expect(kind_of(err) == kind, 'kind %r, wanted %r (stderr %r)' % (kind_of(err), kind, err[-300:]))
    if content is not None:
        got = result.get('content') if result else None
        expect(got == content, 'content %r, wanted %r' % (got, content))
    for text in in_err:
        expect(text in err, '%r not in stderr %r' % (text, err[-300:]))
    everything = err + json.dumps(result or {})
    for text in not_in:
        expect(text not in everything, '%r leaked: %r' % (text, everything[-300:]))
    expect('\x1b' not in err and '\x07' not in err, 'raw control characters on stderr')
    if max_s is not None:
        expect(took < max_s, 'took %.2f s, wanted < %.1f s' % (took, max_s))
    return result


@scenario('a normal stream')
def _():
    expect_run(served(sse_reply(stream('Hello', ', world') + DONE)), 0, content='Hello, world')


@scenario('connection refused')
def _():
    port = closed_port()
    expect_run(chat('http://127.0.0.1:%d' % port), 3, kind='connect')


@scenario('reset before the status line')
def _():
    expect_run(served(reply(b'')), 3, kind='connect')


@scenario('HTTP 500 with a vLLM error body: the message kept')
def _():
    body = json.dumps({'error': {'message': 'CUDA out of memory', 'type': 'InternalServerError', 'code': 500}})
    expect_run(served(http(500, body)), 3, kind='http', in_err=('CUDA out of memory', '3 attempts'))


@scenario('HTTP 400 context overflow from llama-server: not retried, the message kept')
def _():
    body = json.dumps({'error': {'code': 400, 'message': 'the request exceeds the available context size',
                                 'type': 'exceed_context_size_error', 'n_prompt_tokens': 5000, 'n_ctx': 4096}})
    r = served(http(400, body))
    expect_run(r, 3, kind='http', in_err=('exceeds the available context size',))
    expect('attempts' not in r[2], 'a 400 was retried')


@scenario('HTTP 429 asking for longer than the cap: returned, not slept on')
def _():
    expect_run(served(http(429, '{"error":"busy"}', extra=('Retry-After: 3600',))), 3,
               kind='rate_limited', max_s=10)


@scenario('HTTP 401 echoing the key: masked')
def _():
    body = json.dumps({'error': {'message': 'Incorrect API key provided: ' + KEY,
                                 'type': 'invalid_request_error', 'code': KEY}})
    expect_run(served(http(401, body)), 3, kind='http', in_err=('[REDACTED]',))


@scenario('an HTML 502 page echoing the key at the excerpt cut: masked, excerpt kept')
def _():
    page = '<html><body><h1>502 Bad Gateway</h1>' + 'x' * 250 + KEY + '</body></html>'
    expect_run(served(http(502, page, ctype='text/html')), 3, kind='http',
               in_err=('502 Bad Gateway',), not_in=(KEY, KEY[:12]))


@scenario('disconnect mid-stream: partial content kept')
def _():
    expect_run(served(reply(head(200), chunked(stream('partial ', 'answer')))), 4,
               kind='stream_broken', content='partial answer')


@scenario('clean close without [DONE]: stream_broken, content kept')
def _():
    expect_run(served(sse_reply(stream('no end'))), 4, kind='stream_broken', content='no end',
               in_err=("without the server's end signal",))


@scenario('a mid-stream error event: reported with the partial content')
def _():
    body = stream('half') + sse(json.dumps({'error': {'message': 'engine died', 'code': 500}}))
    expect_run(served(sse_reply(body)), 4, kind='server', content='half', in_err=('engine died',))


@scenario('stall past the idle timeout: timeout, partial content kept')
def _():
    r = served(reply(head(200), chunked(stream('before stall')), hold=5.0), '--idle-timeout-ms', '400')
    expect_run(r, 5, kind='timeout', content='before stall', max_s=4)


@scenario('a black-hole server: the first-byte timeout ends it')
def _():
    r = served(reply(hold=10.0), '--first-byte-timeout-ms', '300', timeout=30)
    expect_run(r, 5, kind='timeout', in_err=('first-byte',), max_s=6)


@scenario('slow loris: a byte every 20 ms, stopped by the total timeout')
def _():
    parts = [head(200)]
    body = stream('s', 'l', 'o', 'w')
    for b in body:
        parts += [chunked(bytes([b])), 0.02]
    r = served(reply(*parts, hold=5.0), '--timeout-ms', '800')
    rc, result, err, took = r
    expect(rc == 5 and kind_of(err) == 'timeout', 'slow loris: exit %r %r' % (rc, err[-200:]))
    expect(took < 4, 'slow loris took %.1f s' % took)


@scenario('[DONE] with the connection held open: complete at once')
def _():
    r = served(reply(head(200), chunked(stream('done is done') + DONE), hold=8.0), '--idle-timeout-ms', '5000')
    expect_run(r, 0, content='done is done', max_s=2.5)


@scenario('Ollama done:true with the connection held open: complete at once')
def _():
    lines = (json.dumps({'message': {'role': 'assistant', 'content': 'ollama'}, 'done': False}) + '\n' +
             json.dumps({'message': {'role': 'assistant', 'content': ''}, 'done': True, 'done_reason': 'stop'}) + '\n')
    r = served(reply(head(200, 'application/x-ndjson'), chunked(lines.encode()), hold=8.0), api='ollama')
    expect_run(r, 0, content='ollama', max_s=2.5)


@scenario('a 200 with an HTML page: protocol error quoting it')
def _():
    expect_run(served(http(200, '<html><h1>Proxy login required</h1></html>', ctype='text/html')), 4,
               kind='protocol', in_err=('Proxy login required',))


@scenario('a 200 with a whole non-streamed completion: decoded')
def _():
    body = json.dumps({'object': 'chat.completion', 'choices': [
        {'index': 0, 'message': {'role': 'assistant', 'content': 'not streamed'}, 'finish_reason': 'stop'}]})
    expect_run(served(http(200, body)), 0, content='not streamed')


@scenario('a 200 with a JSON error object: the message kept')
def _():
    expect_run(served(http(200, json.dumps({'error': {'message': 'model is loading'}}))), 4,
               kind='server', in_err=('model is loading',))


@scenario('a gzip body not asked for: decoded')
def _():
    body = gzip.compress(stream('zipped') + DONE)
    expect_run(served(reply(head(200, extra=('Content-Encoding: gzip',), length=len(body)) + body)), 0,
               content='zipped')


@scenario('a deflate body not asked for: decoded')
def _():
    body = zlib.compress(stream('deflated') + DONE)
    expect_run(served(reply(head(200, extra=('Content-Encoding: deflate',), length=len(body)) + body)), 0,
               content='deflated')


@scenario('a lone surrogate and a 1e400 in chunks: the text kept')
def _():
    body = (sse('{"choices":[{"index":0,"delta":{"content":"a\\ud800b"}}]}') +
            sse('{"choices":[{"index":0,"delta":{"content":"c"}}],"usage":{"prompt_tokens":1e400}}') + DONE)
    expect_run(served(sse_reply(body)), 0, content='a\ufffdbc')


@scenario('invalid UTF-8 in content: U+FFFD, nothing lost around it')
def _():
    body = b'data: {"choices":[{"index":0,"delta":{"content":"x\xff\xfey"}}]}\n\n' + DONE
    expect_run(served(sse_reply(body)), 0, content='x\ufffd\ufffdy')


@scenario('tool-call arguments nested 100k deep: no crash, an incomplete call with its text')
def _():
    args = '{"a":' + '[' * 100000 + ']' * 100000 + '}'
    call = {'choices': [{'index': 0, 'delta': {'tool_calls': [
        {'index': 0, 'id': 't', 'type': 'function', 'function': {'name': 'f', 'arguments': args}}]}}]}
    r = served(sse_reply(sse(json.dumps(call)) + DONE))
    result = expect_run(r, 0)
    calls = result.get('incomplete_tool_calls') or []
    expect(len(calls) == 1 and calls[0]['raw_text'] == args, 'deep arguments not kept as incomplete')


@scenario('an Ollama line nested 100k deep: parse error, no crash, content kept')
def _():
    deep = '[' * 100000 + ']' * 100000
    lines = (json.dumps({'message': {'role': 'assistant', 'content': 'kept'}, 'done': False}) + '\n' +
             '{"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":{"a":'
             + deep + '}}}]},"done":false}\n')
    r = served(reply(head(200, 'application/x-ndjson'), chunked(lines.encode()), END), api='ollama')
    expect_run(r, 4, kind='parse', content='kept', in_err=('nesting deeper than 512',))


@scenario('an HTTP/0.9 reply: a protocol error, not "bad endpoint URL"')
def _():
    expect_run(served(reply(b'hello there\r\n\r\n')), 3, kind='protocol')


@scenario('a malformed status line: not "bad endpoint URL"')
def _():
    r = served(reply(b'HTTP/1.1 abc\r\n\r\n'))
    expect(r[0] == 3 and 'bad endpoint URL' not in r[2], 'malformed status: %r %r' % (r[0], r[2][-200:]))


@scenario('ESC and BEL in a server error: escaped on stderr')
def _():
    body = json.dumps({'error': {'message': 'bad \x1b[2J\x07 input'}})
    expect_run(served(http(400, body)), 3, kind='http', in_err=('\\x1b[2J\\x07',))


@scenario('an event over the 16 MiB cap: protocol error, content before it kept')
def _():
    huge = b'data: {"choices":[{"index":0,"delta":{"content":"' + b'x' * (17 << 20) + b'"}}]}\n\n'
    r = served(sse_reply(stream('small') + huge + DONE), timeout=120)
    expect_run(r, 4, kind='protocol', content='small')


@scenario('a 1-byte trickle decodes exactly')
def _():
    body = stream('ಕನ್ನಡ', ' 🚀') + DONE
    parts = [head(200)] + [chunked(bytes([b])) for b in body] + [END]
    expect_run(served(reply(*parts)), 0, content='ಕನ್ನಡ 🚀')


@scenario('a redirect is not followed')
def _():
    expect_run(served(http(302, '', extra=('Location: http://127.0.0.1:9/v1/chat/completions',))), 3,
               kind='http')


@scenario('a password in the endpoint URL never printed')
def _():
    port = closed_port()
    r = chat('http://alice:hunter2-secret-pass@127.0.0.1:%d' % port)
    expect_run(r, 3, kind='connect', not_in=('hunter2',))


@scenario('--record with a server echoing the key: the transcript masks it')
def _():
    path = os.path.join(TMP, 'echo.jsonl')
    r = served(sse_reply(stream('key: ' + KEY) + DONE), '--record', path)
    expect_run(r, 0, content='key: ' + '*' * len(KEY))
    text = open(path, encoding='utf-8').read()
    expect(KEY not in text and '"secrets_masked":true' in text, 'transcript not masked')


@scenario('chat > /dev/full: a failure, not exit 0')
def _():
    with open('/dev/full', 'wb') as full:
        r = served(sse_reply(stream('lost') + DONE), stdout=full)
    expect(r[0] == 1, '/dev/full: exit %r' % r[0])


@scenario('out-of-range options: usage errors')
def _():
    for flags in (['--max-tokens', '99999999999'], ['--temperature', 'nan'], ['--timeout-ms', '-5'],
                  ['--timeout-ms', '9223372036854775807'], ['--idle-timeout-ms', '0']):
        rc, _, err, _ = chat('http://127.0.0.1:9', *flags)
        expect(rc == 2, '%r: exit %r (%r)' % (flags, rc, err[-200:]))
    # A piece size that would be allocated whole, and a repair depth beyond the library's limit.
    for args in (['parse', '--profile', 'gemma4', '--chunk', '99999999999999', '/dev/null'],
                 ['repair', '--max-depth', '100000000', '/dev/null']):
        rc, _, err = cli(*args)
        expect(rc == 2, '%r: exit %r (%r)' % (args, rc, err[-200:]))


@scenario('unreadable local input: exit 1 with a reason, never an abort')
def _():
    deep = os.path.join(TMP, 'deep.json')
    with open(deep, 'w') as f:
        f.write('[' * 100000 + ']' * 100000)
    header = os.path.join(TMP, 'deep-transcript.jsonl')
    with open(header, 'w') as f:
        f.write('{"llmwire_transcript":1,"request":{"body":' + '[' * 100000 + ']' * 100000 + '}}\n')
    empty = os.path.join(TMP, 'empty-object.json')
    with open(empty, 'w') as f:
        f.write('{}')
    array = os.path.join(TMP, 'array.json')
    with open(array, 'w') as f:
        f.write('[1,2,3]')
    wrong_type = os.path.join(TMP, 'wrong-type.json')
    with open(wrong_type, 'w') as f:
        f.write('{"model":5,"metrics":{}}')
    suite = os.path.join(TMP, 'suite.json')
    with open(suite, 'w') as f:
        f.write('{"tests":{"long_context":{"input_tokens":2e9}}}')
    cases = [
        (['replay', TMP], 'is a directory'),
        (['parse', '--profile', 'gemma4', TMP], 'is a directory'),
        (['parse', '--profile', 'gemma4', '--tools', deep, '/dev/null'], 'nesting deeper than 512'),
        (['replay', header], 'nesting deeper than 512'),
        (['bench', 'compare', array], 'not a bench results file'),
        (['bench', 'compare', empty], 'not a bench results file'),  # it printed dashes, exit 0
        (['bench', 'compare', wrong_type], 'field of the wrong type'),
        (['bench', '--baseline', wrong_type, '--only', 'ttft', '--out', os.path.join(TMP, 'b3')],
         'is not a bench results file'),
        (['bench', '--suite', suite, '--only', 'ttft'], "input_tokens' must be between"),
        (['repair', deep], 'nesting deeper than 512'),
    ]
    for args, message in cases:
        rc, _, err = cli(*args)
        expect(rc == 1 and message in err, '%r: exit %r, stderr %r' % (args, rc, err[-200:]))


@scenario('bench against nothing: the connect error on stderr, exit 3, no report')
def _():
    port = closed_port()
    out = os.path.join(TMP, 'bench-nothing')
    rc, stdout, err = cli('bench', '--endpoint', 'http://127.0.0.1:%d' % port, '--model', 'm',
                          '--only', 'ttft', '--out', out)
    # Stopped before the suite: asking the server what it is already fails to connect.
    expect(rc == 3 and 'cannot connect to http://127.0.0.1:%d' % port in err,
           'bench: exit %r %r' % (rc, err[-200:]))
    expect(not os.path.exists(os.path.join(out, 'report.md')), 'a report was written')
    expect('PASS' not in stdout, 'bench printed PASS with nothing measured')


@scenario('sim and bench refuse a simulator profile they cannot speak (exit 2)')
def _():
    rc, _, err = cli('sim', '--profile', 'nosuch', '--port', '0')
    expect(rc == 2 and "unknown simulator profile 'nosuch'" in err, 'sim: exit %r %r' % (rc, err[-200:]))
    rc, _, err = cli('bench', '--sim-profile', 'nosuch', '--only', 'ttft', '--out',
                     os.path.join(TMP, 'b-simprofile'))
    expect(rc == 2 and "unknown simulator profile 'nosuch'" in err, 'bench: exit %r %r' % (rc, err[-200:]))


@scenario('bench: an endpoint in $OPENAI_BASE_URL is used with --model, the simulator without')
def _():
    port = closed_port()
    env = {'OPENAI_BASE_URL': 'http://127.0.0.1:%d/v1' % port}
    rc, stdout, err = cli('bench', '--only', 'ttft', '--out', os.path.join(TMP, 'b-env-sim'), env=env)
    expect(rc == 0 and 'simulated endpoint' in stdout and '$OPENAI_BASE_URL is set but no --model' in err,
           'no --model: exit %r %r' % (rc, err[-300:]))
    rc, _, err = cli('bench', '--model', 'm', '--only', 'ttft', '--out', os.path.join(TMP, 'b-env'),
                     env=env)
    expect(rc == 3 and '(from $OPENAI_BASE_URL)' in err and 'cannot connect' in err,
           'with --model: exit %r %r' % (rc, err[-300:]))


@scenario('bench checks --profile and --out before sending anything')
def _():
    rc, _, err = cli('bench', '--profile', 'nosuch', '--only', 'ttft', '--out', os.path.join(TMP, 'b2'))
    expect(rc == 2 and "unknown profile 'nosuch' (known:" in err, 'profile: exit %r %r' % (rc, err[-200:]))
    rc, _, err = cli('bench', '--only', 'ttft', '--out', '/proc/llmwire-cannot-write')
    expect(rc == 1 and '--out' in err, 'out: exit %r %r' % (rc, err[-200:]))


# ---- main ---------------------------------------------------------------------------------

failures = []
count = 0
for name, fn in SCENARIOS:
    if ONLY and ONLY not in name:
        continue
    count += 1
    try:
        fn()
        print('ok   ' + name)
    except Exception as e:  # noqa: BLE001 - every failure is reported, then the run goes on
        failures.append(name)
        print('FAIL %s: %s' % (name, e))
print('fault matrix: %d/%d scenarios hold' % (count - len(failures), count))
sys.exit(1 if failures or count < (1 if ONLY else 30) else 0)
