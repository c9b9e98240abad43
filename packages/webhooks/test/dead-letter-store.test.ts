import { createKeys, createRedisClient, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DeadLetter, DeadLetterStore } from '../src/index.ts';
import { testEvent } from './harness.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

function letter(deliveryId: string, failedAt: number): DeadLetter {
  return {
    deliveryId,
    event: testEvent(),
    endpoint: { vendor: 'sendcloud', url: 'http://h.example/x' },
    attempts: 6,
    lastError: 'timeout',
    failedAt,
    replays: 0,
  };
}

describe('DeadLetterStore', () => {
  let redis: RedisClient;
  const prefix = uniquePrefix('whdead');
  const keys = createKeys(prefix);

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('hands a letter to exactly one of any number of concurrent takers', async () => {
    const store = new DeadLetterStore({ redis, keys });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 12 }), fc.nat(), async (takers, n) => {
        const id = `wh-take-${n}-${takers}`;
        await store.add(letter(id, 1000));
        const got = await Promise.all(Array.from({ length: takers }, () => store.take(id)));
        expect(got.filter(Boolean)).toHaveLength(1);
        expect(await store.get(id)).toBeUndefined();
      }),
      { numRuns: 25 },
    );
  });

  it('lists one page newest first with the total, keeps one letter per delivery id, and drops letters past the retention as new ones arrive', async () => {
    const store = new DeadLetterStore({ redis, keys: createKeys(`${prefix}-page`), retentionMs: 10_000 });
    for (let i = 0; i < 5; i++) await store.add(letter(`wh-${i}`, 100_000 + i));
    await store.add({ ...letter('wh-2', 100_010), attempts: 7 });
    const page = await store.list({ offset: 0, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.letters.map((l) => l.deliveryId)).toEqual(['wh-2', 'wh-4']);
    expect(page.letters[0]?.attempts).toBe(7);
    await store.add(letter('wh-late', 110_004));
    expect((await store.list({ limit: 10 })).letters.map((l) => l.deliveryId)).toEqual(['wh-late', 'wh-2', 'wh-4']);
    await deleteKeysWithPrefix(redis, `${prefix}-page`);
  });
});
