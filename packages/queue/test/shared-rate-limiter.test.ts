import { createKeys, createRedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Reservation, SharedRateLimiter } from '../src/shared-rate-limiter.ts';

// Time is injected (the `nowMs` argument replaces Redis TIME), so no test sleeps.
describe('SharedRateLimiter (real Redis, injected clock)', () => {
  const redis = createRedisClient({ url: inject('redisUrl') });
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await deleteKeysWithPrefix(redis, p);
    await redis.quit();
  });
  function limiter(rate: number, options: { marginMs?: number; horizonMs?: number } = {}, prefix = uniquePrefix('limiter')) {
    prefixes.push(prefix);
    return new SharedRateLimiter({ redis, keys: createKeys(prefix), name: 'smtp', ratePerSecond: rate, ...options });
  }
  const slotOf = (r: Reservation, now: number) => {
    if (!r.ok) throw new Error('not granted');
    return now + r.firstDelayMs;
  };

  it('answers sends that ask about a pause at the same moment with one round trip, and sees a pause set since', async () => {
    const l = limiter(20);
    let reads = 0;
    const pttl = redis.pttl.bind(redis);
    redis.pttl = ((key: string) => {
      reads++;
      return pttl(key);
    }) as typeof redis.pttl;
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => l.pausedForMs()));
      expect(answers.every((ms) => ms === 0)).toBe(true);
      expect(reads).toBe(1);
      await l.pause(5000);
      expect(await l.pausedForMs()).toBeGreaterThan(4000);
      expect(reads).toBe(2);
    } finally {
      redis.pttl = pttl;
    }
  });

  it('hands out start slots evenly spaced (1000 + margin) / rate ms apart', async () => {
    const l = limiter(20, { marginMs: 20 });
    const t = 1_000_000;
    const slots: number[] = [];
    for (let i = 0; i < 5; i++) slots.push(slotOf(await l.reserve(1, t), t));
    expect(slots).toEqual([t, t + 51, t + 102, t + 153, t + 204]);
  });

  it('never lets more than the rate start in ANY one-second window, whatever the callers do', async () => {
    const l = limiter(20, { marginMs: 0 });
    const starts: number[] = [];
    // Many callers hammering every 7 ms for 5 s, each taking the slot it is given.
    for (let t = 0; t < 5000; t += 7) {
      const r = await l.reserve(3, 5_000_000 + t);
      if (r.ok) for (let i = 0; i < r.granted; i++) starts.push(t + r.firstDelayMs + i * r.spacingMs);
    }
    starts.sort((a, b) => a - b);
    let maxInWindow = 0;
    for (const s of starts) maxInWindow = Math.max(maxInWindow, starts.filter((x) => x >= s && x < s + 1000).length);
    expect(maxInWindow).toBe(20);
  });

  it('grants several slots at once within the horizon and tells the rest when to come back', async () => {
    const l = limiter(10, { marginMs: 0, horizonMs: 300 });
    const t = 7_000_000;
    expect(await l.reserve(50, t)).toEqual({ ok: true, granted: 4, firstDelayMs: 0, spacingMs: 100 });
    expect(await l.reserve(1, t)).toEqual({ ok: false, retryAfterMs: 100 });
    expect(await l.reserve(1, t + 100)).toEqual({ ok: true, granted: 1, firstDelayMs: 300, spacingMs: 100 });
  });

  it('shares one schedule between limiter instances, as separate worker processes do', async () => {
    const prefix = uniquePrefix('limiter');
    const a = limiter(10, { marginMs: 0 }, prefix);
    const b = limiter(10, { marginMs: 0 }, prefix);
    const t = 20_000_000;
    const slots = await Promise.all([a, b, a, b].map((l) => l.reserve(1, t)));
    expect(slots.map((r) => slotOf(r, t)).sort((x, y) => x - y)).toEqual([t, t + 100, t + 200, t + 300]);
  });

  it('pushes every slot past a transport-wide pause, and a shorter pause never cuts a longer one', async () => {
    const l = limiter(100);
    await l.pause(60_000);
    await l.pause(10);
    const r = await l.reserve(1);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.retryAfterMs).toBeGreaterThan(48_000); // 60 s pause minus the 10 s reservation horizon
  });
});
