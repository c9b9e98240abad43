import { createKeys, createRedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { SharedRateLimiter } from '../src/shared-rate-limiter.ts';
import { UnlimitedRateLimiter } from '../src/unlimited-rate-limiter.ts';

describe('UnlimitedRateLimiter', () => {
  const redis = createRedisClient({ url: inject('redisUrl') });
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await deleteKeysWithPrefix(redis, p);
    await redis.quit();
  });

  it('grants every slot asked for, starting now and 0 ms apart, and never gives a slot up for lateness', async () => {
    let now = 1234;
    const limiter = new UnlimitedRateLimiter({ localMs: () => now });
    expect(await limiter.reserve(50)).toEqual({ ok: true, granted: 50, firstSlotAtMs: 1234, firstDelayMs: 0, spacingMs: 0 });
    now = 99_999;
    expect(await limiter.reserve()).toEqual({ ok: true, granted: 1, firstSlotAtMs: 99_999, firstDelayMs: 0, spacingMs: 0 });
    expect(limiter.nowMs()).toBe(99_999);
    expect(limiter.lateToleranceMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('without a pause store (outbox, null) reads no pause and records none', async () => {
    const limiter = new UnlimitedRateLimiter();
    await limiter.pause(5000);
    expect(await limiter.pausedForMs()).toBe(0);
  });

  it("with a pause store shares the transport's pauses with every worker: a pause set through it is seen by a rate-limited worker, and the other way round", async () => {
    const prefix = uniquePrefix('unlimited');
    prefixes.push(prefix);
    const keys = createKeys(prefix);
    const shared = () => new SharedRateLimiter({ redis, keys, name: 'smtp', ratePerSecond: 20 });
    const unlimited = new UnlimitedRateLimiter({ pauses: shared() });
    const other = shared();
    expect(await unlimited.pausedForMs()).toBe(0);
    await unlimited.pause(60_000);
    expect(await other.pausedForMs()).toBeGreaterThan(59_000);
    const reservation = await other.reserve(1);
    expect(reservation.ok ? reservation.firstDelayMs : reservation.retryAfterMs).toBeGreaterThan(49_000);
    await redis.del(keys.limiterPause('smtp'));
    await other.pause(30_000);
    const left = await unlimited.pausedForMs();
    expect(left).toBeGreaterThan(29_000);
    expect(left).toBeLessThanOrEqual(30_000);
    // Reservations still cost nothing and grant at once: the pause is checked before each start.
    expect(await unlimited.reserve(3)).toMatchObject({ ok: true, granted: 3, firstDelayMs: 0 });
  });
});
