import { createKeys, createRedisClient, datesBetween, type Keys, type RedisClient, type StatEvent, StatisticsStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

// The root globalSetup (testkit/src/redis-global-setup.ts) provides this; that file is not part of
// this package's type program, so the typing of `inject('redisUrl')` is repeated here.
declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

// 2026-03-15 10:00:00 in Asia/Shanghai (02:00 UTC).
const MAR15 = Date.UTC(2026, 2, 15, 2, 0, 0);
const DAY = 86_400_000;

const empty = (sendDate: string) => ({
  sendDate,
  requestCount: 0,
  acceptedCount: 0,
  deliveredCount: 0,
  openedCount: 0,
  clickedCount: 0,
  bounceCount: 0,
  unsubscribeCount: 0,
  openedTotalCount: 0,
  clickedTotalCount: 0,
});

function events(at: number, fromDomain: string, recipientDomain: string, counts: Partial<Record<StatEvent['metric'], number>>): StatEvent[] {
  return Object.entries(counts).map(([metric, count]) => ({ at, fromDomain, recipientDomain, metric: metric as StatEvent['metric'], count }));
}

describe('StatisticsStore', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: Keys;
  let store: StatisticsStore;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('stats');
    keys = createKeys(prefix);
    store = new StatisticsStore({ redis, keys, timeZone: 'Asia/Shanghai' });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('reports one Volume per day of the range, zero days included, and their sum dated at the start day', async () => {
    await store.record([
      ...events(MAR15, 'mail.example.com', 'gmail.com', {
        request: 3,
        accepted: 3,
        delivered: 2,
        bounce: 1,
        opened: 4,
        clicked: 1,
        openedTotal: 6,
        clickedTotal: 2,
      }),
      ...events(MAR15 + 2 * DAY, 'mail.example.com', 'qq.com', { request: 1, accepted: 1, unsubscribe: 1 }),
    ]);
    const report = await store.report({ startDate: '2026-03-14', endDate: '2026-03-17' });
    expect(report.daily).toEqual([
      empty('2026-03-14'),
      {
        ...empty('2026-03-15'),
        requestCount: 3,
        acceptedCount: 3,
        deliveredCount: 2,
        bounceCount: 1,
        openedCount: 4,
        clickedCount: 1,
        openedTotalCount: 6,
        clickedTotalCount: 2,
      },
      empty('2026-03-16'),
      { ...empty('2026-03-17'), requestCount: 1, acceptedCount: 1, unsubscribeCount: 1 },
    ]);
    expect(report.overall).toEqual({
      sendDate: '2026-03-14',
      requestCount: 4,
      acceptedCount: 4,
      deliveredCount: 2,
      openedCount: 4,
      clickedCount: 1,
      bounceCount: 1,
      unsubscribeCount: 1,
      openedTotalCount: 6,
      clickedTotalCount: 2,
    });
  });

  it('counts an event under its calendar day in the store zone', async () => {
    // 23:59:59.999 and 00:00 on the next day, Asia/Shanghai.
    const lastMs = Date.UTC(2026, 2, 15, 15, 59, 59, 999);
    await store.record([
      { at: lastMs, fromDomain: 'a.com', recipientDomain: 'b.com', metric: 'request' },
      { at: lastMs + 1, fromDomain: 'a.com', recipientDomain: 'b.com', metric: 'request' },
      { at: lastMs + 1, fromDomain: 'a.com', recipientDomain: 'b.com', metric: 'request' },
    ]);
    const { daily } = await store.report({ startDate: '2026-03-15', endDate: '2026-03-16' });
    expect(daily.map((d) => [d.sendDate, d.requestCount])).toEqual([
      ['2026-03-15', 1],
      ['2026-03-16', 2],
    ]);
  });

  it('filters by sender domain and by recipient domain, case-insensitively', async () => {
    await store.record([
      ...events(MAR15, 'Mail.Example.com', 'Gmail.com', { request: 5 }),
      ...events(MAR15, 'mail.example.com', 'qq.com', { request: 7 }),
      ...events(MAR15, 'other.org', 'gmail.com', { request: 11 }),
    ]);
    const total = async (filters: { domain?: string; receivingMailboxType?: string }) =>
      (await store.report({ startDate: '2026-03-15', endDate: '2026-03-15', ...filters })).overall.requestCount;
    expect(await total({})).toBe(23);
    expect(await total({ domain: 'MAIL.example.com' })).toBe(12);
    expect(await total({ receivingMailboxType: 'gmail.COM' })).toBe(16);
    expect(await total({ domain: 'mail.example.com', receivingMailboxType: 'gmail.com' })).toBe(5);
    expect(await total({ domain: 'nobody.net' })).toBe(0);
  });

  it('counts tagged events under their tag per sender domain and in total, and answers a tag report from the tag counters alone', async () => {
    await store.record([
      ...events(MAR15, 'mail.example.com', 'gmail.com', { request: 5, delivered: 4, bounce: 1 }).map((e) => ({ ...e, tag: 'spring' })),
      ...events(MAR15 + DAY, 'other.org', 'qq.com', { request: 2, delivered: 2 }).map((e) => ({ ...e, tag: 'spring' })),
      ...events(MAR15, 'mail.example.com', 'qq.com', { request: 3, delivered: 3 }).map((e) => ({ ...e, tag: 'autumn' })),
      ...events(MAR15, 'mail.example.com', 'gmail.com', { request: 7, delivered: 7 }),
    ]);
    const spring = await store.report({ startDate: '2026-03-15', endDate: '2026-03-16', tag: 'spring' });
    expect(spring.daily.map((d) => [d.sendDate, d.requestCount, d.deliveredCount, d.bounceCount])).toEqual([
      ['2026-03-15', 5, 4, 1],
      ['2026-03-16', 2, 2, 0],
    ]);
    expect(spring.overall).toMatchObject({ sendDate: '2026-03-15', requestCount: 7, deliveredCount: 6, bounceCount: 1 });
    expect((await store.report({ startDate: '2026-03-15', endDate: '2026-03-16', tag: 'spring', domain: 'OTHER.org' })).overall.requestCount).toBe(2);
    expect((await store.report({ startDate: '2026-03-15', endDate: '2026-03-16', tag: 'autumn' })).overall.requestCount).toBe(3);
    expect((await store.report({ startDate: '2026-03-15', endDate: '2026-03-16', tag: 'none' })).overall.requestCount).toBe(0);
    // Untagged reports count every event, tagged or not, as before.
    expect((await store.report({ startDate: '2026-03-15', endDate: '2026-03-16' })).overall.requestCount).toBe(17);
    await expect(store.report({ startDate: '2026-03-15', endDate: '2026-03-15', tag: 'spring', receivingMailboxType: 'gmail.com' })).rejects.toThrow(
      RangeError,
    );
    expect(await redis.ttl(`${keys.stats('2026-03-15')}:tag`)).toBeGreaterThan(0);
  });

  it('never loses an increment when many writers count at once', async () => {
    const one = { at: MAR15, fromDomain: 'a.com', recipientDomain: 'b.com', metric: 'delivered' as const };
    await Promise.all(Array.from({ length: 50 }, () => store.record([one, one])));
    expect((await store.report({ startDate: '2026-03-15', endDate: '2026-03-15' })).overall.deliveredCount).toBe(100);
  });

  it('stores fields as <from>|<rcpt>|<metric> and gives each day key a retention TTL', async () => {
    const short = new StatisticsStore({ redis, keys, timeZone: 'Asia/Shanghai', retentionDays: 3 });
    expect(short.retentionDays).toBe(3);
    expect(store.retentionDays).toBe(90);
    await short.record(events(MAR15, 'a.com', 'b.com', { request: 2, accepted: 1 }));
    const key = keys.stats('2026-03-15');
    expect(await redis.hgetall(key)).toEqual({ 'a.com|b.com|request': '2', 'a.com|b.com|accepted': '1' });
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(3 * 86_400);
    expect(ttl).toBeLessThanOrEqual(4 * 86_400);
  });

  it('skips zero counts, refuses negative counts and domains containing "|", and ignores foreign fields on read', async () => {
    await store.record([{ at: MAR15, fromDomain: 'a.com', recipientDomain: 'b.com', metric: 'request', count: 0 }]);
    expect(await redis.exists(keys.stats('2026-03-15'))).toBe(0);
    await expect(store.record([{ at: MAR15, fromDomain: 'a.com', recipientDomain: 'b.com', metric: 'request', count: -1 }])).rejects.toThrow(RangeError);
    await expect(store.record([{ at: MAR15, fromDomain: 'a|b.com', recipientDomain: 'b.com', metric: 'request' }])).rejects.toThrow(RangeError);
    await redis.hset(keys.stats('2026-03-15'), 'garbage', '9', 'a.com|b.com|constructor', '9', 'a.com|b.com|clicked', '2');
    expect((await store.report({ startDate: '2026-03-15', endDate: '2026-03-15' })).overall).toEqual({ ...empty('2026-03-15'), clickedCount: 2 });
  });

  it('enumerates dates across month and year ends', () => {
    expect(datesBetween('2025-12-30', '2026-01-02')).toEqual(['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02']);
    expect(datesBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(datesBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });
});
