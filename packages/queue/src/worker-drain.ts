import { setMaxListeners } from 'node:events';
import type { Job } from 'bullmq';
import { JobHandedBackError } from './hand-back.ts';

/**
 * A processor that can be drained: once `signal` aborts it starts no new provider request, lets the
 * ones in flight finish and be recorded, and hands its job back (see `handBack`).
 */
export type DrainableProcessor<T, R> = (job: Job<T>, token: string | undefined, signal: AbortSignal) => Promise<R>;

interface ActiveJob {
  readonly job: Job;
  readonly token: string | undefined;
  readonly stop: AbortController;
  /** Settles the job's BullMQ processor promise with the error (forced hand-back). */
  readonly release: (err: Error) => void;
  released: boolean;
}

/** What `handBackRemaining` did. */
export interface ForcedHandBack {
  /** Jobs moved back to wait by force. */
  readonly handedBack: number;
  /** Jobs that could not be moved (Redis unreachable): they return to the queue when their lock expires. */
  readonly leftToLockExpiry: number;
  /** The first failure of a move, kept for the log. */
  readonly firstError?: unknown;
}

/**
 * The drain switch and active-job register of one BullMQ worker. Guarantees:
 * - every job the wrapped processor runs gets its own stop signal, aborted when `begin()` is called
 *   (or already aborted when the job started after it), so a processor sees draining without
 *   polling and no processor can miss it;
 * - `activeCount` is the number of jobs whose processor has not settled, `handedBack` the number
 *   that handed their job back (JobHandedBackError) by themselves;
 * - `handBackRemaining()` moves every job still active back to wait (attempt count unchanged) and
 *   settles its BullMQ processor promise at once, so the worker can close while the abandoned
 *   processor's request is still in flight.
 */
export class WorkerDrain {
  private readonly active = new Set<ActiveJob>();
  private draining = false;
  private selfHandedBack = 0;

  /** True from `begin()` on. */
  get isDraining(): boolean {
    return this.draining;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Jobs whose processor handed them back by itself (not counting forced hand-backs). */
  get handedBack(): number {
    return this.selfHandedBack;
  }

  /** Wraps a processor for `new Worker(...)`: gives it the job's stop signal and registers the job while it runs. */
  wrap<T, R>(processor: DrainableProcessor<T, R>): (job: Job<T>, token?: string) => Promise<R> {
    return (job, token) => {
      const stop = new AbortController();
      // Each send of a chunk waiting for its limiter slot listens to this signal (up to a whole
      // chunk at once with the null transport): many listeners here are expected, not a leak.
      setMaxListeners(0, stop.signal);
      if (this.draining) stop.abort();
      let release: (err: Error) => void = () => undefined;
      const released = new Promise<never>((_, reject) => {
        release = reject;
      });
      const entry: ActiveJob = { job, token, stop, release, released: false };
      this.active.add(entry);
      // A released processor keeps running in the background (its request is in flight); the race
      // subscribes to it, so its later settlement is never an unhandled rejection.
      return Promise.race([processor(job, token, stop.signal), released]).then(
        (value) => {
          this.active.delete(entry);
          return value;
        },
        (err: unknown) => {
          this.active.delete(entry);
          if (err instanceof JobHandedBackError && !entry.released) this.selfHandedBack++;
          throw err;
        },
      );
    };
  }

  /**
   * Stops one active job as draining would (its processor starts no new provider request), when
   * this worker lost the job's lock: BullMQ then gives the job to another worker, and every send
   * this one still started would be a duplicate. Returns whether such a job was active here.
   */
  stopJob(jobId: string): boolean {
    let found = false;
    for (const entry of this.active) {
      if (entry.job.id !== jobId) continue;
      entry.stop.abort();
      found = true;
    }
    return found;
  }

  /** Starts draining: aborts the stop signal of every active job and of every job started later. Idempotent. */
  begin(): void {
    this.draining = true;
    for (const entry of this.active) entry.stop.abort();
  }

  /**
   * After the grace period: hands every still-active job back to its queue and releases its
   * processor. Safe because the job's ledger is its checkpoint: recipients whose answers were
   * recorded are skipped by the next run of the job, and a request still in flight here can at
   * worst be sent again with the same Message-ID (as after a crash, but without the lock wait).
   */
  async handBackRemaining(): Promise<ForcedHandBack> {
    this.begin();
    let handedBack = 0;
    let leftToLockExpiry = 0;
    let firstError: unknown;
    await Promise.all(
      [...this.active].map(async (entry) => {
        try {
          await entry.job.moveToWait(entry.token);
          handedBack++;
        } catch (err) {
          // Either the job settled meanwhile (its lock is gone: nothing to hand back) or Redis did
          // not answer; in both cases releasing the processor below is still right.
          if (this.active.has(entry)) {
            leftToLockExpiry++;
            firstError ??= err;
          }
        }
        entry.released = true;
        entry.release(new JobHandedBackError(entry.job.id, 'forced'));
      }),
    );
    return firstError === undefined ? { handedBack, leftToLockExpiry } : { handedBack, leftToLockExpiry, firstError };
  }
}
