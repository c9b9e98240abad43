import type { RetryPolicyOptions } from '@postmill/core';
import type { JobsOptions } from 'bullmq';

/**
 * The one job catalog: every queue name, job name, payload and job option lives here; producers
 * and workers both import it, and no queue or job name is written anywhere else.
 */
export const QUEUE = {
  /** Provider requests: SendEmail messages and campaign chunks (one shared rate limit). */
  delivery: 'delivery',
  /** Campaign control: starting runs and dispatching their chunks. */
  campaign: 'campaign',
} as const;

export const JOB = {
  /** delivery: one SendEmail message. */
  deliverMessage: 'deliver-message',
  /** delivery: one chunk of a campaign run. */
  sendChunk: 'send-chunk',
  /** campaign: start one occurrence of a task. */
  startRun: 'start-run',
  /** campaign: create a run's chunk jobs behind its durable cursor (and sweep cancelled runs). */
  dispatchRun: 'dispatch-run',
} as const;

/** Payload of `send-chunk`: indexes [start, end) of run `run` of task `taskId`. */
export interface SendChunkPayload {
  readonly taskId: number;
  readonly run: number;
  readonly start: number;
  readonly end: number;
}

/** Payload of `start-run`: occurrence `occurrence` of the task's schedule, planned at `plannedAt`. */
export interface StartRunPayload {
  readonly taskId: number;
  readonly occurrence: number;
  readonly plannedAt: number;
}

/** Payload of `dispatch-run`; `generation` changes when a run is re-dispatched (resume, retry). */
export interface DispatchRunPayload {
  readonly taskId: number;
  readonly run: number;
  readonly generation: number;
}

/** Any job of the delivery queue. */
export type DeliveryPayload = DeliverMessagePayload | SendChunkPayload;
/** Any job of the campaign queue. */
export type CampaignPayload = StartRunPayload | DispatchRunPayload;

/** Deterministic job ids (BullMQ ids may not contain ':'): adding the same step twice is a no-op. */
export const jobIds = {
  startRun: (taskId: number, occurrence: number) => `t${taskId}-o${occurrence}`,
  dispatchRun: (taskId: number, run: number, generation: number) => `t${taskId}-r${run}-g${generation}-dispatch`,
  sendChunk: (taskId: number, run: number, generation: number, start: number) => `t${taskId}-r${run}-g${generation}-c${start}`,
};

/** Options for campaign jobs: retried with the one backoff policy, removed once done. */
export function campaignJobOptions(jobId: string, policy: RetryPolicyOptions, retention: JobRetention = DEFAULT_JOB_RETENTION): JobsOptions {
  return {
    jobId,
    attempts: policy.maxAttempts,
    backoff: { type: BACKOFF_STRATEGY },
    removeOnComplete: { age: retention.completedAgeSeconds, count: retention.completedCount },
    removeOnFail: { age: retention.failedAgeSeconds },
  };
}

/** Payload of `deliver-message`: only the id; the message itself lives in the ledger (no PII in job data). */
export interface DeliverMessagePayload {
  readonly messageId: string;
  /**
   * Throttling answers this job already took without spending an attempt (see decideOnError's
   * `throttles`); written by the worker with `job.updateData`, absent = 0.
   */
  readonly throttles?: number;
}

/** Name of the custom backoff strategy the delivery worker registers (see transientBackoffMs). */
export const BACKOFF_STRATEGY = 'postmill-transient';

/**
 * How many times a job may lose its worker (killed, or cut off from Redis past its lock) and still
 * run again. BullMQ's default (1) FAILS a job the second time its worker dies, without running it:
 * a chunk whose worker was killed twice left its recipients queued forever and its run never
 * finished (found by test/reliability/crash.e2e.test.ts). Every job here is safe to run again (the
 * ledger skips recipients already final; start-run and dispatch are checkpointed), so a stalled job
 * is always retried. The bound only stops a job that kills every worker taking it from looping forever.
 */
export const MAX_STALLED_COUNT = 1000;

/** Retention of finished jobs. Default: completed kept 1 h (max 10 000), failed kept 7 days. */
export interface JobRetention {
  readonly completedAgeSeconds: number;
  readonly completedCount: number;
  readonly failedAgeSeconds: number;
}

export const DEFAULT_JOB_RETENTION: JobRetention = { completedAgeSeconds: 3600, completedCount: 10_000, failedAgeSeconds: 7 * 86_400 };

/**
 * Options for a `deliver-message` job. Guarantees: the job id is the MessageId (adding it twice is a
 * no-op), attempts and backoff come from the one retry policy.
 */
export function deliverMessageJobOptions(messageId: string, policy: RetryPolicyOptions, retention: JobRetention = DEFAULT_JOB_RETENTION): JobsOptions {
  return {
    jobId: messageId,
    attempts: policy.maxAttempts,
    backoff: { type: BACKOFF_STRATEGY },
    removeOnComplete: { age: retention.completedAgeSeconds, count: retention.completedCount },
    removeOnFail: { age: retention.failedAgeSeconds },
  };
}
