#!/usr/bin/env python3
"""Regenerates the bundled transcripts in this directory (docs/TRANSCRIPTS.md has the format).

None of these were captured from a live server: each is constructed, either from a stream vector
in tests/fixtures/stream_vectors.public.jsonl (whose bodies are verbatim or near-verbatim server
output, see each vector's notes) or from the shapes in FORMATS.md. The header's "provenance" says
which. Read splits and arrival times are made up to look like a real network: some reads hold two
events, some split one mid-JSON or mid-UTF-8 character. Deterministic: same output every run.

Usage: python3 tests/transcripts/make_transcripts.py   (from the repository root)
"""
import base64
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, '..', 'fixtures', 'stream_vectors.public.jsonl')


def vector_body(vid):
    with open(VECTORS, encoding='utf-8') as f:
        for line in f:
            v = json.loads(line)
            if v['id'] == vid:
                return base64.b64decode(v['body_b64'])
    raise SystemExit('no vector ' + vid)


def split_reads(body, rng, events_sep):
    """Cuts a body into reads: mostly one event per read, sometimes two, sometimes a split."""
    events = body.split(events_sep)
    pieces = [e + events_sep for e in events[:-1]]
    if events[-1]:
        pieces.append(events[-1])
    reads, i = [], 0
    while i < len(pieces):
        r = rng.random()
        if r < 0.15 and i + 1 < len(pieces):
            reads.append(pieces[i] + pieces[i + 1])
            i += 2
        elif r < 0.30 and len(pieces[i]) > 4:
            cut = rng.randrange(1, len(pieces[i]) - 1)
            reads.append(pieces[i][:cut])
            reads.append(pieces[i][cut:])
            i += 1
        else:
            reads.append(pieces[i])
            i += 1
    return reads


