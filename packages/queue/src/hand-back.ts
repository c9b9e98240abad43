import { DelayedError, type Job } from 'bullmq';

/** Why a job went back to its queue: its worker was draining, or the grace period ran out. */
export type HandBackReason = 'draining' | 'forced';

/**
 * Thrown by a processor (or its drain wrapper) once its job was put back into the queue.
 * Guarantees: BullMQ treats it as a DelayedError (it extends one), so the worker neither completes
 * nor fails the job and no attempt is spent; `code` and `context` say which job and why.
 */
export class JobHandedBackError extends DelayedError {
  override readonly name = 'JobHandedBackError';
  readonly code = 'JOB_HANDED_BACK';
  readonly context: Readonly<{ jobId: string | undefined; reason: HandBackReason }>;
  constructor(jobId: string | undefined, reason: HandBackReason) {
    super(`job ${jobId ?? '?'} was handed back to its queue (${reason})`);
    this.context = { jobId, reason };
  }
}

/**
 * Puts an active job back at the head of its queue's wait list and throws JobHandedBackError.
 * Guarantees: the job's attempt count is unchanged (BullMQ's moveToWait, not a retry), the lock
 * is released at once so another worker takes the job now rather than after the lock expires, and
 * the move is refused (throws BullMQ's lock error) when `token` no longer holds the job.
 */
export async function handBack(job: Job, token: string | undefined, reason: HandBackReason = 'draining'): Promise<never> {
  await job.moveToWait(token);
  throw new JobHandedBackError(job.id, reason);
}
