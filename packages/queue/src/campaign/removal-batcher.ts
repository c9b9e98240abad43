type Waiter = { index: number; resolve(removed: boolean): void; reject(err: unknown): void };

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

  isRemoved(index: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ index, resolve, reject });
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
          removed = await this.removedAmong([...new Set(batch.map((w) => w.index))]);
        } catch (err) {
          for (const w of batch) w.reject(err);
          continue;
        }
        for (const w of batch) w.resolve(removed.has(w.index));
      }
    } finally {
      this.running = false;
    }
  }
}
