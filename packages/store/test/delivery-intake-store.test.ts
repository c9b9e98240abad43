import { createKeys, createRedisClient, DeliveryIntakeStore, type Keys, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('DeliveryIntakeStore', () => {
  let redis: RedisClient;
  let blocking: RedisClient;
  let prefix: string;
  let keys: Keys;
  let intake: DeliveryIntakeStore;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
    blocking = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await Promise.all([redis.quit(), blocking.quit()]);
  });
  beforeEach(() => {
    prefix = uniquePrefix('intake');
    keys = createKeys(prefix);
    intake = new DeliveryIntakeStore({ redis, keys });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  const claimed = () => redis.lrange(keys.deliveryIntakeClaimed, 0, -1);
  const waiting = () => redis.lrange(keys.deliveryIntake, 0, -1);

  it('hands ids out oldest first in batches, and drops only the ones acknowledged', async () => {
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) await intake.push(id);
    expect(await intake.pending()).toBe(5);
    expect(await intake.tryAcquire('A', 5000)).toBe(true);
    expect(await intake.claim('A', 2, 5000)).toEqual(['m1', 'm2']);
    expect(await waiting()).toEqual(['m3', 'm4', 'm5']);
    // Not acknowledged yet: the same ids come back (a pump that failed to queue them tries again).
    expect(await intake.claim('A', 2, 5000)).toEqual(['m1', 'm2']);
    expect(await intake.ack('A', 2, 5000)).toBe(true);
    expect(await intake.claim('A', 2, 5000)).toEqual(['m3', 'm4']);
    expect(await intake.ack('A', 2, 5000)).toBe(true);
    expect(await intake.claim('A', 2, 5000)).toEqual(['m5']);
    expect(await intake.ack('A', 1, 5000)).toBe(true);
    expect(await intake.claim('A', 2, 5000)).toEqual([]);
    expect(await intake.pending()).toBe(0);
  });

  it('gives the lease to one holder at a time, renews it on every claim and frees it on release by its holder only', async () => {
    expect(await intake.tryAcquire('A', 300)).toBe(true);
    expect(await intake.tryAcquire('B', 300)).toBe(false);
    expect(await intake.claim('B', 10, 300)).toBeUndefined();
    expect(await intake.claim('A', 10, 60_000)).toEqual([]);
    expect(await redis.pttl(keys.deliveryIntakeLease)).toBeGreaterThan(30_000);
    await intake.release('B');
    expect(await intake.tryAcquire('B', 300)).toBe(false);
    await intake.release('A');
    expect(await intake.tryAcquire('B', 300)).toBe(true);
  });

  it('refuses a pump that lost its lease: it can neither take nor drop ids', async () => {
    for (const id of ['m1', 'm2']) await intake.push(id);
    expect(await intake.tryAcquire('A', 5000)).toBe(true);
    expect(await intake.claim('A', 10, 5000)).toEqual(['m1', 'm2']);
    // A stalled past its lease; B took over.
    await redis.set(keys.deliveryIntakeLease, 'B', 'PX', 5000);
    expect(await intake.ack('A', 2, 5000)).toBe(false);
    expect(await claimed()).toEqual(['m1', 'm2']);
    expect(await intake.claim('A', 10, 5000)).toBeUndefined();
    // B finds A's claimed ids and queues them.
    expect(await intake.claim('B', 10, 5000)).toEqual(['m1', 'm2']);
    expect(await intake.ack('B', 2, 5000)).toBe(true);
    expect(await intake.pending()).toBe(0);
  });

  it('keeps an id that a blocking wait moved behind the ones being queued', async () => {
    for (const id of ['m1', 'm2']) await intake.push(id);
    expect(await intake.tryAcquire('A', 5000)).toBe(true);
    expect(await intake.claim('A', 10, 5000)).toEqual(['m1', 'm2']);
    await intake.push('m3');
    // Another (stale) pump's wait moves m3 into the claimed list while A queues m1 and m2.
    expect(await intake.waitForWork(blocking, 1)).toBe(true);
    expect(await intake.ack('A', 2, 5000)).toBe(true);
    expect(await claimed()).toEqual(['m3']);
    expect(await intake.claim('A', 10, 5000)).toEqual(['m3']);
  });

  it('waits until an id arrives, or answers false after the timeout', async () => {
    const startedAt = performance.now();
    const waited = intake.waitForWork(blocking, 5);
    await new Promise((r) => setTimeout(r, 100));
    await intake.push('m1');
    expect(await waited).toBe(true);
    expect(performance.now() - startedAt).toBeLessThan(2000);
    expect(await claimed()).toEqual(['m1']);
    expect(await intake.waitForWork(blocking, 0.1)).toBe(false);
  });
});
