// The same concurrency measurement as bench/bench_client_concurrency.cpp, with the official
// `openai` npm SDK (tests/node/node_modules): N concurrent streams against the blast server,
// each holding back its final [DONE] until POST /release, so all N are alive when RSS is read.
//
//   node bench/node/openai_stream.mjs --base http://127.0.0.1:PORT --streams 1000 [--runs 3]
//
// Prints one JSON line: events_per_s, cpu_s_per_M_events (this process's user+system CPU),
// rss_kib_per_stream. `events` counts SSE events before [DONE], as the C++ bench does.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tests/node/package.json', import.meta.url));
const { OpenAI } = require('openai');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const base = arg('base');
const streams = Number(arg('streams', '100'));
const runs = Number(arg('runs', '3'));
if (!base) {
  console.error('usage: node openai_stream.mjs --base URL --streams N [--runs R]');
  process.exit(2);
}

const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 120000 });

async function release() {
  await fetch(`${base}/release`, { method: 'POST' });
}

// One stream: counts chunks; `onUsage` fires when the usage chunk (the last before [DONE]) arrives.
async function one(counter, onUsage) {
  const stream = await client.chat.completions.create(
    {
      model: 'bench',
      messages: [{ role: 'user', content: 'Write at length.' }],
      stream: true,
      stream_options: { include_usage: true },
    },
    { headers: { 'X-Hold': '1' } },
  );
  let text = '';
  for await (const chunk of stream) {
    counter.events++;
    const delta = chunk.choices?.[0]?.delta?.content;
    if (delta) text += delta; // keep the content, as llmwire's ChatResult does
    if (chunk.usage) onUsage();
  }
  return text.length;
}

async function run() {
  const counter = { events: 0 };
  let finished = 0;
  let markAllHeld;
  const allHeld = new Promise((resolve) => { markAllHeld = resolve; });
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const pending = [];
  for (let i = 0; i < streams; i++) {
    pending.push(one(counter, () => { if (++finished === streams) markAllHeld(); }));
  }
  await allHeld;
  const t1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const rss1 = process.memoryUsage().rss;
  const events = counter.events;
  await release();
  await Promise.all(pending);
  const seconds = Number(t1 - t0) / 1e9;
  return {
    events_per_s: events / seconds,
    cpu_s_per_M_events: ((cpu.user + cpu.system) / 1e6 / events) * 1e6,
    rss_kib_per_stream: (rss1 - rss0) / 1024 / streams,
    events,
  };
}

// Warm up (JIT, connection pool), as the C++ bench does.
{
  const p = one({ events: 0 }, () => {});
  await new Promise((r) => setTimeout(r, 200));
  await release();
  await p;
}
const results = [];
for (let r = 0; r < runs; r++) results.push(await run());
const mean = (key) => results.reduce((s, x) => s + x[key], 0) / results.length;
console.log(JSON.stringify({
  client: 'openai-node',
  sdk_version: JSON.parse(readFileSync(new URL('../../tests/node/node_modules/openai/package.json', import.meta.url))).version,
  node: process.version,
  streams,
  runs,
  events_per_s: mean('events_per_s'),
  cpu_s_per_M_events: mean('cpu_s_per_M_events'),
  rss_kib_per_stream: results[0].rss_kib_per_stream,
  events_per_run: results[0].events,
}));
