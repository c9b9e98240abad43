import { ManualClock, systemClock } from '@postmill/core';
import { createKeys, createRedisClient, DomainHoldStore, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const T0 = 1_700_000_000_000;

describe('DomainHoldStore', () => {
  let redis: RedisClient;
  let prefix: string;
  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('holds');
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('only ever extends a hold, and reads an ended hold as absent (domains compared case-insensitively)', async () => {
    const clock = new ManualClock(T0);
    const holds = new DomainHoldStore({ redis, keys: createKeys(prefix), clock });
    await holds.hold('Blocked.Example', T0 + 10_000);
    await holds.hold('blocked.example', T0 + 5_000);
    expect(await holds.holdsFor(['BLOCKED.example', 'free.example'])).toEqual(new Map([['blocked.example', T0 + 10_000]]));
    clock.advance(10_000);
    expect(await holds.holdsFor(['blocked.example'])).toEqual(new Map());
  });

  it('drops every ended hold when a new one is written and keeps the key only until the latest hold ends', async () => {
    const clock = new ManualClock(T0);
    const keys = createKeys(prefix);
    const holds = new DomainHoldStore({ redis, keys, clock });
    await holds.hold('a.example', T0 + 100);
    await holds.hold('b.example', T0 + 60_000);
    clock.advance(200);
    await holds.hold('c.example', T0 + 10_000);
    expect(await redis.hgetall(keys.domainHolds)).toEqual({ 'b.example': String(T0 + 60_000), 'c.example': String(T0 + 10_000) });
    const pttl = await redis.pttl(keys.domainHolds);
    expect(pttl).toBeGreaterThan(60_000 - 200 - 1_000);
    expect(pttl).toBeLessThanOrEqual(60_000 - 200);
  });

  it('lets the holds key expire in Redis once its last hold ended', async () => {
    const keys = createKeys(prefix);
    const holds = new DomainHoldStore({ redis, keys, clock: systemClock });
    await holds.hold('short.example', Date.now() + 200);
    const pttl = await redis.pttl(keys.domainHolds);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(200);
    await new Promise((r) => setTimeout(r, 350));
    expect(await redis.exists(keys.domainHolds)).toBe(0);
    expect(await holds.holdsFor(['short.example'])).toEqual(new Map());
  });
});
