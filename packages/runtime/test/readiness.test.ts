import { parseConfig } from '@postmill/config';
import { freePort, spawnRedisServer } from '@postmill/store';
import { afterEach, describe, expect, it } from 'vitest';
import { startApi } from '../src/api-process.ts';
import { createLogger } from '../src/logger.ts';
import { createProcessMetrics } from '../src/process-metrics.ts';
import { createReadinessProbe } from '../src/readiness.ts';
import { createSharedServices } from '../src/shared-services.ts';
import { startWorkerHttp } from '../src/worker-http.ts';
import { type OpsStack, simpleMail, startOpsStack } from './ops-stack.ts';
import { sampleValue } from './prometheus-text.ts';

const logger = createLogger({ level: 'silent', pretty: false, name: 'readiness' });
const readyz = async (url: string) => {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
};

describe('/healthz and /readyz', () => {
  let stack: OpsStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('a worker pointed at a closed Redis port is alive but not ready, and still serves /metrics', async () => {
    const closedPort = await freePort(); // nothing listens there
    const config = parseConfig({ REDIS_PREFIX: 'treadiness-closed', LOG_LEVEL: 'silent' });
    const shared = createSharedServices(config, { redisUrl: `redis://127.0.0.1:${closedPort}`, connectionName: 'readiness-closed' });
    const metrics = createProcessMetrics(shared);
    const http = await startWorkerHttp({
      host: '127.0.0.1',
      port: 0,
      readiness: createReadinessProbe({ redis: shared.redis, isDraining: () => false }),
      metrics,
      logger,
    });
    try {
      expect((await fetch(`${http.url}/healthz`)).status).toBe(200);
      const started = Date.now();
      const ready = await readyz(http.url);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('not-ready');
      expect(ready.body.checks.draining).toBe('ok');
      expect(ready.body.checks.redis).toMatch(/^redis connection (connecting|reconnecting|close|end|wait)/u);
      const scrape = await fetch(`${http.url}/metrics`);
      expect(scrape.status).toBe(200);
      const text = await scrape.text();
      expect(sampleValue(text, 'postmill_metrics_collect_errors_total', { collector: 'tasks' })).toBe(1);
      expect(sampleValue(text, 'postmill_queue_jobs')).toBeUndefined();
      expect((await fetch(`${http.url}/nowhere`)).status).toBe(404);
      expect((await fetch(`${http.url}/readyz`, { method: 'POST' })).status).toBe(405);
    } finally {
      await http.close();
      shared.redis.disconnect();
    }
  });

  it('the API answers /readyz 200 while Redis answers, 503 at once when it goes away, and 200 again when it is back', async () => {
    // This test owns its Redis (it kills and restarts it), never the shared one.
    const redisPort = await freePort();
    let redis = await spawnRedisServer({ port: redisPort });
    const port = await freePort();
    const config = parseConfig({ HOST: '127.0.0.1', PORT: String(port), POSTMILL_SECRET_ID: 'AKIDready', POSTMILL_SECRET_KEY: 'k', LOG_LEVEL: 'silent' });
    const shared = createSharedServices(config, { redisUrl: redis.url, connectionName: 'readiness-api', failFast: true });
    const api = await startApi(config, shared, logger);
    try {
      expect(await readyz(api.url)).toEqual({ status: 200, body: { status: 'ready', checks: { redis: 'ok' } } });
      await redis.kill();
      const started = Date.now();
      const down = await readyz(api.url);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(down.status).toBe(503);
      expect(down.body.checks.redis).not.toBe('ok');
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${api.url}/metrics`)).status).toBe(200);
      redis = await spawnRedisServer({ port: redisPort });
      await expect.poll(async () => (await readyz(api.url)).status, { timeout: 10_000, interval: 200 }).toBe(200);
    } finally {
      await api.close();
      await shared.close();
      await redis.stop();
    }
  });

  it('a worker answers /readyz 503 while it drains in-flight work, and is ready before', async () => {
    stack = await startOpsStack();
    const s = stack;
    await s.setUpSender();
    expect(await readyz(s.workerUrl)).toEqual({ status: 200, body: { status: 'ready', checks: { draining: 'ok', redis: 'ok' } } });
    s.fake.delayNext(1500);
    await s.call('SendEmail', simpleMail(['slow@example.org']));
    await expect.poll(() => s.fake.requests.length, { timeout: 10_000, interval: 20 }).toBe(1);
    const closing = s.worker.close();
    const draining = await readyz(s.workerUrl);
    expect(draining.status).toBe(503);
    expect(draining.body.checks.draining).toMatch(/^draining/u);
    expect(draining.body.checks.redis).toBe('ok');
    expect((await fetch(`${s.workerUrl}/healthz`)).status).toBe(200);
    await closing;
    // The request in flight finished and was recorded before the worker closed.
    expect(sampleValue(await (await fetch(`${s.workerUrl}/metrics`)).text(), 'postmill_mails_total', { outcome: 'sent' })).toBe(1);
  });
});
