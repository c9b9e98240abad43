import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { WorkerDrain } from './worker-drain.ts';

/** A BullMQ worker whose processor was wrapped by `drain.wrap`. */
export interface DrainTarget {
  /** For the log: which worker (e.g. the queue name). */
  readonly name: string;
  // biome-ignore lint/suspicious/noExplicitAny: any payload; only close() is used
  readonly worker: Worker<any>;
  readonly drain: WorkerDrain;
}

export interface DrainOptions {
  /** How long jobs in flight may take to finish or hand themselves back. Default 25 000 (SHUTDOWN_GRACE_SECONDS). */
  readonly graceMs: number;
  /** After a forced hand-back, how long BullMQ may take to close before we stop waiting. Default 2 000. */
  readonly closeTimeoutMs?: number;
  readonly logger: Logger;
}

/** What a drain did (also logged as one line). */
export interface DrainReport {
  /** Jobs active when draining began. */
  readonly inFlight: number;
  /** Jobs that handed themselves back (their remaining recipients go to another worker). */
  readonly handedBack: number;
  /** Jobs handed back by force when the grace period ran out. */
  readonly forced: number;
  /** Jobs that could not be handed back (Redis unreachable): retried once their lock expires. */
  readonly leftToLockExpiry: number;
  readonly elapsedMs: number;
}

/** Resolves true when `p` settles within `ms`, false otherwise; leaves no timer behind. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Drains and closes workers. Guarantees:
 * - from the first line on no worker takes a new job (BullMQ close() stops fetching) and every
 *   active processor sees its stop signal: no provider request starts after this point;
 * - jobs get `graceMs` to finish their requests in flight, record them and hand themselves back;
 * - when the grace period runs out, the jobs still active are moved back to wait by force (not left
 *   to their lock's expiry) and their processors released, so close() can finish;
 * - resolves within about `graceMs + closeTimeoutMs`, with the report also logged.
 * (`worker.close(true)` cannot be the forced step: in BullMQ 6.7 a second close() returns the first,
 * which still waits for the active jobs. Releasing their processors is what lets it end.)
 */
export async function drainWorkers(targets: readonly DrainTarget[], o: DrainOptions): Promise<DrainReport> {
  const startedAt = performance.now();
  const inFlight = targets.reduce((n, t) => n + t.drain.activeCount, 0);
  o.logger.info({ inFlight, graceMs: o.graceMs }, 'draining: no new jobs; provider requests in flight finish, the rest is handed back');
  for (const t of targets) t.drain.begin();
  const closed = Promise.all(targets.map((t) => t.worker.close()));
  let forced = 0;
  let leftToLockExpiry = 0;
  if (!(await settlesWithin(closed, o.graceMs))) {
    const stillActive = targets.map((t) => ({ worker: t.name, active: t.drain.activeCount }));
    o.logger.warn({ stillActive, graceMs: o.graceMs }, 'grace period over: handing the remaining jobs back by force');
    for (const t of targets) {
      const r = await t.drain.handBackRemaining();
      forced += r.handedBack;
      leftToLockExpiry += r.leftToLockExpiry;
      if (r.firstError !== undefined)
        o.logger.error({ worker: t.name, err: r.firstError, jobs: r.leftToLockExpiry }, 'could not hand jobs back; they are retried when their lock expires');
    }
    if (!(await settlesWithin(closed, o.closeTimeoutMs ?? 2000)))
      o.logger.warn('workers did not close after the forced hand-back; exiting without waiting for them');
  }
  const report: DrainReport = {
    inFlight,
    handedBack: targets.reduce((n, t) => n + t.drain.handedBack, 0),
    forced,
    leftToLockExpiry,
    elapsedMs: Math.round(performance.now() - startedAt),
  };
  o.logger.info(report, 'drained');
  return report;
}
