// Preloaded into each bench worker (`node --import <this file> apps/worker/dist/main.js`): records
// when every provider request STARTS, as the worker's own code calls fetch, so the bench can judge
// the limiter at send start as well as at the fake provider (arrival = start + client and network
// jitter). Plain JavaScript so the worker loads no TypeScript compiler.
//
// Environment: BENCH_SEND_STARTS_ORIGIN (only fetches to this origin are recorded) and
// BENCH_SEND_STARTS_DIR (where `send-starts-<pid>.json` is written when the process exits:
// `{ pid, starts: [[epochMs, recipient], ...] }`, epochMs = performance.timeOrigin + performance.now(),
// the same clock the bench converts the fake's arrival times to).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const origin = process.env.BENCH_SEND_STARTS_ORIGIN;
const dir = process.env.BENCH_SEND_STARTS_DIR;

if (origin && dir) {
  /** [epochMs, body] per request; bodies are parsed at exit, not on the send path. */
  const starts = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = function recordedFetch(input, init) {
    const at = performance.timeOrigin + performance.now();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(origin)) starts.push([at, init?.body]);
    return realFetch(input, init);
  };
  process.once('exit', () => {
    const recipientOf = (body) => {
      try {
        return JSON.parse(String(body)).Destination?.[0] ?? null;
      } catch {
        return null;
      }
    };
    const out = { pid: process.pid, starts: starts.map(([at, body]) => [at, recipientOf(body)]) };
    writeFileSync(join(dir, `send-starts-${process.pid}.json`), JSON.stringify(out));
  });
}
