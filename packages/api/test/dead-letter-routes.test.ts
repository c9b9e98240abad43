import { type MailEvent, systemClock } from '@postmill/core';
import { createWebhookDelivery, type DeadLetter, type WebhookDelivery } from '@postmill/webhooks';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DashboardAccess } from '../src/admin/dashboard-access.ts';
import { buildApiServer } from '../src/server.ts';
import { type ApiHarness, startApiHarness } from './api-harness.ts';

const USERNAME = 'ops';
const PASSWORD = 'dead-letter-test-password';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const GOOD = { authorization: basic(USERNAME, PASSWORD) };
const PATH = '/admin/webhooks/dead-letters';
const enabled = (allowWrites: boolean): DashboardAccess => ({ enabled: true, username: USERNAME, password: PASSWORD, allowWrites });

function letter(n: number): DeadLetter {
  const event: MailEvent = {
    id: `ev-${n}`,
    kind: 'bounced',
    at: 1_700_000_000_000 + n,
    messageId: `pm-date-x-${n}`,
    recipient: `reader${n}@example.org`,
    sender: 'news@mail.example.com',
  };
  return {
    deliveryId: `wh-${String(n).padStart(32, '0')}`,
    event,
    endpoint: { vendor: 'tencent', url: 'https://hooks.example.com/cb' },
    attempts: 6,
    lastError: 'HTTP 500',
    failedAt: event.at,
    replays: 0,
  };
}

