import { fileURLToPath } from 'node:url';
import { parseConfig } from '@postmill/config';
import { createLogger, createSharedServices, startApi } from '@postmill/runtime';
import { freePort } from '@postmill/store';
import { signTencentRequest } from '@postmill/tc3';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type FloorProcess, spawnFloorServer } from './floor-process.ts';
import { compareWithFloor, formatFloorComparison, serverFigures, serverLine } from './floor-report.ts';
import { floorKeys } from './floor-server.ts';
import { measurePhase, preparePhase } from './measure-phase.ts';
import { figuresOf, formatReport, jsonLine, judge } from './report.ts';
import { runLoadBench } from './run-load-bench.ts';
import { sendEmailRequests } from './send-email-requests.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const SECRET_ID = 'AKIDfloorsmoke';
const SECRET_KEY = 'floor-smoke-secret-key';
const NUMBER = String.raw`\d+(?:\.\d+)?`;

// The API floor of bench:load at a tiny size: the floor server in its own process (as the bench
// starts it) on the shared Redis, driven for 2 s by the bench's own phase machinery. Speed is the
// bench's business; this checks the floor does its work and the figures are printed.
describe('bench:load floor server (smoke)', () => {
  let floor: FloorProcess;
  let admin: Redis;

  beforeAll(async () => {
    admin = new Redis(inject('redisUrl'), { connectionName: 'floor-smoke-admin' });
    floor = await spawnFloorServer({ repoRoot, redisUrl: inject('redisUrl'), secretId: SECRET_ID, secretKey: SECRET_KEY, prefixBase: 'floorsmoke' });
  });

  afterAll(async () => {
    await floor?.process.stop();
    if (floor) await deleteKeysWithPrefix(admin, floor.prefix);
    await admin?.quit();
  });

  it('refuses a request signed with another secret key with AuthFailure.SignatureFailure and stores nothing for it', async () => {
    const body = JSON.stringify({ FromEmailAddress: 'a@b.example', Destination: ['c@d.example'], Subject: 's' });
    const headers = signTencentRequest(
      { secretId: SECRET_ID, secretKey: 'not-the-key' },
      { host: new URL(floor.baseUrl).host, action: 'SendEmail', version: '2020-10-02', timestamp: Math.floor(Date.now() / 1000), service: 'ses' },
      body,
    );
    const before = await admin.llen(floorKeys(floor.prefix).ids);
    const res = await fetch(`${floor.baseUrl}/`, { method: 'POST', headers, body });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { Response: { Error: { Code: string } } }).Response.Error.Code).toBe('AuthFailure.SignatureFailure');
    expect(await admin.llen(floorKeys(floor.prefix).ids)).toBe(before);
  });

  it('accepts every signed SendEmail of a 2 s phase, stores each MessageId it answered, and prints nonzero rate, p99, CPU and Redis commands per request', async () => {
    const server = {
      baseUrl: floor.baseUrl,
      pid: floor.process.pid,
      requests: sendEmailRequests({
        host: new URL(floor.baseUrl).host,
        secretId: SECRET_ID,
        secretKey: SECRET_KEY,
        from: 'bench@floor.example.com',
        templateId: 1,
        runTag: 'floorsmoke',
      }),
      presignPerSecond: 2000,
      wrkRequestsPerSecond: 2000,
    };
    const shape = { connections: 2, pipelining: 1, driver: 'autocannon' } as const;
    const phase = await measurePhase({ drive: preparePhase(server, shape, 2), server, redis: admin });
    expect(phase.record.errorsByCode).toEqual({});
    expect(phase.record.acceptedIds.length).toBeGreaterThan(0);
    expect(phase.record.answered).toBe(phase.record.acceptedIds.length);

    // Every answered MessageId is in the list, with its hash (and its expiry), before the answer.
    const keys = floorKeys(floor.prefix);
    const stored = new Set(await admin.lrange(keys.ids, 0, -1));
    for (const id of phase.record.acceptedIds) expect(stored.has(id), id).toBe(true);
    const sample = phase.record.acceptedIds[0] ?? '';
    expect(await admin.hget(keys.message(sample), 'state')).toBe('queued');
    expect(await admin.ttl(keys.message(sample))).toBeGreaterThan(0);

    const f = serverFigures([phase]);
    expect(f.acceptedPerSecond).toBeGreaterThan(0);
    expect(f.p99Ms).toBeGreaterThan(0);
    expect(f.cpuUsPerRequest).toBeGreaterThan(0);
    // HSET, EXPIRE, RPUSH and the EVALSHA itself; the shared Redis may count other tests' commands too.
    expect(f.redisCommandsPerRequest).toBeGreaterThanOrEqual(4);
    const line = serverLine('floor (all)', f);
    expect(line).toMatch(
      new RegExp(
        String.raw`^floor \(all\) +\| +${NUMBER}/s \| p99 +${NUMBER} ms \| +${NUMBER} µs CPU/req \| +${NUMBER} Redis cmds/req \| +${NUMBER} µs Redis CPU/req \| \d+ accepted, 0 errors$`,
        'u',
      ),
    );
    // Against itself, the ratios are exactly 1 and printed as such.
    const report = formatFloorComparison(compareWithFloor([phase], [phase]));
    expect(report).toContain('ratio api/floor  | rate 1.00 | CPU per request 1.00 | Redis commands per request 1.00');
    expect(report.split('\n').filter((l) => /^(round 1 (floor|api)|floor \(all\)|api \(all\)) /u.test(l))).toHaveLength(4);
  });

  it('runs floor, API, floor, API for two rounds of the same load, and prints each round, both totals, the ratios and the target line API >= 0.6 of the floor', {
    timeout: 60_000,
  }, async () => {
    const prefix = uniquePrefix('floorsmokeapi');
    const config = parseConfig({
      REDIS_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      MAIL_TRANSPORT: 'null',
      POSTMILL_SECRET_ID: SECRET_ID,
      POSTMILL_SECRET_KEY: SECRET_KEY,
      SCHEDULE_TIMEZONE: 'Asia/Shanghai',
      API_RATE_LIMIT_PER_SECOND: '0',
      LOG_LEVEL: 'silent',
    });
    const shared = createSharedServices(config, { redisUrl: inject('redisUrl'), connectionName: 'floor-smoke-api', failFast: true });
    const api = await startApi(config, shared, createLogger({ level: 'silent', pretty: false, name: 'floor-smoke' }));
    try {
      const progress: string[] = [];
      const observations = await runLoadBench(
        {
          baseUrl: api.url,
          secretId: SECRET_ID,
          secretKey: SECRET_KEY,
          redis: admin,
          keys: shared.keys,
          timeZone: 'Asia/Shanghai',
          apiPid: process.pid,
          floor: { baseUrl: floor.baseUrl, pid: floor.process.pid },
        },
        { durationS: 1, warmupS: 0, rounds: 2, connections: 2, pipelining: 1, driver: 'autocannon', worker: false, apiSample: 3 },
        (line) => progress.push(line),
      );
      expect(progress.filter((l) => l.startsWith('round ')).map((l) => l.split(',')[0]?.replace(/ \d+ s$/u, ''))).toEqual([
        'round 1/2: floor',
        'round 1/2: API',
        'round 2/2: floor',
        'round 2/2: API',
      ]);
      const c = observations.floor;
      expect(c?.rounds).toHaveLength(2);
      for (const r of c?.rounds ?? []) {
        expect(r.floor.accepted).toBeGreaterThan(0);
        expect(r.api.accepted).toBeGreaterThan(0);
        expect(r.floor.errors + r.api.errors).toBe(0);
      }
      // The API's judged figures are its two rounds together.
      expect(observations.measured.acceptedIds.length).toBe(c?.api.accepted);
      expect(observations.lost.lost).toBe(0);
      expect(c?.rateRatio).toBeGreaterThan(0);
      expect(c?.cpuRatio).toBeGreaterThan(0);

      const figures = figuresOf(observations);
      const judged = judge(figures);
      expect(judged.results.map((r) => r.target).at(-1)).toBe('API >= 0.6 of the floor');
      const text = formatReport(figures, judged);
      for (const label of ['round 1 floor', 'round 1 api', 'round 2 floor', 'round 2 api', 'floor (all)', 'api (all)']) {
        expect(text).toMatch(new RegExp(String.raw`^${label.replace(/[()]/gu, '\\$&')} +\| +${NUMBER}/s \| p99`, 'mu'));
      }
      expect(text).toMatch(
        new RegExp(String.raw`^ratio api/floor  \| rate ${NUMBER} \| CPU per request ${NUMBER} \| Redis commands per request ${NUMBER}$`, 'mu'),
      );
      expect(text).toMatch(/^API >= 0\.6 of the floor +\d\.\d\d \(\d+\/s vs \d+\/s\) +>= 0\.6 +(PASS|FAIL)$/mu);
      const json = JSON.parse(jsonLine(figures, judged)) as { floor: { rounds: unknown[]; ratio: { rate: number } } };
      expect(json.floor.rounds).toHaveLength(2);
      expect(json.floor.ratio.rate).toBeGreaterThan(0);
    } finally {
      await api.close();
      await shared.queue.obliterate({ force: true }).catch(() => undefined);
      await deleteKeysWithPrefix(shared.redis, prefix);
      await shared.close();
    }
  });
});
