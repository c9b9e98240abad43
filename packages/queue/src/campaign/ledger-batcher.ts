import type { LedgerChange } from '@postmill/store';

/**
 * Group commit of one chunk's ledger changes. Guarantees:
 * - a change is sent to Redis at once when no write of this chunk is in flight, otherwise by the
 *   write that starts the moment the one in flight returns: nothing ever waits for a timer or for
 *   other sends, so a state is recorded at most one write later than one write per change would;
 * - `write` resolves only when the Redis write holding these changes succeeded (and rejects when
 *   it failed), so a caller that awaits it knows its recipients' states are durable;
 * - changes are written in the order they were added, one write at a time.
 * Under load this folds the states of sends that answered together into one ledger script call.
 */
export function ledgerBatcher(flush: (changes: readonly LedgerChange[]) => Promise<void>): (changes: readonly LedgerChange[]) => Promise<void> {
  let queued: LedgerChange[] = [];
  let next: Promise<void> | undefined;
  let tail: Promise<void> = Promise.resolve();
  return (changes) => {
    if (changes.length === 0) return Promise.resolve();
    queued.push(...changes);
    if (!next) {
      const run = () => {
        const batch = queued;
        queued = [];
        next = undefined;
        return flush(batch);
      };
      // After the write in flight, whether it succeeded or not (its own callers see its failure).
      next = tail.then(run, run);
      tail = next;
    }
    return next;
  };
}