// The routes on the real API, with a real publish-only webhook delivery on the harness's Redis prefix.
describe('the webhook dead-letter routes at /admin/webhooks/dead-letters', () => {
  let harness: ApiHarness;
  let delivery: WebhookDelivery;
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    harness = await startApiHarness();
    const settings = {
      timeoutMs: 3000,
      retryDelaysMs: [60_000],
      concurrency: 1,
      deadLetterRetentionMs: 30 * 86_400_000,
      allowPrivate: true,
      allowCidrs: [],
      denyCidrs: [],
      sendCloudWebhookKey: undefined,
    };
    delivery = createWebhookDelivery({ redis: harness.deps.redis, keys: harness.deps.keys, clock: systemClock, settings, runWorker: false });
  });
  beforeEach(async () => {
    for (let n = 1; n <= 5; n++) await delivery.deadLetters.add(letter(n));
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await delivery.deadLetters.list({ limit: 1000 }).then(({ letters }) => Promise.all(letters.map((l) => delivery.deadLetters.take(l.deliveryId))));
    await delivery.queue.obliterate({ force: true });
  });
  afterAll(async () => {
    await delivery?.close();
    await harness?.close();
  });

  async function api(access: DashboardAccess, webhooks: WebhookDelivery | null = delivery): Promise<FastifyInstance> {
    const app = buildApiServer({ ...harness.deps, dashboard: { ...harness.deps.dashboard, access }, ...(webhooks ? { webhooks } : {}) });
    apps.push(app);
    await app.ready();
    return app;
  }

  it('asks for the dashboard credentials on every route and refuses wrong ones', async () => {
    const app = await api(enabled(true));
    const routes = [
      ['GET', PATH],
      ['GET', `${PATH}/${letter(1).deliveryId}`],
      ['POST', `${PATH}/${letter(1).deliveryId}/replay`],
      ['POST', `${PATH}/replay`],
    ] as const;
    for (const [method, url] of routes) {
      for (const headers of [{}, { authorization: basic(USERNAME, 'wrong') }, { authorization: basic('someone', PASSWORD) }]) {
        const res = await app.inject({ method, url, headers });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Basic /u);
      }
    }
    expect(await delivery.deadLetters.list()).toMatchObject({ total: 5 }); // nothing was replayed
  });

  it('lists one page at a time, newest first, with the total, addresses masked as on the board', async () => {
    const app = await api(enabled(false));
    const first = (await app.inject({ method: 'GET', url: `${PATH}?limit=2`, headers: GOOD })).json();
    expect(first).toMatchObject({ total: 5, offset: 0, limit: 2 });
    expect(first.letters.map((l: DeadLetter) => l.deliveryId)).toEqual([letter(5).deliveryId, letter(4).deliveryId]);
    expect(first.letters[0]).toMatchObject({ attempts: 6, lastError: 'HTTP 500', event: { id: 'ev-5', recipient: 'r***@example.org' } });
    const last = (await app.inject({ method: 'GET', url: `${PATH}?offset=4&limit=2`, headers: GOOD })).json();
    expect(last.letters.map((l: DeadLetter) => l.deliveryId)).toEqual([letter(1).deliveryId]);
    expect((await app.inject({ method: 'GET', url: PATH, headers: GOOD })).json().limit).toBe(50);
  });

  it('refuses a limit outside 1..1000 or an offset that is not a whole number with 400', async () => {
    const app = await api(enabled(false));
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'offset=-1', 'offset=1.5']) {
      const res = await app.inject({ method: 'GET', url: `${PATH}?${query}`, headers: GOOD });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error).toBe('InvalidParameter');
    }
  });

  it('shows one letter, and answers 404 for an id with no letter', async () => {
    const app = await api(enabled(false));
    const one = await app.inject({ method: 'GET', url: `${PATH}/${letter(3).deliveryId}`, headers: GOOD });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ deliveryId: letter(3).deliveryId, endpoint: { vendor: 'tencent', url: 'https://hooks.example.com/cb' } });
    const none = await app.inject({ method: 'GET', url: `${PATH}/wh-nothing`, headers: GOOD });
    expect(none.statusCode).toBe(404);
    expect(none.json().error).toBe('DeadLetterNotFound');
  });

  it('refuses replays with 405 unless DASHBOARD_ALLOW_WRITES, and queues nothing', async () => {
    const app = await api(enabled(false));
    for (const url of [`${PATH}/${letter(1).deliveryId}/replay`, `${PATH}/replay`]) {
      const res = await app.inject({ method: 'POST', url, headers: GOOD });
      expect(res.statusCode, url).toBe(405);
      expect(res.json().message).toContain('DASHBOARD_ALLOW_WRITES');
    }
    expect(await delivery.queue.count()).toBe(0);
    expect(await delivery.deadLetters.list()).toMatchObject({ total: 5 });
  });

  it('replays one letter into the webhook queue and off the list; replaying it again answers 404 and queues nothing more', async () => {
    const app = await api(enabled(true));
    const url = `${PATH}/${letter(2).deliveryId}/replay`;
    const res = await app.inject({ method: 'POST', url, headers: GOOD });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ replayed: 1 });
    const jobs = await delivery.queue.getJobs(['delayed', 'waiting', 'prioritized']);
    expect(jobs.map((j) => [j.id, j.data.event.id])).toEqual([[`${letter(2).deliveryId}-r1`, 'ev-2']]);
    expect(await delivery.deadLetters.get(letter(2).deliveryId)).toBeUndefined();
    expect((await app.inject({ method: 'POST', url, headers: GOOD })).statusCode).toBe(404);
    expect(await delivery.queue.count()).toBe(1);
  });

  it('replays every letter, or at most `max` of them', async () => {
    const app = await api(enabled(true));
    expect((await app.inject({ method: 'POST', url: `${PATH}/replay?max=2`, headers: GOOD })).json()).toEqual({ replayed: 2 });
    expect(await delivery.deadLetters.list()).toMatchObject({ total: 3 });
    expect((await app.inject({ method: 'POST', url: `${PATH}/replay`, headers: GOOD })).json()).toEqual({ replayed: 3 });
    expect(await delivery.deadLetters.list()).toMatchObject({ total: 0 });
    expect(await delivery.queue.count()).toBe(5);
  });

  it('answers 404 naming the dashboard variables while the dashboard is off, and 404 when the API has no webhook delivery', async () => {
    const off = await api({ enabled: false, reason: 'no credentials' });
    const res = await off.inject({ method: 'GET', url: PATH, headers: GOOD });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain('DASHBOARD_USERNAME');
    const none = await api(enabled(true), null);
    const bare = await none.inject({ method: 'GET', url: PATH, headers: GOOD });
    expect(bare.statusCode).toBe(404);
    expect(bare.json().error).toBe('WebhooksOff');
  });
});
