import { parseConfig } from '@postmill/config';
import { createLogger, createSharedServices, type RunningApi, type SharedServices, startApi } from '@postmill/runtime';
import { freePort } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { wrkAvailable } from './drive-wrk.ts';
import { figuresOf, jsonLine, judge } from './report.ts';
import { runLoadBench } from './run-load-bench.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const SECRET_ID = 'AKIDloadsmoke';
const SECRET_KEY = 'load-smoke-secret-key';
const TIME_ZONE = 'Asia/Shanghai';

// The load bench's machinery for 2 s at low load against an API in this process (the bench itself
// runs the built bundle): every request it sends must be a valid, distinct signed SendEmail, and
// every MessageId it gets back must have a status. Speed is the bench's business, not this test's.
describe('bench:load machinery (smoke)', () => {
  const prefix = uniquePrefix('loadsmoke');
  let shared: SharedServices;
  let api: RunningApi;
  let admin: Redis;

  beforeAll(async () => {
    const port = await freePort();
    const config = parseConfig({
      REDIS_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: String(port),
      MAIL_TRANSPORT: 'null',
      POSTMILL_SECRET_ID: SECRET_ID,
      POSTMILL_SECRET_KEY: SECRET_KEY,
      SCHEDULE_TIMEZONE: TIME_ZONE,
      API_RATE_LIMIT_PER_SECOND: '0',
      LOG_LEVEL: 'silent',
    });
    shared = createSharedServices(config, { redisUrl: inject('redisUrl'), connectionName: 'load-smoke-api', failFast: true });
    api = await startApi(config, shared, createLogger({ level: 'silent', pretty: false, name: 'load-smoke' }));
    admin = new Redis(inject('redisUrl'), { connectionName: 'load-smoke-admin' });
  });

  afterAll(async () => {
    await api?.close();
    await shared?.queue.obliterate({ force: true }).catch(() => undefined);
    if (shared) await deleteKeysWithPrefix(shared.redis, prefix);
    await shared?.close();
    await admin?.quit();
  });

  // Both load generators; wrk is Debian's package, which CI installs: a missing wrk fails, never skips.
  it.each(['autocannon', 'wrk'] as const)(
    'with %s: gets a MessageId for every request it sends, finds a status for each afterwards, and reports every figure with a verdict',
    async (driver) => {
      if (driver === 'wrk' && !wrkAvailable()) throw new Error('wrk is missing: install it (apt-get install wrk) to run the load bench smoke test');
      const observations = await runLoadBench(
        { baseUrl: api.url, secretId: SECRET_ID, secretKey: SECRET_KEY, redis: admin, keys: shared.keys, timeZone: TIME_ZONE, apiPid: process.pid },
        { durationS: 2, warmupS: 1, connections: 2, pipelining: 1, driver, worker: false, apiSample: 5 },
      );
      const m = observations.measured;
      expect(m.driver).toBe(driver);
      expect(m.sent).toBeGreaterThanOrEqual(m.answered);
      expect(m.latencyMs.p50).toBeGreaterThan(0);
      expect(m.latencyMs.p99).toBeGreaterThanOrEqual(m.latencyMs.p50);
      expect(m.acceptedIds.length).toBeGreaterThan(0);
      expect(m.errorsByCode).toEqual({});
      expect(m.answered).toBe(m.acceptedIds.length);
      expect(observations.warmup?.acceptedIds.length).toBeGreaterThan(0);
      expect(observations.lost).toMatchObject({
        returned: m.acceptedIds.length + (observations.warmup?.acceptedIds.length ?? 0),
        duplicates: 0,
        withoutStatus: 0,
        queuedWithoutJob: 0,
        apiSampled: 5,
        apiMissing: 0,
        lost: 0,
      });
      // No worker ran: every accepted message waited in the intake until the bench's pump made its job
      // (a few more than returned: requests in flight when the driver stopped were accepted too).
      expect(observations.intakeDrain.pending).toBeGreaterThanOrEqual(observations.lost.returned);
      expect(await admin.llen(shared.keys.deliveryIntake)).toBe(0);

      const figures = figuresOf(observations);
      const judged = judge(figures);
      expect(judged.results.map((r) => r.target)).toEqual([
        'accepted SendEmail/s',
        'latency p99',
        'every answered request accepted',
        'nothing lost (status for every MessageId)',
      ]);
      const json = JSON.parse(jsonLine(figures, judged)) as Record<string, unknown>;
      expect(Object.keys(json)).toEqual(
        expect.arrayContaining(['sent', 'accepted', 'errorsByCode', 'requestsPerSecond', 'latencyMs', 'lost', 'loadAverageBefore', 'targets', 'verdict']),
      );
      expect(Object.keys(json.latencyMs as object)).toEqual(['p50', 'p90', 'p99', 'max']);
    },
  );
});
