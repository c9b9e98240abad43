import { parseConfig } from '@postmill/config';
import { verifyTrackingToken } from '@postmill/core';
import { createLogger, createSharedServices, type RunningApi, type SharedServices, startApi, trackingSecret } from '@postmill/runtime';
import { freePort, TrackingStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { wrkAvailable } from '../load/drive-wrk.ts';
import { recordedHits } from './recorded-hits.ts';
import { figuresOf, formatReport, jsonLine, TARGET } from './report.ts';
import { runTrackingBench } from './run-tracking-bench.ts';
import { benchMessageIds, trackingHits } from './tracking-hits.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const NUMBER = String.raw`\d+(?:\.\d+)?`;
const MESSAGES = 40;

// bench:tracking's machinery for 1 s at 200/s against an API in this process (the bench itself runs
// the API in a process of its own): every fetch it sends is a valid token the API answers 200 or
// 302, every answered fetch is counted, and every figure is printed. Speed is the bench's business.
describe('bench:tracking machinery (smoke)', () => {
  const prefix = uniquePrefix('trackingsmoke');
  let shared: SharedServices;
  let api: RunningApi;
  let admin: Redis;
  let secret: string;

  beforeAll(async () => {
    const config = parseConfig({
      REDIS_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      MAIL_TRANSPORT: 'null',
      POSTMILL_SECRET_ID: 'AKIDtrackingsmoke',
      POSTMILL_SECRET_KEY: 'tracking-smoke-secret-key',
      LOG_LEVEL: 'silent',
    });
    secret = trackingSecret(config);
    shared = createSharedServices(config, { redisUrl: inject('redisUrl'), connectionName: 'tracking-smoke-api', failFast: true });
    api = await startApi(config, shared, createLogger({ level: 'silent', pretty: false, name: 'tracking-smoke' }));
    admin = new Redis(inject('redisUrl'), { connectionName: 'tracking-smoke-admin' });
  });

  afterAll(async () => {
    await api?.close();
    if (shared) await deleteKeysWithPrefix(shared.redis, prefix);
    await shared?.close();
    await admin?.quit();
  });

  it('builds a pool of opens and clicks of many messages whose tokens all verify, with repeated tokens and machine User-Agents among them', () => {
    const hits = trackingHits({ secret, messages: MESSAGES, size: 400 });
    expect(hits).toHaveLength(400);
    for (const hit of hits) {
      const claim = verifyTrackingToken(hit.path.slice('/t/o/'.length), secret, hit.kind);
      expect(claim?.messageId, hit.path).toBe(hit.messageId);
      expect(claim?.url).toBe(hit.location);
    }
    const kinds = new Set(hits.map((h) => h.kind));
    expect(kinds).toEqual(new Set(['open', 'click']));
    expect(new Set(hits.map((h) => h.path)).size).toBeLessThan(hits.length);
    expect(new Set(hits.map((h) => h.messageId)).size).toBeGreaterThan(MESSAGES / 2);
    expect(hits.some((h) => h.userAgent === undefined || /GoogleImageProxy|^Mozilla\/5\.0$|curl/u.test(h.userAgent))).toBe(true);
    expect(trackingHits({ secret, messages: MESSAGES, size: 400 })).toEqual(hits);
  });

  // wrk is Debian's package, which CI installs: a missing wrk fails, never skips.
  it('drives the endpoints at a fixed 200/s for 1 s with no error, counts every answered fetch, and prints every figure with a verdict', {
    timeout: 30_000,
  }, async () => {
    if (!wrkAvailable()) throw new Error('wrk is missing: install it (apt-get install wrk) to run the tracking bench smoke test');
    const hits = trackingHits({ secret, messages: MESSAGES, size: 400 });
    const run = await runTrackingBench(
      { baseUrl: api.url, apiPid: process.pid, redis: admin, hits },
      { seconds: 1, ratePerSecond: 200, warmupS: 0, connections: 4 },
      () => undefined,
    );
    const r = run.observation.record;
    expect(r.socketErrors + r.timeouts).toBe(0);
    expect(Object.keys(r.statuses).sort()).toEqual(['200', '302']);
    // Paced, not flat out: about 200 in the second (a flat-out wrk sends thousands).
    expect(r.sent).toBeGreaterThan(0);
    expect(r.sent).toBeLessThanOrEqual(300);
    const counted = await recordedHits(new TrackingStore({ redis: admin, keys: shared.keys }), benchMessageIds(MESSAGES));
    expect(counted).toBeGreaterThanOrEqual(run.okInAll);
    expect(counted).toBeLessThanOrEqual(run.sentInAll);

    const f = figuresOf(run.observation);
    expect(f.errors).toBe(0);
    expect(f.achievedPerSecond).toBeGreaterThan(0);
    expect(f.p99Ms).toBeGreaterThan(0);
    expect(f.apiCpuUsPerRequest).toBeGreaterThan(0);
    // At least the script's EVALSHA, HINCRBY x2 and EXPIRE per fetch; the shared Redis may count other tests' commands too.
    expect(f.redisCommandsPerRequest).toBeGreaterThanOrEqual(4);
    const text = formatReport(f);
    expect(text).toMatch(/^rate +\| asked 200\/s \| achieved \d+\/s \| \d+ answered \(200 \d+, 302 \d+\)$/mu);
    expect(text).toMatch(new RegExp(String.raw`^latency +\| p50 ${NUMBER} ms \| p99 ${NUMBER} ms \| max ${NUMBER} ms$`, 'mu'));
    expect(text).toMatch(/^errors +\| 0 \(/mu);
    expect(text).toMatch(
      new RegExp(String.raw`^per request +\| API ${NUMBER} µs CPU \| ${NUMBER} Redis cmds \| Redis ${NUMBER} µs CPU \| wrk ${NUMBER} µs CPU$`, 'mu'),
    );
    expect(text).toMatch(new RegExp(String.raw`^machine +\| \d+ cores, load average ${NUMBER} before, ${NUMBER} after$`, 'mu'));
    // 200/s is below the target's rate: the verdict says so whatever the latency.
    expect(text).toMatch(new RegExp(String.raw`^p99 <= ${TARGET.p99Ms} ms at ${TARGET.ratePerSecond}/s \| FAIL \(asked 200/s, below`, 'mu'));
    const json = JSON.parse(jsonLine(f)) as { bench: string; p99Ms: number; verdict: string };
    expect(json).toMatchObject({ bench: 'tracking', p99Ms: f.p99Ms, verdict: 'FAIL' });
  });

  it('answers a click of the pool with a 302 to its own link and an open with the GIF, as the bench counts them', async () => {
    const hits = trackingHits({ secret, messages: MESSAGES, size: 50, seed: 7 });
    const click = hits.find((h) => h.kind === 'click');
    const open = hits.find((h) => h.kind === 'open');
    const clicked = await fetch(`${api.url}${click?.path}`, { redirect: 'manual' });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe(click?.location);
    const opened = await fetch(`${api.url}${open?.path}`);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('image/gif');
  });
});
