import type { MailEvent, RetryPolicyOptions } from '@postmill/core';
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
  /** Webhook and callback deliveries: one job per (event, endpoint) (packages/webhooks). */
  webhook: 'webhook',
} as const;

export const JOB = {
  /** delivery: one SendEmail message. */
  deliverMessage: 'deliver-message',
  /** delivery: one chunk of a campaign run. */
  sendChunk: 'send-chunk',
  /** campaign: start one occurrence of a task. */
  startRun: 'start-run',
  /**
   * campaign: drives one run to its end: dispatches its chunk jobs behind the durable cursor of the
   * current generation, follows pause/resume/cancel/retry, sweeps a cancelled run.
   */
  driveRun: 'drive-run',
  /** webhook: post one event to one endpoint in its vendor's format. */
  deliverWebhook: 'deliver-webhook',
} as const;

/**
 * Payload of `send-chunk`: indexes [start, end) of run `run` of task `taskId`, dispatched under the
 * run's `generation` (a claim under an older generation is refused: the newer chunk job covers the
 * range). `throttles`: throttled answers this chunk job has had so far (kept in the job data across
 * its rate-limited returns; the retry policy's bound on throttles reads it).
 */
export interface SendChunkPayload {
  readonly taskId: number;
  readonly run: number;
  readonly generation: number;
  readonly start: number;
  readonly end: number;
  readonly throttles?: number;
}

/** Payload of `start-run`: occurrence `occurrence` of the task's schedule, planned at `plannedAt`. */
export interface StartRunPayload {
  readonly taskId: number;
  readonly occurrence: number;
  readonly plannedAt: number;
}

/**
 * Payload of `drive-run`: the driver of run `run` of task `taskId`. `reopens`: how often
 * RetrySendTaskFailures reopened the run after it had finished (each reopening has a driver of its own).
 */
export interface DriveRunPayload {
  readonly taskId: number;
  readonly run: number;
  readonly reopens: number;
}

/** Any job of the delivery queue. */
export type DeliveryPayload = DeliverMessagePayload | SendChunkPayload;
/** Any job of the campaign queue. */
export type CampaignPayload = StartRunPayload | DriveRunPayload;

/** Deterministic job ids (BullMQ ids may not contain ':'): adding the same step twice is a no-op. */
export const jobIds = {
  startRun: (taskId: number, occurrence: number) => `t${taskId}-o${occurrence}`,
  driveRun: (taskId: number, run: number, reopens: number) => `t${taskId}-r${run}-d${reopens}`,
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

/**
 * Payload of `deliver-webhook`: one event to one endpoint. `deliveryId` names the pair (stable
 * across retries and replays); the event rides in the job because a receiver must get exactly
 * what happened even after the event log expired it.
 */
export interface DeliverWebhookPayload {
  readonly deliveryId: string;
  readonly event: MailEvent;
  readonly endpoint: { readonly vendor: 'tencent' | 'aliyun' | 'sendcloud'; readonly url: string };
}

/** Name of the backoff strategy the webhook worker registers: the configured delay schedule. */
export const WEBHOOK_BACKOFF_STRATEGY = 'postmill-webhook-schedule';

/**
 * Options for a `deliver-webhook` job. Guarantees: one try plus one retry per delay of the
 * schedule (`retryDelaysMs`, SendCloud's 1, 2, 4, 8, 16 minutes by default), backoff from that
 * schedule, the job id given (adding it twice is a no-op).
 */
export function deliverWebhookJobOptions(jobId: string, retryDelaysMs: readonly number[], retention: JobRetention = DEFAULT_JOB_RETENTION): JobsOptions {
  return {
    jobId,
    attempts: retryDelaysMs.length + 1,
    backoff: { type: WEBHOOK_BACKOFF_STRATEGY },
    removeOnComplete: { age: retention.completedAgeSeconds, count: retention.completedCount },
    removeOnFail: { age: retention.failedAgeSeconds },
  };
}
