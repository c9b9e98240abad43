import { createKeys, createRedisClient, type RedisClient, StatisticsStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

// 2026-03-15 00:00 in Asia/Shanghai (16:00 UTC the day before).
const MAR15 = Date.UTC(2026, 2, 14, 16, 0, 0);
const MINUTE = 60_000;

describe('StatisticsStore hour counters', () => {
  let redis: RedisClient;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('counts each event in its hour of the day in the zone, per tag too, and reports only hours with mail, with the TTL of the day', async () => {
    const prefix = uniquePrefix('hours');
    const keys = createKeys(prefix);
    const store = new StatisticsStore({ redis, keys, timeZone: 'Asia/Shanghai' });
    try {
      await store.record([
        { at: MAR15 - MINUTE, fromDomain: 'a.com', recipientDomain: 'x.org', metric: 'request', count: 2 }, // 23:59 on the 14th
        { at: MAR15, fromDomain: 'a.com', recipientDomain: 'x.org', metric: 'request', count: 3, tag: 'promo' }, // 00:00
        { at: MAR15 + 59 * MINUTE, fromDomain: 'b.com', recipientDomain: 'y.org', metric: 'openedTotal', count: 4, tag: 'promo' }, // 00:59
        { at: MAR15 + 13 * 60 * MINUTE, fromDomain: 'a.com', recipientDomain: 'x.org', metric: 'clicked' }, // 13:00
      ]);
      const all = await store.hourReport(['2026-03-14', '2026-03-15']);
      expect(all.map((d) => ({ date: d.sendDate, hours: d.hours.map((h) => h.sendHour) }))).toEqual([
        { date: '2026-03-14', hours: [23] },
        { date: '2026-03-15', hours: [0, 13] },
      ]);
      expect(all[1]?.hours[0]?.volume).toMatchObject({ sendDate: '2026-03-15', requestCount: 3, openedTotalCount: 4, clickedCount: 0 });
      expect(all[1]?.hours[1]?.volume).toMatchObject({ requestCount: 0, clickedCount: 1 });
      const promo = await store.hourReport(['2026-03-15'], 'promo');
      expect(promo[0]?.hours).toEqual([{ sendHour: 0, volume: expect.objectContaining({ requestCount: 3, openedTotalCount: 4, clickedCount: 0 }) }]);
      expect(await store.hourReport(['2026-03-15'], 'other')).toEqual([{ sendDate: '2026-03-15', hours: [] }]);
      expect(await redis.ttl(`${keys.stats('2026-03-15')}:hour`)).toBeGreaterThan(90 * 86_400);
    } finally {
      await deleteKeysWithPrefix(redis, prefix);
    }
  });
});
