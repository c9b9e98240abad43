import { calendarDate, ManualClock, type MessageSpec, newMessageId } from '@postmill/core';
import { createKeys, createRedisClient, MessageStore, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

// The root globalSetup (testkit/src/redis-global-setup.ts) provides this; that file is not part of
// this package's type program, so the typing of `inject('redisUrl')` is repeated here.
declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const TIME_ZONE = 'Asia/Shanghai';

describe('MessageStore.accept', () => {
  let redis: RedisClient;
  let prefix: string;
  let clock: ManualClock;
  let store: MessageStore;
  const spec = (over: Partial<MessageSpec> = {}): MessageSpec => ({
    messageId: newMessageId(clock.now()),
    acceptedAt: clock.now(),
    from: { address: 'news@mail.example.com', name: 'News' },
    to: ['a@example.org', 'b@example.org'],
    cc: ['c@example.org'],
    bcc: ['a@example.org'],
    subject: 'Hello',
    html: '<p>Hello</p>',
    attachments: [],
    headers: {},
    unsubscribe: '0',
    triggerType: 1,
    ...over,
  });

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('msgaccept');
    clock = new ManualClock(1_700_000_000_000);
    store = new MessageStore({ redis, keys: createKeys(prefix), clock, retentionDays: 2, timeZone: TIME_ZONE });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('records the spec, the content and every distinct recipient queued, indexed by day and recipient; the message and its recipient index expire after the retention, the day index a day later', async () => {
    const s = spec();
    await store.accept(s);
    const keys = createKeys(prefix);
    const date = calendarDate(s.acceptedAt, TIME_ZONE);
    expect(await store.getSpec(s.messageId)).toEqual(s);
    const states = await store.getRecipients(s.messageId);
    expect([...states.keys()].sort()).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
    for (const state of states.values()) expect(state).toEqual({ state: 'queued', queuedAt: s.acceptedAt });
    expect(await store.queryStatus({ date, recipient: 'c@example.org', offset: 0, limit: 10 })).toHaveLength(1);
    expect(await store.countStatus({ date })).toBe(3);
    for (const key of [keys.messageSpec(s.messageId), keys.statusDayRecipientRows(date, 'b@example.org')]) {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(2 * 86_400 - 60);
      expect(ttl).toBeLessThanOrEqual(2 * 86_400);
    }
    // The day index outlives every message of its day (the longest day: 25 h).
    for (const key of [keys.statusDayRows(date), keys.statusDayRowCount(date)]) {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(2 * 86_400 + 25 * 3_600 - 60);
      expect(ttl).toBeLessThanOrEqual(2 * 86_400 + 25 * 3_600);
    }
  });

  it('sets the day index TTL when the first message of the day creates it and leaves it alone on later writes', async () => {
    const keys = createKeys(prefix);
    const first = spec();
    const date = calendarDate(first.acceptedAt, TIME_ZONE);
    await store.accept(first);
    await redis.expire(keys.statusDayRows(date), 1_000);
    await redis.expire(keys.statusDayRowCount(date), 1_000);
    await store.accept(spec({ to: ['later@example.org'], cc: [], bcc: [] }));
    expect(await redis.ttl(keys.statusDayRows(date))).toBeLessThanOrEqual(1_000);
    expect(await redis.ttl(keys.statusDayRowCount(date))).toBeLessThanOrEqual(1_000);
    expect(await store.countStatus({ date })).toBe(4);
  });

  it('keeps the metadata readable after the content is dropped, and reads no content for a status page', async () => {
    const s = spec({ html: '<p>body</p>', text: 'body' });
    await store.accept(s);
    const date = calendarDate(s.acceptedAt, TIME_ZONE);
    await store.dropContent(s.messageId);
    expect(await store.getSpec(s.messageId)).toBeUndefined();
    expect(await store.getMeta(s.messageId)).toEqual({
      messageId: s.messageId,
      acceptedAt: s.acceptedAt,
      from: s.from,
      to: s.to,
      cc: s.cc,
      bcc: s.bcc,
      subject: s.subject,
      unsubscribe: s.unsubscribe,
      triggerType: s.triggerType,
    });
    expect((await store.getRecipients(s.messageId)).size).toBe(3);
    expect(await store.queryStatus({ date, offset: 0, limit: 10 })).toHaveLength(3);
  });

  it('removes what it wrote and rejects when the day index cannot be written, so the message never shows as accepted', async () => {
    const s = spec();
    const keys = createKeys(prefix);
    const date = calendarDate(s.acceptedAt, TIME_ZONE);
    await redis.set(keys.statusDayRecipientRows(date, 'b@example.org'), 'not a sorted set');
    await expect(store.accept(s)).rejects.toThrow(/WRONGTYPE/u);
    expect(await redis.exists(keys.messageSpec(s.messageId))).toBe(0);
    expect(await redis.zscore(keys.statusDayRows(date), s.messageId)).toBeNull();
    expect(await store.countStatus({ date })).toBe(0);
    expect(await store.queryStatus({ date, offset: 0, limit: 10 })).toEqual([]);
  });
});
