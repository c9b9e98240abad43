import type { MailEvent } from '@postmill/core';
import { EventLogStore, mailEventId } from '@postmill/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineHarness, refusal, startEngineHarness, testRedis } from './engine-harness.ts';

describe('engine events.list', () => {
  const redis = testRedis();
  let h: EngineHarness;
  // The harness clock's time (2026-03-15 02:00 UTC) minus an hour: inside the default query window.
  const at = Date.UTC(2026, 2, 15, 1, 0, 0);
  const events: MailEvent[] = (['request', 'delivered', 'opened'] as const).map((kind, i) => ({
    id: mailEventId({ messageId: 'pm-e', recipient: 'a@example.org', kind, discriminator: i }),
    kind,
    at: at + i * 1000,
    messageId: 'pm-e',
    recipient: 'a@example.org',
    sender: 'news@example.com',
    taskId: 9,
  }));

  beforeAll(async () => {
    h = startEngineHarness(redis());
    // Redis expires by its own (real) time: a retention that outlives the harness clock's March 2026.
    await new EventLogStore({ redis: redis(), prefix: h.keys.prefix, retentionDays: 3650 }).append(events);
  });

  afterAll(async () => {
    await h.close();
  });

  it('pages the events of a message, a recipient, a task and a time range in time order with a cursor', async () => {
    const ops = h.engine.events;
    const first = await ops.list({ messageId: 'pm-e', limit: 2 });
    expect(first.events).toEqual(events.slice(0, 2));
    expect(await ops.list({ messageId: 'pm-e', limit: 2, ...(first.next ? { cursor: first.next } : {}) })).toEqual({ events: events.slice(2) });
    expect((await ops.list({ recipient: 'A@example.org' })).events).toEqual(events);
    expect((await ops.list({ taskId: 9 })).events).toEqual(events);
    expect((await ops.list({ fromMs: at + 500, toMs: at + 2000 })).events).toEqual(events.slice(1));
  });

  it('refuses two filters at once, a range without bounds or reversed, and a bad cursor as invalid-input', async () => {
    const ops = h.engine.events;
    for (const input of [
      { messageId: 'pm-e', taskId: 9 },
      { fromMs: at },
      { fromMs: at, toMs: at - 1 },
      { messageId: 'pm-e', cursor: 'nope' },
      { taskId: 9, limit: 5000 },
    ]) {
      expect((await refusal(ops.list(input))).kind).toBe('invalid-input');
    }
  });
});
