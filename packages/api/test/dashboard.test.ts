import { JOB, QUEUE } from '@postmill/queue';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardAccess, DashboardQueue } from '../src/admin/dashboard-access.ts';
import { buildApiServer } from '../src/server.ts';
import { type ApiHarness, startApiHarness } from './api-harness.ts';

const USERNAME = 'ops';
const PASSWORD = 'dashboard-test-password';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const GOOD = { authorization: basic(USERNAME, PASSWORD) };

// Bull Board on the real API against the test Redis: each test builds an API on the harness's
// stores and queues (its own key prefix) with the dashboard settings under test.
describe('the queue dashboard at /admin/queues', () => {
  let harness: ApiHarness;
  let delivery: DashboardQueue;
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    harness = await startApiHarness();
    const found = harness.deps.dashboard.queues.find((q) => q.name === QUEUE.delivery);
    if (!found) throw new Error('the harness has no delivery queue');
    delivery = found;
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await harness?.close();
  });

  async function api(access: DashboardAccess): Promise<FastifyInstance> {
    const app = buildApiServer({ ...harness.deps, dashboard: { ...harness.deps.dashboard, access } });
    apps.push(app);
    await app.ready();
    return app;
  }
  const enabled = (allowWrites: boolean): DashboardAccess => ({ enabled: true, username: USERNAME, password: PASSWORD, allowWrites });

  it('asks for credentials on the page, the JSON API and the static assets, and refuses wrong ones', async () => {
    const app = await api(enabled(false));
    for (const url of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/favicon-32x32.png']) {
      for (const headers of [{}, { authorization: basic(USERNAME, 'wrong') }, { authorization: basic('someone', PASSWORD) }, { authorization: 'Bearer x' }]) {
        const res = await app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Basic realm="Postmill queues"/u);
      }
    }
    // The check is scoped to the board: other routes stay as they were.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('serves the board page titled Postmill and its static assets with the right credentials', async () => {
    const app = await api(enabled(false));
    const page = await app.inject({ method: 'GET', url: '/admin/queues', headers: GOOD });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/u);
    expect(page.body).toContain('<title>Postmill</title>');
    const asset = await app.inject({ method: 'GET', url: '/admin/queues/static/favicon-32x32.png', headers: GOOD });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('image/png');
  });

  it('lists the delivery and campaign queues and a job enqueued on the delivery queue', async () => {
    const app = await api(enabled(false));
    const job = await delivery.add(JOB.deliverMessage, { messageId: 'dashboard-listed-1' }, { jobId: 'dashboard-listed-1' });
    const res = await app.inject({
      method: 'GET',
      url: `/admin/queues/api/queues?activeQueue=${QUEUE.delivery}&status=waiting&page=1&jobsPerPage=50`,
      headers: GOOD,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { queues: { name: string; readOnlyMode: boolean; jobs: { id: string; name: string; data: unknown }[] }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual([QUEUE.campaign, QUEUE.delivery].sort());
    const listed = body.queues.find((q) => q.name === QUEUE.delivery);
    expect(listed?.readOnlyMode).toBe(true);
    expect(listed?.jobs).toContainEqual(expect.objectContaining({ id: job.id, name: JOB.deliverMessage, data: { messageId: 'dashboard-listed-1' } }));
  });

  it('refuses a write with 405 while read-only and leaves the job as it was', async () => {
    const app = await api(enabled(false));
    const job = await delivery.add(JOB.deliverMessage, { messageId: 'dashboard-readonly-1' }, { jobId: 'dashboard-readonly-1', delay: 3_600_000 });
    const promote = await app.inject({ method: 'PUT', url: `/admin/queues/api/queues/${QUEUE.delivery}/${job.id}/promote`, headers: GOOD });
    expect(promote.statusCode).toBe(405);
    const clean = await app.inject({ method: 'PUT', url: `/admin/queues/api/queues/${QUEUE.delivery}/clean/delayed`, headers: GOOD });
    expect(clean.statusCode).toBe(405);
    expect(await delivery.getJobState(job.id ?? '')).toBe('delayed');
  });

  it('lets a write through when DASHBOARD_ALLOW_WRITES is on', async () => {
    const app = await api(enabled(true));
    const job = await delivery.add(JOB.deliverMessage, { messageId: 'dashboard-writes-1' }, { jobId: 'dashboard-writes-1', delay: 3_600_000 });
    const promote = await app.inject({ method: 'PUT', url: `/admin/queues/api/queues/${QUEUE.delivery}/${job.id}/promote`, headers: GOOD });
    expect(promote.statusCode).toBe(204);
    expect(await delivery.getJobState(job.id ?? '')).toBe('waiting');
  });

  it('answers 404 with a message naming the variables that turn it on when the dashboard is off', async () => {
    const app = await api({ enabled: false, reason: 'DASHBOARD_USERNAME and DASHBOARD_PASSWORD are not set' });
    for (const url of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues', '/admin/queues/static/favicon-32x32.png']) {
      const res = await app.inject({ method: 'GET', url, headers: GOOD });
      expect(res.statusCode, url).toBe(404);
      const body = res.json() as { error: string; message: string };
      expect(body.error).toBe('DashboardDisabled');
      expect(body.message).toContain('DASHBOARD_USERNAME and DASHBOARD_PASSWORD are not set');
      expect(body.message).toMatch(/DASHBOARD_USERNAME.*DASHBOARD_PASSWORD.*DASHBOARD_ALLOW_WRITES/u);
    }
  });
});
