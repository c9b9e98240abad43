import { Writable } from 'node:stream';
import { parseConfig } from '@postmill/config';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { startApi } from '../src/api-process.ts';
import { createSharedServices } from '../src/shared-services.ts';

/** Starts the API with `env`, returns the start-up log line about the dashboard, and stops it. */
async function dashboardLogLine(env: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const prefix = uniquePrefix('dashlog');
  const config = parseConfig({ REDIS_PREFIX: prefix, HOST: '127.0.0.1', PORT: '0', POSTMILL_SECRET_ID: 'AKIDdashlog', POSTMILL_SECRET_KEY: 'k', ...env });
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const shared = createSharedServices(config, { redisUrl: inject('redisUrl'), connectionName: 'dashboard-log-test', failFast: true });
  try {
    const api = await startApi(config, shared, pino({ level: 'info' }, sink));
    await api.close();
    return lines.find((l) => l.component === 'dashboard');
  } finally {
    await deleteKeysWithPrefix(shared.redis, prefix);
    await shared.close();
  }
}

describe('the API start-up log about the queue dashboard', () => {
  it('says the dashboard is off, why, and which variables turn it on', async () => {
    const line = await dashboardLogLine({});
    expect(line?.reason).toBe('DASHBOARD_USERNAME and DASHBOARD_PASSWORD are not set');
    expect(line?.msg).toMatch(/dashboard is off.*DASHBOARD_USERNAME and DASHBOARD_PASSWORD/u);
  });

  it('says the dashboard is on at /admin/queues and whether it is read-only', async () => {
    const readOnly = await dashboardLogLine({ DASHBOARD_USERNAME: 'ops', DASHBOARD_PASSWORD: 'pw' });
    expect(readOnly).toMatchObject({ readOnly: true, msg: 'queue dashboard on at /admin/queues (read-only)' });
    expect(readOnly?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin\/queues$/u);
    const writable = await dashboardLogLine({ DASHBOARD_USERNAME: 'ops', DASHBOARD_PASSWORD: 'pw', DASHBOARD_ALLOW_WRITES: 'true' });
    expect(writable).toMatchObject({ readOnly: false, msg: 'queue dashboard on at /admin/queues (writes allowed)' });
  });
});
