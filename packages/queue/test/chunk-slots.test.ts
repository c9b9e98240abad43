import { createKeys, createRedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ChunkSlots, type SlotTicket } from '../src/campaign/chunk-slots.ts';
import { SharedRateLimiter, type SharedRateLimiterOptions } from '../src/shared-rate-limiter.ts';

describe('ChunkSlots (real Redis, real limiter)', () => {
  const redis = createRedisClient({ url: inject('redisUrl') });
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await deleteKeysWithPrefix(redis, p);
    await redis.quit();
  });
  /** A real limiter whose reservations are counted (how many round trips, how many slots asked). */
  function countedLimiter(rate: number, options: Partial<SharedRateLimiterOptions> = {}) {
    const prefix = uniquePrefix('slots');
    prefixes.push(prefix);
    const limiter = new SharedRateLimiter({ redis, keys: createKeys(prefix), name: 'null', ratePerSecond: rate, ...options });
    const asked: number[] = [];
    const reserve = limiter.reserve.bind(limiter);
    limiter.reserve = (wanted = 1) => {
      asked.push(wanted);
      return reserve(wanted);
    };
    return { limiter, asked };
  }
  const delays = (tickets: SlotTicket[]) => tickets.map((t) => (t.ok ? t.delayMs : Number.NaN));

  it('reserves the slots of sends that ask together in one limiter round trip', async () => {
    const { limiter, asked } = countedLimiter(1_000_000_000);
    const slots = new ChunkSlots(limiter);
    const tickets = await Promise.all(Array.from({ length: 50 }, () => slots.take()));
    expect(asked).toEqual([50]);
    expect(tickets.every((t) => t.ok && t.delayMs < 50)).toBe(true);
  });

  it('gives every send its own slot, spacingMs apart, across reservations made while one was in flight', async () => {
    const { limiter, asked } = countedLimiter(10, { marginMs: 0 });
    const slots = new ChunkSlots(limiter);
    const first = await Promise.all([slots.take(), slots.take(), slots.take()]);
    const d = delays(first);
    expect(d[1]! - d[0]!).toBeCloseTo(100, 0);
    expect(d[2]! - d[1]!).toBeCloseTo(100, 0);
    const next = await slots.take();
    // The fourth slot comes after the third (about 300 ms after the first), never on top of it.
    expect(next.ok && next.delayMs).toBeGreaterThan(d[2]! + 50);
    expect(asked).toEqual([3, 1]);
  });

  it('asks again at once for sends the limiter could not fit, and tells those it refuses when to come back', async () => {
    const { limiter, asked } = countedLimiter(2, { marginMs: 0, horizonMs: 1000 });
    const slots = new ChunkSlots(limiter);
    const tickets = await Promise.all(Array.from({ length: 5 }, () => slots.take()));
    expect(tickets.filter((t) => t.ok)).toHaveLength(3); // now, +500 ms, +1000 ms (the horizon)
    expect(tickets.filter((t) => !t.ok).every((t) => !t.ok && t.retryAfterMs > 0)).toBe(true);
    expect(asked).toEqual([5, 2]);
  });

  it('hands out a negative delay for a slot that passed while the answer waited to be read, so that send is reported late instead of started late', async () => {
    // Injected clocks: Redis's runs with this process's; every answer but the second is read at once.
    const clock = { local: 0 };
    const lags = [0, 80, 0];
    const lagging = new Proxy(redis, {
      get(target, prop) {
        if (prop === 'eval') {
          return async (...args: Parameters<typeof redis.eval>) => {
            const answer = await target.eval(...args);
            clock.local += lags.shift() ?? 0;
            return answer;
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { limiter } = countedLimiter(20, {
      marginMs: 0,
      redis: lagging,
      clocks: { redisMs: () => 9_000_000 + clock.local, localMs: () => clock.local },
    });
    const slots = new ChunkSlots(limiter);
    expect(delays([await slots.take()])).toEqual([0]);
    // Slots at 50 and 100 on Redis's clock; the answer is read at 80.
    expect(delays(await Promise.all([slots.take(), slots.take()]))).toEqual([-30, 20]);
  });
});
