import type { Reservation } from './shared-rate-limiter.ts';

/**
 * The limiter port a send uses: reserve a start slot, check the transport-wide pause right before
 * starting, and pause the transport after a throttling answer. Implementations: SharedRateLimiter
 * (a rate across every worker, in Redis) and UnlimitedRateLimiter (no rate, no reservation round
 * trip). Guarantees of every implementation: a granted slot is never before the moment `reserve`
 * was called; `pausedForMs` is 0 unless a `pause` of this transport is still running.
 */
export interface RateLimiter {
  /** Up to `wanted` consecutive start slots (see Reservation), or "come back after retryAfterMs". */
  reserve(wanted?: number): Promise<Reservation>;
  /** Milliseconds left of a transport-wide pause (0 when none). */
  pausedForMs(): Promise<number>;
  /** Blocks every slot for at least `delayMs` (after a throttling answer). */
  pause(delayMs: number): Promise<void>;
  /** The clock slots are placed on (Reservation.firstSlotAtMs). */
  nowMs(): number;
  /** A send that could not start within this many ms after its slot gives it up and reserves another. */
  readonly lateToleranceMs: number;
}
