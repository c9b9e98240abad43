import type { SharedRateLimiter } from '../shared-rate-limiter.ts';

/**
 * The next send's start slot (wait `delayMs`, then send; negative when the slot already passed, so
 * the wait reports the send late), or the limiter's "come back later".
 */
export type SlotTicket = { readonly ok: true; readonly delayMs: number } | { readonly ok: false; readonly retryAfterMs: number };

type Waiter = { resolve(ticket: SlotTicket): void; reject(err: unknown): void };

/**
 * Limiter slots for the sends of one chunk, reserved together for the sends that ask at the same
 * time (group reservation). Guarantees:
 * - every send gets its own slot from the shared limiter, so the rate across all workers holds as
 *   with one reservation per send (slots of one reservation are `spacingMs` apart);
 * - a reservation is sent at the end of the current turn of the event loop (setImmediate, not a
 *   timer) when none of this chunk is in flight, otherwise the moment the one in flight returns,
 *   for every send that asked meanwhile: sends that became ready together (a whole chunk, with a
 *   local transport) share one round trip, and no slot is reserved for a send that is not ready to
 *   use it (so none goes stale and none is taken from other workers in vain);
 * - a slot's delay is measured from where the limiter placed it on this process's clock (never
 *   before its true time, at most its placementToleranceMs after), at the moment the ticket is
 *   handed out, so a send never starts before its slot, and one whose slot passed while the
 *   reservation's answer waited to be read is told so (a negative delay) instead of starting late;
 * - when the limiter grants fewer slots than asked (its horizon is full), the rest ask again at
 *   once, and those it refuses are told when to come back (the chunk then throttles).
 */
export class ChunkSlots {
  private waiting: Waiter[] = [];
  private running = false;

  constructor(private readonly limiter: SharedRateLimiter) {}

  take(): Promise<SlotTicket> {
    return new Promise<SlotTicket>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        let slot: Awaited<ReturnType<SharedRateLimiter['reserve']>>;
        try {
          slot = await this.limiter.reserve(batch.length);
        } catch (err) {
          for (const w of batch) w.reject(err);
          continue;
        }
        if (!slot.ok) {
          for (const w of batch) w.resolve({ ok: false, retryAfterMs: slot.retryAfterMs });
          continue;
        }
        batch.forEach((w, k) => {
          if (k >= slot.granted) return;
          w.resolve({ ok: true, delayMs: slot.firstSlotAtMs + k * slot.spacingMs - this.limiter.nowMs() });
        });
        // Not granted (the horizon was full): first in line for the next reservation.
        if (slot.granted < batch.length) this.waiting.unshift(...batch.slice(slot.granted));
      }
    } finally {
      this.running = false;
    }
  }
}
