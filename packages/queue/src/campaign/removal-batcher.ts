/** One caller's indexes (a send group's), answered together. */
type Waiter = { indexes: readonly number[]; resolve(removed: ReadonlySet<number>): void; reject(err: unknown): void };

/**
 * Group commit of one chunk's last-moment "was this member removed from the list?" looks (see
 * ReceiverStore.removedAmong). Guarantees, like ClaimBatcher's: a look is sent once the microtasks
 * queued before it ran, so the looks of sends that became ready together (and their claims) go out
 * in the same turn and share one round trip; each answer is Redis's at the moment the look ran, so a
 * removal acknowledged before the look is seen; a failed round trip rejects exactly its own looks.
 */
export class RemovalBatcher {
  private waiting: Waiter[] = [];
  private running = false;

  constructor(private readonly removedAmong: (indexes: readonly number[]) => Promise<ReadonlySet<number>>) {}

  async isRemoved(index: number): Promise<boolean> {
    return (await this.removedOf([index])).has(index);
  }

  /** Which of `indexes` were removed (looked up in the same round trip as every look asked in this turn); one promise per caller. */
  removedOf(indexes: readonly number[]): Promise<ReadonlySet<number>> {
    return new Promise<ReadonlySet<number>>((resolve, reject) => {
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
        let removed: ReadonlySet<number>;
        try {
          const first = batch[0];
          removed = await this.removedAmong(batch.length === 1 && first ? first.indexes : [...new Set(batch.flatMap((w) => w.indexes))]);
        } catch (err) {
          for (const w of batch) w.reject(err);
          continue;
        }
        for (const w of batch) w.resolve(removed);
      }
    } finally {
      this.running = false;
    }
  }
}
