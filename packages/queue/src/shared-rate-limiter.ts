import type { Keys, RedisClient } from '@postmill/store';

// A reservation scheduler (GCRA / "virtual scheduling") on Redis's own clock, shared by every
// process. Starts are handed out as evenly spaced slots `spacing` ms apart; KEYS[1] holds the
// next free slot (TAT), KEYS[2] a transport-wide pause. Both share the `{prefix}` tag.
// ARGV: spacingMs, horizonMs, wanted, nowMs ('' = Redis TIME).
// Returns {granted, firstDelayMs, retryAfterMs, nowMs}: `granted` slots starting `firstDelayMs`
// after `nowMs` (Redis's clock when the script ran), one every spacingMs; when none can be
// granted within the horizon, retryAfterMs says when to ask.
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
if room < 1 then return {0, 0, math.ceil(tat - now - horizon), tostring(now)} end
local granted = math.min(room, wanted)
redis.call('SET', KEYS[1], tostring(tat + granted * spacing), 'PX', math.ceil(tat + granted * spacing - now + horizon + 1000))
return {granted, tostring(tat - now), 0, tostring(now)}
`;

// Redis's clock (ms) on the node that holds KEYS[1]: a keyless TIME could be answered by another
// node of a cluster, whose clock is not the one the slots are on. ARGV[1]: nowMs ('' = TIME).
const CLOCK = `
if ARGV[1] ~= '' then return ARGV[1] end
local t = redis.call('TIME')
return tostring(tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000)
`;

/** Clock readings a reservation is placed with: a fresh one when the reservation's own round trip was slow. */
const MAX_CLOCK_READINGS = 3;

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
   * the slot up and reserves another, so starts stay within [slot, slot + lateToleranceMs +
   * placementToleranceMs] and the margin still covers the jitter from start to arrival.
   * Default 15 (with placementToleranceMs, below marginMs).
   */
  readonly lateToleranceMs?: number;
  /**
   * How far after its true time a slot may be placed on this process's clock. A slot is known
   * only between sending the reservation and reading its answer; when that round trip took longer
   * (a busy event loop, typically a worker's first seconds), the slot is placed again by a fresh
   * reading of Redis's clock, up to MAX_CLOCK_READINGS times. Default 5.
   */
  readonly placementToleranceMs?: number;
  /** Test clocks: `redisMs` replaces Redis TIME, `localMs` replaces performance.now(). Default the real ones. */
  readonly clocks?: { readonly redisMs?: () => number; readonly localMs?: () => number };
}

/**
 * Slots granted by one reservation. `firstSlotAtMs` is the first slot on this process's
 * performance.now() clock; `firstDelayMs` is the same slot measured from when `reserve` resolved,
 * and is negative when the slot had already passed by then (the caller is late: see
 * SharedRateLimiter.lateToleranceMs).
 */
export type Reservation =
  | {
      readonly ok: true;
      readonly granted: number;
      readonly firstSlotAtMs: number;
      readonly firstDelayMs: number;
      readonly spacingMs: number;
    }
  | { readonly ok: false; readonly retryAfterMs: number };

/** One look at Redis's clock: its reading, and when (on this process's clock) the look began and ended. */
interface ClockReading {
  readonly redisMs: number;
  readonly sentAt: number;
  readonly answeredAt: number;
}

/**
 * A rate limiter shared by every process on one Redis. Guarantees: reserved start times are at
 * least `(1000 + marginMs) / ratePerSecond` ms apart across ALL callers on Redis's clock, so no
 * window of one second contains more than `ratePerSecond` starts (BullMQ's fixed window admits up
 * to twice the limit around a window edge, and a sliding log admits bursts of `rate` at once, which
 * jitter turns into more than `rate` arrivals per second); each process places a granted slot on
 * its own clock never before its true time and at most `placementToleranceMs` after it, however
 * late the answer was read (else it grants nothing and says when to come back); a
 * transport-wide pause pushes every slot past its end. A reserved slot that is not used is simply
 * lost (the rate only drops).
 */
export class SharedRateLimiter {
  readonly spacingMs: number;
  /** See SharedRateLimiterOptions.lateToleranceMs. */
  readonly lateToleranceMs: number;
  /** See SharedRateLimiterOptions.placementToleranceMs. */
  readonly placementToleranceMs: number;
  private readonly horizonMs: number;
  private readonly localMs: () => number;
  private readonly redisMs: (() => number) | undefined;
  private pauseRead: Promise<number> | undefined;
  constructor(private readonly o: SharedRateLimiterOptions) {
    if (!(o.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
    this.spacingMs = (1000 + (o.marginMs ?? 25)) / o.ratePerSecond;
    this.horizonMs = o.horizonMs ?? 10_000;
    this.lateToleranceMs = o.lateToleranceMs ?? 15;
    this.placementToleranceMs = o.placementToleranceMs ?? 5;
    this.localMs = o.clocks?.localMs ?? (() => performance.now());
    this.redisMs = o.clocks?.redisMs;
  }

  /** This process's clock, the one `firstSlotAtMs` is on (performance.now() unless a test injects one). */
  nowMs(): number {
    return this.localMs();
  }

  /**
   * Reserves up to `wanted` consecutive slots and places them on this process's clock.
   *
   * Why placing matters: the script computes the slot on Redis's clock when it runs, somewhere
   * between sending and reading the answer. Measuring the delay from the moment the answer is
   * read never starts early, but a worker whose event loop is busy (its first seconds: JIT, eight
   * jobs composing at once) may read the answer tens of ms late and would then start every slot
   * of it that late, unnoticed, next to other workers' punctual slots.
   */
  async reserve(wanted = 1): Promise<Reservation> {
    const key = this.o.keys.limiterLog(this.o.name);
    const sentAt = this.localMs();
    const res = (await this.o.redis.eval(
      RESERVE,
      2,
      key,
      this.o.keys.limiterPause(this.o.name),
      String(this.spacingMs),
      String(this.horizonMs),
      String(Math.max(1, Math.floor(wanted))),
      this.redisMs ? String(this.redisMs()) : '',
    )) as [number, string | number, number, string];
    const answeredAt = this.localMs();
    const granted = Number(res[0]);
    if (granted === 0) return { ok: false, retryAfterMs: Math.max(1, Number(res[2])) };
    const redisMs = Number(res[3]);
    const slotAtMs = await this.place(redisMs + Number(res[1]), { redisMs, sentAt, answeredAt });
    // Never placed within tolerance: starting on these slots could be late by an unknown amount.
    if (slotAtMs === undefined) return { ok: false, retryAfterMs: Math.max(1, Math.ceil(this.spacingMs)) };
    return { ok: true, granted, firstSlotAtMs: slotAtMs, firstDelayMs: slotAtMs - this.localMs(), spacingMs: this.spacingMs };
  }

  /**
   * The local time of `slotRedisMs`, from the first reading whose round trip is within
   * placementToleranceMs (the answer's own, else fresh ones). Placed at the end of the round trip:
   * Redis read its clock before that, so the slot is never placed before its true time.
   */
  private async place(slotRedisMs: number, first: ClockReading): Promise<number | undefined> {
    let reading = first;
    for (let fresh = 0; reading.answeredAt - reading.sentAt > this.placementToleranceMs; fresh++) {
      if (fresh === MAX_CLOCK_READINGS) return undefined;
      const sentAt = this.localMs();
      const redisMs = Number(await this.o.redis.eval(CLOCK, 1, this.o.keys.limiterLog(this.o.name), this.redisMs ? String(this.redisMs()) : ''));
      reading = { redisMs, sentAt, answeredAt: this.localMs() };
    }
    return reading.answeredAt + (slotRedisMs - reading.redisMs);
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
