import type { Job, Worker } from 'bullmq';
import type { Logger } from 'pino';

/** Any payload of the job catalog (job-catalog.ts), read field by field. */
type AnyPayload = Partial<Record<'taskId' | 'run', number> & Record<'messageId', string>>;

/**
 * A pino child logger for one job. Guarantees: every line it writes carries `jobId`, `jobName` and
 * `transport`, plus `taskId` for campaign jobs, `runId` for jobs of one run (chunks, dispatch) and
 * `messageId` for SendEmail messages, so one filter finds every line about a job, a task or a run.
 * The fields come from the catalog's payloads, so they are named the same for every job.
 */
export function jobLogger(base: Logger, job: Pick<Job<unknown>, 'id' | 'name' | 'data'>, transport: string): Logger {
  const d = (job.data ?? {}) as AnyPayload;
  return base.child({
    ...(d.taskId !== undefined ? { taskId: d.taskId } : {}),
    ...(d.run !== undefined ? { runId: d.run } : {}),
    ...(d.messageId !== undefined ? { messageId: d.messageId } : {}),
    jobId: job.id,
    jobName: job.name,
    transport,
  });
}

/**
 * Logs every failed attempt of the worker's jobs through `jobLogger`. Guarantees: a job that
 * failed for good (attempts used up, or unrecoverable) is logged at `error`, an attempt that will
 * be retried at `warn`; moves that spend no attempt (delayed, rate-limited, handed back) are not
 * failures and are not logged here.
 */
// biome-ignore lint/suspicious/noExplicitAny: any payload; only the job's id, name and data are read
export function logJobFailures(worker: Worker<any>, base: Logger, transport: string): void {
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    const log = jobLogger(base, job, transport);
    if (final) log.error({ err, attemptsMade: job.attemptsMade }, 'job failed for good');
    else log.warn({ err, attemptsMade: job.attemptsMade }, 'job attempt failed; retried after backoff');
  });
}
