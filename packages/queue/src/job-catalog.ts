import type { RetryPolicyOptions } from '@postmill/core';
import type { JobsOptions } from 'bullmq';

/**
 * The one job catalog: every queue name, job name, payload and job option lives here; producers
 * and workers both import it, and no queue or job name is written anywhere else.
 */
export const QUEUE = {
  /** Delivery of accepted messages (SendEmail). */
  delivery: 'delivery',
} as const;

export const JOB = {
  deliverMessage: 'deliver-message',
} as const;

/** Payload of `deliver-message`: only the id; the message itself lives in the ledger (no PII in job data). */
export interface DeliverMessagePayload {
  readonly messageId: string;
}

/** Name of the custom backoff strategy the delivery worker registers (see transientBackoffMs). */
export const BACKOFF_STRATEGY = 'postmill-transient';

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
