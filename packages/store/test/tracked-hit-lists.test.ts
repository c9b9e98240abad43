import { createKeys, createRedisClient, datesBetween, type RedisClient, type TrackedHit, TrackedHitLists } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

// 2026-03-15 00:30 in Asia/Shanghai (16:30 UTC the day before); +71 h is 2026-03-17 23:30, the last of DATES.
const MAR15 = Date.UTC(2026, 2, 14, 16, 30, 0);
const HOUR = 3_600_000;
const DATES = datesBetween('2026-03-14', '2026-03-17');

describe('TrackedHitLists', () => {
  let redis: RedisClient;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });

  const withLists = async (run: (lists: TrackedHitLists) => Promise<void>) => {
    const prefix = uniquePrefix('hits');
    const lists = new TrackedHitLists({ redis, keys: createKeys(prefix), timeZone: 'Asia/Shanghai', ttlSeconds: 3600 });
    try {
      await run(lists);
    } finally {
      await deleteKeysWithPrefix(redis, prefix);
    }
  };

  it('lists a hit under its day in the zone and its recipient, narrowed by kind and tag, with the url of a click', async () => {
    await withLists(async (lists) => {
      const late: TrackedHit = { kind: 'open', recipient: 'Ann@Example.org', at: MAR15 - 31 * 60_000 }; // 23:59 on the 14th
      const click: TrackedHit = { kind: 'click', recipient: 'ann@example.org', at: MAR15, url: 'https://x.example/a', tag: 'promo' };
      await lists.append(late);
      await lists.append(click);
      const page = { start: 0, limit: 10 };
      expect(await lists.ofDays(['2026-03-14'], {}, page)).toEqual({ total: 1, hits: [late] });
      expect(await lists.ofDays(['2026-03-15'], { kind: 'click', tag: 'promo' }, page)).toEqual({ total: 1, hits: [click] });
      expect(await lists.ofDays(DATES, { kind: 'open', tag: 'promo' }, page)).toEqual({ total: 0, hits: [] });
      expect(await lists.ofRecipient('ANN@example.org', {}, page)).toEqual({ total: 2, hits: [late, click] });
      expect(await lists.ofRecipient('ann@example.org', { tag: 'promo' }, page)).toEqual({ total: 1, hits: [click] });
    });
  });

  it('answers a page across days exactly as slicing the days’ hits laid end to end, and the total of them all', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ hour: fc.integer({ min: 0, max: 71 }), kind: fc.constantFrom('open' as const, 'click' as const) }), { maxLength: 25 }),
        fc.nat({ max: 30 }),
        fc.nat({ max: 30 }),
        fc.constantFrom(undefined, 'open' as const, 'click' as const),
        async (spec, start, limit, kind) => {
          await withLists(async (lists) => {
            const hits = spec
              .map((s, i): TrackedHit => ({ kind: s.kind, recipient: `r${i}@example.org`, at: MAR15 + s.hour * HOUR }))
              .sort((a, b) => a.at - b.at);
            for (const h of hits) await lists.append(h);
            const selected = hits.filter((h) => kind === undefined || h.kind === kind);
            const page = await lists.ofDays(DATES, kind === undefined ? {} : { kind }, { start, limit });
            expect(page).toEqual({ total: selected.length, hits: selected.slice(start, start + limit) });
          });
        },
      ),
      { numRuns: 25 },
    );
  });
});
