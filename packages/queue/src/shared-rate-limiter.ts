import type { Keys, RedisClient } from '@postmill/store';

// Sliding-window log over Redis's own clock (TIME), so every worker process shares one clock and
// one budget. A start is admitted iff fewer than `limit` starts happened in the last `window` ms.
// KEYS[1] log (ZSET), KEYS[2] pause flag; both share the `{prefix}` tag (Cluster-safe).
// ARGV: limit, windowMs, member, nowMs ('' = use TIME). Returns 0 when admitted, else ms to wait.
const ACQUIRE = `
local now
if ARGV[4] ~= '' then now = tonumber(ARGV[4]) else
  local t = redis.call('TIME'); now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return wait
`;

// Extends the pause to at least ARGV[1] ms (a shorter pause never cuts a longer one).
const PAUSE = `
local cur = redis.call('PTTL', KEYS[1])
if cur < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1
`;

export interface SharedRateLimiterOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Limiter identity; one budget per transport. */
  readonly name: string;
  /** Provider requests allowed to start in any window. Default 20 (Tencent's per-action limit). */
  readonly ratePerSecond: number;
  /** Window length. Default 1000. */
  readonly windowMs?: number;
  /**
   * Extra width added to the window so that requests admitted just over a window apart still
   * ARRIVE at the provider at most `ratePerSecond` per window despite network/event-loop jitter
   * between admission and arrival. Default 15 ms (costs ≈1.5 % of throughput).
   */
  readonly marginMs?: number;
}

let sequence = 0;

/**
 * A rate limiter shared by every process on one Redis. Guarantees: at most `ratePerSecond`
 * admissions in ANY window of `windowMs + marginMs` (a sliding log, not BullMQ's fixed window,
 * which admits up to twice the limit across a window edge); a transport-wide pause blocks all
 * admissions until it ends.
 */
export class SharedRateLimiter {
  private readonly windowMs: number;
  private readonly member = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  constructor(private readonly o: SharedRateLimiterOptions) {
    this.windowMs = (o.windowMs ?? 1000) + (o.marginMs ?? 15);
    if (!(o.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
  }

  /** 0 when a request may start now (and it is counted), otherwise the ms to wait before asking again. */
  async tryAcquire(nowMs?: number): Promise<number> {
    const res = await this.o.redis.eval(
      ACQUIRE,
      2,
      this.o.keys.limiterLog(this.o.name),
      this.o.keys.limiterPause(this.o.name),
      String(this.o.ratePerSecond),
      String(this.windowMs),
      `${this.member}-${++sequence}`,
      nowMs === undefined ? '' : String(nowMs),
    );
    return Number(res);
  }

  /** Blocks every admission for at least `delayMs` (after a throttling answer). */
  async pause(delayMs: number): Promise<void> {
    await this.o.redis.eval(PAUSE, 1, this.o.keys.limiterPause(this.o.name), String(Math.max(1, Math.round(delayMs))));
  }
}
