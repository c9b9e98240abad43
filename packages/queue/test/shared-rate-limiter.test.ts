import { createKeys, createRedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Reservation, SharedRateLimiter, type SharedRateLimiterOptions } from '../src/shared-rate-limiter.ts';

// Time is injected (Redis's clock and this process's), so no test sleeps.
describe('SharedRateLimiter (real Redis, injected clock)', () => {
  const redis = createRedisClient({ url: inject('redisUrl') });
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await deleteKeysWithPrefix(redis, p);
    await redis.quit();
  });
  /**
   * Injected clocks: Redis's clock runs at the same rate as this process's and reads
   * `redisOffsetMs` ahead of it; `local` only moves when a test moves it (or a lagging Redis does).
   */
  function clocks(redisOffsetMs = 5_000_000) {
    const c = { local: 0, redisMs: () => redisOffsetMs + c.local, localMs: () => c.local };
    return c;
  }
  function limiter(rate: number, options: Partial<SharedRateLimiterOptions> = {}, prefix = uniquePrefix('limiter')) {
    prefixes.push(prefix);
    return new SharedRateLimiter({ redis, keys: createKeys(prefix), name: 'smtp', ratePerSecond: rate, ...options });
  }
  /**
   * The shared client, except that each EVAL's answer is read `lagsMs[i]` ms late on `clock`
   * (then 0): the script runs when sent, and the event loop gets to its answer later.
   */
  function laggingRedis(clock: { local: number }, lagsMs: number[]) {
    const evals: number[] = [];
    const client = new Proxy(redis, {
      get(target, prop) {
        if (prop === 'eval') {
          return async (...args: Parameters<typeof redis.eval>) => {
            evals.push(clock.local);
            const answer = await target.eval(...args);
            clock.local += lagsMs.shift() ?? 0;
            return answer;
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return { client, evals };
  }
  const slotOf = (r: Reservation) => {
    if (!r.ok) throw new Error('not granted');
    return r.firstSlotAtMs;
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
    const clock = clocks();
    const l = limiter(20, { marginMs: 20, clocks: clock });
    const slots: number[] = [];
    for (let i = 0; i < 5; i++) slots.push(slotOf(await l.reserve(1)));
    expect(slots).toEqual([0, 51, 102, 153, 204]);
  });

  it('never lets more than the rate start in ANY one-second window, whatever the callers do', async () => {
    const clock = clocks();
    const l = limiter(20, { marginMs: 0, clocks: clock });
    const starts: number[] = [];
    // Many callers hammering every 7 ms for 5 s, each taking the slot it is given.
    for (clock.local = 0; clock.local < 5000; clock.local += 7) {
      const r = await l.reserve(3);
      if (r.ok) for (let i = 0; i < r.granted; i++) starts.push(r.firstSlotAtMs + i * r.spacingMs);
    }
    starts.sort((a, b) => a - b);
    let maxInWindow = 0;
    for (const s of starts) maxInWindow = Math.max(maxInWindow, starts.filter((x) => x >= s && x < s + 1000).length);
    expect(maxInWindow).toBe(20);
  });

  it('grants several slots at once within the horizon and tells the rest when to come back', async () => {
    const clock = clocks();
    const l = limiter(10, { marginMs: 0, horizonMs: 300, clocks: clock });
    expect(await l.reserve(50)).toEqual({ ok: true, granted: 4, firstSlotAtMs: 0, firstDelayMs: 0, spacingMs: 100 });
    expect(await l.reserve(1)).toEqual({ ok: false, retryAfterMs: 100 });
    clock.local = 100;
    expect(await l.reserve(1)).toEqual({ ok: true, granted: 1, firstSlotAtMs: 400, firstDelayMs: 300, spacingMs: 100 });
  });

  it('shares one schedule between limiter instances, as separate worker processes do', async () => {
    const prefix = uniquePrefix('limiter');
    const clock = clocks();
    const a = limiter(10, { marginMs: 0, clocks: clock }, prefix);
    const b = limiter(10, { marginMs: 0, clocks: clock }, prefix);
    const slots = await Promise.all([a, b, a, b].map((l) => l.reserve(1)));
    expect(slots.map(slotOf).sort((x, y) => x - y)).toEqual([0, 100, 200, 300]);
  });

  it('places a slot whose answer was read 30 ms late by a fresh reading of Redis clock, on its true time instead of 30 ms after it', async () => {
    const prefix = uniquePrefix('limiter');
    const clock = clocks();
    // Worker A is punctual; worker B's event loop reads the reservation's answer 30 ms late and
    // the fresh clock reading 0.5 ms late (its first seconds: JIT, eight jobs composing at once).
    const a = limiter(20, { marginMs: 0, clocks: clock }, prefix);
    const lagging = laggingRedis(clock, [30, 0.5]);
    const b = limiter(20, { marginMs: 0, clocks: clock, redis: lagging.client }, prefix);
    expect(slotOf(await a.reserve(1))).toBe(0);
    const r = await b.reserve(1);
    // B's slot is 50 ms after A's on Redis's clock. Counted from when the answer was read, B
    // would start at 80, 30 ms late and undetected; placed by the reading it starts at 50.5.
    expect(r).toEqual({ ok: true, granted: 1, firstSlotAtMs: 50.5, firstDelayMs: 20, spacingMs: 50 });
    expect(lagging.evals).toEqual([0, 30]); // the reservation, then one clock reading
  });

  it('reports a slot that passed while its answer waited to be read as late (a negative delay), never as due now', async () => {
    const clock = clocks();
    const lagging = laggingRedis(clock, [0, 80, 0]);
    const l = limiter(20, { marginMs: 0, clocks: clock, redis: lagging.client });
    expect(slotOf(await l.reserve(1))).toBe(0);
    // The next slot is at 50; its answer is read at 80.
    expect(await l.reserve(1)).toEqual({ ok: true, granted: 1, firstSlotAtMs: 50, firstDelayMs: -30, spacingMs: 50 });
  });

  it('trusts an answer read within placementToleranceMs without another round trip', async () => {
    const clock = clocks();
    const lagging = laggingRedis(clock, [5]);
    const l = limiter(20, { marginMs: 0, clocks: clock, redis: lagging.client, placementToleranceMs: 5 });
    expect(await l.reserve(1)).toEqual({ ok: true, granted: 1, firstSlotAtMs: 5, firstDelayMs: 0, spacingMs: 50 });
    expect(lagging.evals).toEqual([0]);
  });

  it('grants nothing, and says to come back one spacing later, when no reading of the clock returns within placementToleranceMs', async () => {
    const clock = clocks();
    const lagging = laggingRedis(clock, [10, 10, 10, 10]);
    const l = limiter(20, { marginMs: 0, clocks: clock, redis: lagging.client, placementToleranceMs: 5 });
    expect(await l.reserve(1)).toEqual({ ok: false, retryAfterMs: 50 });
    expect(lagging.evals).toEqual([0, 10, 20, 30]); // the reservation and three clock readings
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
