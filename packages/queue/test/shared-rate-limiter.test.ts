import { createKeys, createRedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { SharedRateLimiter } from '../src/shared-rate-limiter.ts';

// Time is injected (the `nowMs` argument replaces Redis TIME), so no test sleeps.
describe('SharedRateLimiter (real Redis, injected clock)', () => {
  const redis = createRedisClient({ url: inject('redisUrl') });
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await deleteKeysWithPrefix(redis, p);
    await redis.quit();
  });
  function limiter(rate: number, marginMs = 0, prefix = uniquePrefix('limiter')) {
    prefixes.push(prefix);
    return new SharedRateLimiter({ redis, keys: createKeys(prefix), name: 'smtp', ratePerSecond: rate, marginMs });
  }

  it('admits exactly ratePerSecond starts in one window and says how long to wait for the next', async () => {
    const l = limiter(3);
    const t = 1_000_000;
    expect(await l.tryAcquire(t)).toBe(0);
    expect(await l.tryAcquire(t + 100)).toBe(0);
    expect(await l.tryAcquire(t + 200)).toBe(0);
    expect(await l.tryAcquire(t + 300)).toBe(700); // the oldest (t) leaves the window at t+1000
    expect(await l.tryAcquire(t + 999)).toBe(1);
    expect(await l.tryAcquire(t + 1000)).toBe(0);
  });

  it('never admits more than the rate in ANY window, unlike a fixed window at its edge', async () => {
    const l = limiter(5);
    const admitted: number[] = [];
    // A caller hammering every 10 ms for 3 s, straddling window edges.
    for (let t = 0; t < 3000; t += 10) if ((await l.tryAcquire(5_000_000 + t)) === 0) admitted.push(t);
    let maxInWindow = 0;
    for (const start of admitted) maxInWindow = Math.max(maxInWindow, admitted.filter((x) => x >= start && x < start + 1000).length);
    expect(maxInWindow).toBe(5);
    expect(admitted.length).toBe(15);
  });

  it('widens the window by marginMs so jitter between admission and arrival cannot exceed the rate', async () => {
    const l = limiter(2, 20);
    const t = 9_000_000;
    await l.tryAcquire(t);
    await l.tryAcquire(t);
    expect(await l.tryAcquire(t + 1000)).toBe(20);
    expect(await l.tryAcquire(t + 1020)).toBe(0);
  });

  it('shares one budget between limiter instances, as separate worker processes do', async () => {
    const prefix = uniquePrefix('limiter');
    const a = limiter(4, 0, prefix);
    const b = limiter(4, 0, prefix);
    const t = 20_000_000;
    const results = await Promise.all([a, b, a, b, a, b].map((l) => l.tryAcquire(t)));
    expect(results.filter((w) => w === 0)).toHaveLength(4);
  });

  it('blocks every admission during a transport-wide pause, and a shorter pause never cuts a longer one', async () => {
    const l = limiter(100);
    await l.pause(60_000);
    await l.pause(10);
    const wait = await l.tryAcquire();
    expect(wait).toBeGreaterThan(59_000);
  });
});
