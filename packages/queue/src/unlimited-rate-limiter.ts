import type { RateLimiter } from './rate-limiter.ts';
import type { Reservation } from './shared-rate-limiter.ts';

/** Options of UnlimitedRateLimiter; every field documents its default. */
export interface UnlimitedRateLimiterOptions {
  /**
   * Where transport-wide pauses live, for a transport whose provider can still throttle (SMTP or
   * Tencent SES with the rate limit turned off): a SharedRateLimiter of the same transport, so a
   * throttling answer pauses every worker exactly as with a rate. Default none: for the outbox and
   * the null transport, which never answer with throttling; `pause` then has nothing to slow down
   * for and records nothing, and `pausedForMs` is 0 without asking Redis.
   */
  readonly pauses?: Pick<RateLimiter, 'pause' | 'pausedForMs'>;
  /** Test clock replacing performance.now(). Default the real one. */
  readonly localMs?: () => number;
}

/**
 * A limiter that grants every slot at once. Guarantees: `reserve(n)` grants all `n` slots, starting
 * now, 0 ms apart, with no Redis command at all (the processors' per-send reservation costs
 * nothing); a slot is never given up for being late (`lateToleranceMs` is infinite: there is no
 * spacing for a late start to crowd); pauses behave as the `pauses` option says.
 */
export class UnlimitedRateLimiter implements RateLimiter {
  readonly lateToleranceMs = Number.POSITIVE_INFINITY;
  private readonly localMs: () => number;
  constructor(private readonly o: UnlimitedRateLimiterOptions = {}) {
    this.localMs = o.localMs ?? (() => performance.now());
  }

  nowMs(): number {
    return this.localMs();
  }

  async reserve(wanted = 1): Promise<Reservation> {
    return { ok: true, granted: Math.max(1, Math.floor(wanted)), firstSlotAtMs: this.localMs(), firstDelayMs: 0, spacingMs: 0 };
  }

  pausedForMs(): Promise<number> {
    return this.o.pauses ? this.o.pauses.pausedForMs() : Promise.resolve(0);
  }

  async pause(delayMs: number): Promise<void> {
    await this.o.pauses?.pause(delayMs);
  }
}
