import { TaskStatus } from '@postmill/core';
import type { ClaimAnswer } from '@postmill/store';

/** What one send's claim came to. */
export type ClaimOutcome =
  /** The index is this chunk's to send now (`sending` under its token). */
  | { readonly kind: 'claimed' }
  /** Nothing to send: the index is final, or deferred and not due. */
  | { readonly kind: 'skip' }
  /** Another chunk job holds the index's range under a live claim until `until` (ms). */
  | { readonly kind: 'busy'; readonly until: number }
  /** No send of this chunk may start: the task is paused (or otherwise not sending) or cancelled, the chunk superseded, the run gone. */
  | { readonly kind: 'refused'; readonly reason: 'paused' | 'cancelled' | 'superseded' | 'gone' };

/** One caller's indexes (a send group's), answered together. */
type Waiter = { indexes: readonly number[]; resolve(outcomes: ClaimOutcome[]): void; reject(err: unknown): void };

function outcomes(answer: ClaimAnswer, count: number): ClaimOutcome[] {
  if (answer.kind === 'ok') return answer.results.map((r): ClaimOutcome => ({ kind: r === 'claimed' ? 'claimed' : 'skip' }));
  if (answer.kind === 'busy') return Array.from({ length: count }, () => ({ kind: 'busy', until: answer.until }));
  const reason = answer.kind === 'not-sending' ? (answer.status === TaskStatus.Cancelled ? 'cancelled' : 'paused') : answer.kind;
  return Array.from({ length: count }, () => ({ kind: 'refused', reason }));
}

/**
 * Group commit of one chunk's claims (see TaskStore.claim). Guarantees:
 * - every claim is decided by Redis, atomically with the task's status and the run's generation;
 * - a claim is sent once the microtasks queued before it ran (the sends that became ready in the
 *   same turn) when none of this chunk is in flight, otherwise the moment the one in flight
 *   returns, with every claim asked meanwhile: sends that became ready together share one round
 *   trip, go out with the transport-pause look they ask at the same moment (one socket write), and
 *   nothing waits for a timer;
 * - claims are answered in the order asked; a failed round trip rejects exactly its own claims;
 * - `claimAll` asks a whole send group's indexes as one caller (one promise, not one per recipient).
 */
export class ClaimBatcher {
  private waiting: Waiter[] = [];
  private running = false;

  constructor(private readonly ask: (indexes: readonly number[]) => Promise<ClaimAnswer>) {}

  async claim(index: number): Promise<ClaimOutcome> {
    const [outcome] = await this.claimAll([index]);
    return outcome ?? { kind: 'skip' };
  }

  /** The outcomes of `indexes`' claims, in their order (taken in the same round trip as every claim asked in this turn). */
  claimAll(indexes: readonly number[]): Promise<ClaimOutcome[]> {
    return new Promise<ClaimOutcome[]>((resolve, reject) => {
      this.waiting.push({ indexes, resolve, reject });
      if (!this.running) {
        this.running = true;
        queueMicrotask(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        const indexes = batch.length === 1 ? (batch[0]?.indexes ?? []) : batch.flatMap((w) => w.indexes);
        let answer: ClaimAnswer;
        try {
          answer = await this.ask(indexes);
        } catch (err) {
          for (const w of batch) w.reject(err);
          continue;
        }
        const all = outcomes(answer, indexes.length);
        let at = 0;
        for (const w of batch) {
          const mine: ClaimOutcome[] = new Array(w.indexes.length);
          for (let k = 0; k < w.indexes.length; k++) mine[k] = all[at++] ?? { kind: 'skip' };
          w.resolve(mine);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
