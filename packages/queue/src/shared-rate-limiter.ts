import type { Keys, RedisClient } from '@postmill/store';

// A reservation scheduler (GCRA / "virtual scheduling") on Redis's own clock, shared by every
// process. Starts are handed out as evenly spaced slots `spacing` ms apart; KEYS[1] holds the
// next free slot (TAT), KEYS[2] a transport-wide pause. Both share the `{prefix}` tag.
// ARGV: spacingMs, horizonMs, wanted, nowMs ('' = Redis TIME).
// Returns {granted, firstDelayMs, retryAfterMs}: `granted` slots starting `firstDelayMs` from now,
// one every spacingMs; when none can be granted within the horizon, retryAfterMs says when to ask.
const RESERVE = `
local now
if ARGV[4] ~= '' then now = tonumber(ARGV[4]) else
  local t = redis.call('TIME'); now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000 end
local spacing = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local pause = redis.call('PTTL', KEYS[2])
if pause > 0 and now + pause > tat then tat = now + pause end
if tat < now then tat = now end
local room = math.floor((now + horizon - tat) / spacing) + 1
if room < 1 then return {0, 0, math.ceil(tat - now - horizon)} end
local granted = math.min(room, wanted)
redis.call('SET', KEYS[1], tostring(tat + granted * spacing), 'PX', math.ceil(tat + granted * spacing - now + horizon + 1000))
return {granted, tostring(tat - now), 0}
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
  /** Provider requests allowed to start per second. Default 20 (Tencent's per-action limit). */
  readonly ratePerSecond: number;
  /**
   * Extra milliseconds per second of slots, so that requests started exactly `1000/rate` apart
   * still ARRIVE at most `rate` per second despite jitter between start and arrival: slots are
   * `(1000 + marginMs) / rate` apart. Default 25 (≈ 2.4 % of throughput).
   */
  readonly marginMs?: number;
  /**
   * How far ahead a slot may be reserved; callers beyond it are told to come back. Default 10 000:
   * long enough that every job in flight (workers × concurrency) holds a slot and simply waits for
   * it, instead of bouncing through the queue (bounces cost CPU, and CPU load becomes start-time
   * jitter). Far below the job lock (30 s).
   */
  readonly horizonMs?: number;
  /**
   * A send that could not start within this many ms after its slot (CPU starvation, GC) gives
   * the slot up and reserves another, so starts stay within [slot, slot + lateToleranceMs] and the
   * margin still covers the jitter from start to arrival. Default 15 (below marginMs).
   */
  readonly lateToleranceMs?: number;
}

/** Slots granted by one reservation. */
export type Reservation =
  | { readonly ok: true; readonly granted: number; readonly firstDelayMs: number; readonly spacingMs: number }
  | { readonly ok: false; readonly retryAfterMs: number };

/**
 * A rate limiter shared by every process on one Redis. Guarantees: reserved start times are at
 * least `(1000 + marginMs) / ratePerSecond` ms apart across ALL callers, so no window of one
 * second contains more than `ratePerSecond` starts (BullMQ's fixed window admits up to twice the
 * limit around a window edge, and a sliding log admits bursts of `rate` at once, which jitter
 * turns into more than `rate` arrivals per second); a transport-wide pause pushes every slot
 * past its end. A reserved slot that is not used is simply lost (the rate only drops).
 */
export class SharedRateLimiter {
  readonly spacingMs: number;
  /** See SharedRateLimiterOptions.lateToleranceMs. */
  readonly lateToleranceMs: number;
  private readonly horizonMs: number;
  private pauseRead: Promise<number> | undefined;
  constructor(private readonly o: SharedRateLimiterOptions) {
    if (!(o.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
    this.spacingMs = (1000 + (o.marginMs ?? 25)) / o.ratePerSecond;
    this.horizonMs = o.horizonMs ?? 10_000;
    this.lateToleranceMs = o.lateToleranceMs ?? 15;
  }

  /** Reserves up to `wanted` consecutive slots. `nowMs` replaces Redis TIME (tests). */
  async reserve(wanted = 1, nowMs?: number): Promise<Reservation> {
    const res = (await this.o.redis.eval(
      RESERVE,
      2,
      this.o.keys.limiterLog(this.o.name),
      this.o.keys.limiterPause(this.o.name),
      String(this.spacingMs),
      String(this.horizonMs),
      String(Math.max(1, Math.floor(wanted))),
      nowMs === undefined ? '' : String(nowMs),
    )) as [number, string | number, number];
    const granted = Number(res[0]);
    if (granted === 0) return { ok: false, retryAfterMs: Math.max(1, Number(res[2])) };
    return { ok: true, granted, firstDelayMs: Math.max(0, Number(res[1])), spacingMs: this.spacingMs };
  }

  /**
   * Milliseconds left of a transport-wide pause (0 when none). Checked right before a reserved
   * slot is used, so a throttling answer also stops slots reserved before it. Calls made while one
   * is in flight share its answer (single flight): a chunk whose sends start together (the null
   * transport sends a whole chunk at once) costs one round trip, not one per recipient, and the
   * shared answer is at most one round trip older than the call.
   */
  pausedForMs(): Promise<number> {
    this.pauseRead ??= this.o.redis
      .pttl(this.o.keys.limiterPause(this.o.name))
      .then((ms) => Math.max(0, Number(ms)))
      .finally(() => {
        this.pauseRead = undefined;
      });
    return this.pauseRead;
  }

  /** Blocks every slot for at least `delayMs` (after a throttling answer). */
  async pause(delayMs: number): Promise<void> {
    await this.o.redis.eval(PAUSE, 1, this.o.keys.limiterPause(this.o.name), String(Math.max(1, Math.round(delayMs))));
  }
}
