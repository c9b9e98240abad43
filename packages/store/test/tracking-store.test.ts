import { addressKey } from '@postmill/core';
import { createKeys, createRedisClient, type Keys, type RedisClient, type TrackingHit, TrackingStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('TrackingStore', () => {
  let redis: RedisClient;
  let keys: Keys;
  let store: TrackingStore;
  const prefix = uniquePrefix('tracking');
  let seq = 0;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
    keys = createKeys(prefix);
    store = new TrackingStore({ redis, keys, retentionDays: 1 });
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('counts concurrent hits exactly: totals every hit, unique each recipient once per kind and source, first-hit flags once', async () => {
    const recipient = fc.constantFrom('a@x.example', 'B@x.example', 'b@x.example', 'c@y.example');
    const hit = fc.record({
      recipient,
      kind: fc.constantFrom('open' as const, 'click' as const),
      source: fc.constantFrom('human' as const, 'machine' as const),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(hit, { maxLength: 40 }), async (hits) => {
        const messageId = `m-${seq++}`;
        const answers = await Promise.all(hits.map((h) => store.record({ ...h, messageId, at: 1_000 } satisfies TrackingHit)));
        const counts = await store.counts(messageId);
        for (const [kind, source, field] of [
          ['open', 'human', 'opens'],
          ['click', 'human', 'clicks'],
          ['open', 'machine', 'machineOpens'],
          ['click', 'machine', 'machineClicks'],
        ] as const) {
          const mine = hits.filter((h) => h.kind === kind && h.source === source);
          // One mailbox however it is spelled (B@x and b@x are one, as everywhere in Postmill).
          const distinct = new Set(mine.map((h) => addressKey(h.recipient))).size;
          expect(counts[field]).toEqual({ total: mine.length, unique: distinct });
          const firsts = answers.filter((a, i) => a.first && hits[i]?.kind === kind && hits[i]?.source === source).length;
          expect(firsts).toBe(distinct);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('answers one recipient’s counts with the time of its first hit, and sets an expiry on the message’s counters', async () => {
    const messageId = `m-${seq++}`;
    await store.record({ messageId, recipient: 'a@x.example', kind: 'open', source: 'human', at: 5_000 });
    await store.record({ messageId, recipient: 'a@x.example', kind: 'open', source: 'human', at: 9_000 });
    expect(await store.counts(messageId, 'a@x.example')).toEqual({
      opens: { total: 2, unique: 1 },
      clicks: { total: 0, unique: 0 },
      machineOpens: { total: 0, unique: 0 },
      machineClicks: { total: 0, unique: 0 },
      firstOpenAt: 5_000,
    });
    const ttl = await redis.ttl(`${keys.prefix}:{tk:${messageId}}:tracking`);
    expect(ttl).toBeGreaterThan(86_000);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });
});
