import type { MailEvent, MailEventKind } from '@postmill/core';
import {
  createRedisClient,
  EVENT_BUCKET_MS,
  EVENT_INDEX_DAY_MS,
  EventLogStore,
  eventLogKeys,
  indexShardOf,
  mailEventId,
  type RedisClient,
} from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const KINDS: readonly MailEventKind[] = ['request', 'delivered', 'deferred', 'bounced', 'opened'];
const T0 = Date.UTC(2026, 11, 7, 22, 0, 0);

function eventOf(messageId: string, recipient: string, kind: MailEventKind, at: number, taskId?: number): MailEvent {
  return {
    id: mailEventId({ messageId, recipient, kind, discriminator: at }),
    kind,
    at,
    messageId,
    recipient,
    sender: 'news@example.com',
    ...(taskId === undefined ? {} : { taskId }),
  };
}

async function all(store: EventLogStore, request: Omit<Parameters<EventLogStore['page']>[0], 'cursor'>): Promise<MailEvent[]> {
  const out: MailEvent[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.page({ ...request, ...(cursor === undefined ? {} : { cursor }) });
    expect(page.events.length).toBeLessThanOrEqual(request.limit);
    out.push(...page.events);
    if (page.next === undefined) return out;
    cursor = page.next;
  }
  throw new Error('paging did not end');
}

const byTime = (a: MailEvent, b: MailEvent) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('EventLogStore', () => {
  let redis: RedisClient;
  const prefix = uniquePrefix('eventlog');
  let run = 0;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('stores each event once however often and in whatever batches it is appended, and every index pages back exactly the written events in time order', async () => {
    const arbEvent = fc.record({
      message: fc.integer({ min: 0, max: 3 }),
      recipient: fc.integer({ min: 0, max: 3 }),
      kind: fc.constantFrom(...KINDS),
      // Events spread over three hours, many sharing one millisecond (ties page by id).
      offset: fc.integer({ min: 0, max: 3 * EVENT_BUCKET_MS - 1 }).map((ms) => ms - (ms % 600_000)),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbEvent, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        async (specs, limit, repeats) => {
          const store = new EventLogStore({ redis, prefix: `${prefix}:${run++}` });
          const events = specs.map((s) => eventOf(`pm-msg-${s.message}`, `r${s.recipient}@example.com`, s.kind, T0 + s.offset, 7));
          // Duplicated writes: the same events again, in other batches, concurrently.
          const writes: Promise<void>[] = [];
          for (let r = 0; r < repeats; r++) for (let i = 0; i < events.length; i += 1 + r) writes.push(store.append(events.slice(i, i + 1 + r)));
          await Promise.all(writes);
          const unique = [...new Map(events.map((e) => [e.id, e])).values()].sort(byTime);
          expect(await all(store, { query: { by: 'task', taskId: 7 }, limit })).toEqual(unique);
          expect(await all(store, { query: { by: 'time' }, fromMs: T0, toMs: T0 + 3 * EVENT_BUCKET_MS, limit })).toEqual(unique);
          for (let m = 0; m < 4; m++) {
            const messageId = `pm-msg-${m}`;
            expect(await all(store, { query: { by: 'message', messageId }, limit })).toEqual(unique.filter((e) => e.messageId === messageId));
          }
          for (let r = 0; r < 4; r++) {
            const recipient = `r${r}@example.com`;
            expect(await all(store, { query: { by: 'recipient', recipient: recipient.toUpperCase() }, limit })).toEqual(
              unique.filter((e) => e.recipient === recipient),
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('answers a time range with only the events whose time falls inside it', async () => {
    const store = new EventLogStore({ redis, prefix: `${prefix}:range` });
    const events = [0, 1, 2, 3].map((h) => eventOf('pm-range', 'a@example.com', 'delivered', T0 + h * EVENT_BUCKET_MS + 5));
    await store.append(events);
    const from = T0 + EVENT_BUCKET_MS;
    const to = T0 + 2 * EVENT_BUCKET_MS + 5;
    expect(await all(store, { query: { by: 'time' }, fromMs: from, toMs: to, limit: 1 })).toEqual(events.slice(1, 3));
    expect(await all(store, { query: { by: 'message', messageId: 'pm-range' }, fromMs: from, toMs: to, limit: 10 })).toEqual(events.slice(1, 3));
  });

  it('lets every key expire retentionDays after its hour (index shards: after their day; task indexes: after their last write), and answers nothing for events older than the retention', async () => {
    const recent = new EventLogStore({ redis, prefix: `${prefix}:ttl`, retentionDays: 2 });
    const now = Date.now();
    const event = eventOf('pm-ttl', 'a@example.com', 'delivered', now, 3);
    await recent.append([event]);
    const keys = eventLogKeys(`${prefix}:ttl`);
    const hour = Math.floor(now / EVENT_BUCKET_MS);
    const expected = (hour + 1) * EVENT_BUCKET_MS + 2 * 86_400_000;
    expect(await redis.pexpiretime(keys.bucketBodies(hour))).toBe(expected);
    expect(await redis.pexpiretime(keys.bucketTimes(hour))).toBe(expected);
    const day = Math.floor(now / EVENT_INDEX_DAY_MS);
    for (const [kind, name] of [['m', 'pm-ttl'] as const, ['r', 'a@example.com'] as const]) {
      expect(await redis.pexpiretime(keys.nameIndex(kind, day, indexShardOf(name)))).toBe((day + 1) * EVENT_INDEX_DAY_MS + 2 * 86_400_000);
    }
    for (const key of [keys.byTask(3)]) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(2 * 86_400_000 - 60_000);
      expect(ttl).toBeLessThanOrEqual(2 * 86_400_000);
    }
    // With a retention of 0 days, an event from two hours ago is past it: Redis drops it at once.
    const none = new EventLogStore({ redis, prefix: `${prefix}:expired`, retentionDays: 0 });
    await none.append([eventOf('pm-old', 'a@example.com', 'delivered', now - 2 * EVENT_BUCKET_MS)]);
    expect((await none.page({ query: { by: 'message', messageId: 'pm-old' }, limit: 10 })).events).toEqual([]);
    expect((await none.page({ query: { by: 'time' }, fromMs: now - 3 * EVENT_BUCKET_MS, toMs: now, limit: 10 })).events).toEqual([]);
  });

  it('refuses a malformed cursor, a limit outside 1..1000 and a time query without bounds', async () => {
    const store = new EventLogStore({ redis, prefix: `${prefix}:bad` });
    await expect(store.page({ query: { by: 'task', taskId: 1 }, limit: 10, cursor: 'x' })).rejects.toMatchObject({ code: 'EventLog.InvalidQuery' });
    await expect(store.page({ query: { by: 'task', taskId: 1 }, limit: 0 })).rejects.toMatchObject({ code: 'EventLog.InvalidQuery' });
    await expect(store.page({ query: { by: 'time' }, limit: 5 })).rejects.toMatchObject({ code: 'EventLog.InvalidQuery' });
  });
});