def write(name, provenance, dialect, request, status, headers, reads, end, first_ms=180.0,
          gap_ms=21.0, rng=None):
    rng = rng or random.Random(name)
    url = ('http://127.0.0.1:8000/v1/chat/completions' if dialect == 'openai'
           else 'http://127.0.0.1:11434/api/chat')
    header = {
        'llmwire_transcript': 1,
        'provenance': provenance,
        'dialect': dialect,
        'request': {'method': 'POST', 'url': url,
                    'headers': [['Content-Type', 'application/json'],
                                ['Authorization', '[REDACTED]']],
                    'body': request},
        'response': {'status': status, 'headers': headers},
    }
    t = first_ms
    lines = [json.dumps(header, ensure_ascii=False)]
    for read in reads:
        try:
            text = read.decode('utf-8')
            lines.append(json.dumps({'t_ms': round(t, 3), 'text': text}, ensure_ascii=False))
        except UnicodeDecodeError:
            lines.append(json.dumps({'t_ms': round(t, 3),
                                     'b64': base64.b64encode(read).decode('ascii')}))
        t += max(0.05, rng.gauss(gap_ms, gap_ms / 4))
    if end:
        lines.append(json.dumps({'end': end, 't_ms': round(t, 3)}))
    with open(os.path.join(HERE, name), 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')


SSE_HEADERS = [['content-type', 'text/event-stream; charset=utf-8'], ['transfer-encoding', 'chunked']]
NDJSON_HEADERS = [['content-type', 'application/x-ndjson'], ['transfer-encoding', 'chunked']]


def openai_request(model, text, **extra):
    body = {'model': model, 'messages': [{'role': 'user', 'content': text}], 'stream': True,
            'stream_options': {'include_usage': True}, 'max_tokens': 256}
    body.update(extra)
    return body


def main():
    rng = random.Random(2)
    write('vllm_content.jsonl',
          'constructed from stream vector sse-003 (vLLM 0.11 chunk shape, FORMATS.md §1), '
          're-framed with LF line ends; read splits and timings made up',
          'openai', openai_request('nvidia/Qwen3-14B-NVFP4', 'Say hello.'), 200, SSE_HEADERS,
          split_reads(vector_body('sse-003').replace(b'\r\n', b'\n'), rng, b'\n\n'), 'complete')
    write('vllm_reasoning.jsonl',
          'constructed from stream vector sse-018 (vLLM 0.11-0.15: reasoning and '
          'reasoning_content both carry the text); read splits and timings made up',
          'openai', openai_request('Qwen/Qwen3-8B', 'How far is 5000 m?'), 200, SSE_HEADERS,
          split_reads(vector_body('sse-018'), rng, b'\n\n'), 'complete')
    write('vllm_tool_calls.jsonl',
          'constructed from stream vector sse-021 (vLLM tool-call fragments by index, '
          'letta-ai/letta#2032); read splits and timings made up',
          'openai', openai_request('Llama3.2 90B', 'Greet the user.', tools=[{
              'type': 'function', 'function': {'name': 'send_message', 'parameters': {
                  'type': 'object', 'properties': {'message': {'type': 'string'}}}}}],
              tool_choice='auto'), 200, SSE_HEADERS,
          split_reads(vector_body('sse-021'), rng, b'\n\n'), 'complete')
    write('ollama_native.jsonl',
          'constructed from stream vector sse-033 (Ollama /api/chat with think=true, final line '
          'from Ollama docs/api.md); read splits and timings made up',
          'ollama', {'model': 'qwen3:8b', 'messages': [{'role': 'user', 'content': 'Hello'}],
                     'stream': True, 'think': True}, 200, NDJSON_HEADERS,
          split_reads(vector_body('sse-033'), rng, b'\n'), 'complete')
    write('vllm_midstream_error.jsonl',
          'constructed from stream vector sse-024 (vLLM mid-stream error then [DONE], '
          'serving.py create_streaming_error_response); read splits and timings made up',
          'openai', openai_request('Qwen/Qwen3-8B', 'Explain.'), 200, SSE_HEADERS,
          split_reads(vector_body('sse-024'), rng, b'\n\n'), 'complete')
    write('vllm_truncated.jsonl',
          'constructed from stream vector sse-027 (body cut mid-event, no [DONE]); the '
          'connection closed early, so the end line says eof',
          'openai', openai_request('Qwen/Qwen3-8B', 'Write a long answer.'), 200, SSE_HEADERS,
          split_reads(vector_body('sse-027'), rng, b'\n\n'), 'eof')

    # The bench's long stream: vLLM 0.11 content chunks (the exact shape of sse-003's events,
    # ~230 bytes each), one per read as vLLM flushes them, text from a fixed word list.
    words = ('the model streams tokens to the client which decodes each server sent event '
             'and appends its content delta to the answer while measuring time between '
             'chunks so that a slow network or a stalled engine shows up in the gap '
             'percentiles of the report').split()
    wrng = random.Random(7)
    head = ('{"id":"chatcmpl-8bbcdb2d35bb72b2","object":"chat.completion.chunk",'
            '"created":1769827901,"model":"nvidia/Qwen3-14B-NVFP4","choices":[{"index":0,')
    reads = [('data: ' + head + '"delta":{"role":"assistant","content":"","reasoning_content":null},'
              '"logprobs":null,"finish_reason":null}],"prompt_token_ids":null}\n\n').encode()]
    for i in range(1000):
        word = ' ' + wrng.choice(words)
        if i % 50 == 49:
            word += '.\\n'
        reads.append(('data: ' + head + '"delta":{"content":"' + word +
                      '","reasoning_content":null},"logprobs":null,"finish_reason":null,'
                      '"token_ids":null}]}\n\n').encode())
    reads.append(('data: ' + head + '"delta":{"content":"","reasoning_content":null},'
                  '"logprobs":null,"finish_reason":"length","stop_reason":null,'
                  '"token_ids":null}]}\n\n').encode())
    reads.append(b'data: {"id":"chatcmpl-8bbcdb2d35bb72b2","object":"chat.completion.chunk",'
                 b'"created":1769827901,"model":"nvidia/Qwen3-14B-NVFP4","choices":[],'
                 b'"usage":{"prompt_tokens":38,"total_tokens":1040,"completion_tokens":1002}}\n\n')
    reads.append(b'data: [DONE]\n\n')
    write('vllm_long_content.jsonl',
          'constructed in the exact chunk shape of stream vector sse-003 (vLLM 0.11, '
          'nvidia/Qwen3-14B-NVFP4), 1000 content chunks of ~230 bytes with text from a fixed '
          'word list; the benchmark input for bench/bench_stream_decode.cpp',
          'openai', openai_request('nvidia/Qwen3-14B-NVFP4', 'Write at length.', max_tokens=1002),
          200, SSE_HEADERS, reads, 'complete', first_ms=95.0, gap_ms=11.5)


if __name__ == '__main__':
    main()
