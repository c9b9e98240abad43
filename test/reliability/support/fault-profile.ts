import type { Profile } from './fault-plan.ts';
import type { ReliabilityProfile } from './profile.ts';

/** Settings of the provider-fault suite; every figure here is also a worker setting or a plan size. */
export interface FaultProfile {
  /** Worker processes sharing the limiter. */
  readonly workers: number;
  /** SEND_RATE_PER_SECOND. */
  readonly ratePerSecond: number;
  /** SEND_MAX_ATTEMPTS. */
  readonly maxAttempts: number;
  /** TEMPORARY_BLOCK_HOLD_SECONDS. */
  readonly holdSeconds: number;
  /** FREQUENCY_LIMIT_BACKOFF_SECONDS. */
  readonly frequencyBackoffSeconds: number;
  /** PROVIDER_TIMEOUT_MS. */
  readonly providerTimeoutMs: number;
  /** SEND_CHUNK_SIZE: recipients per campaign chunk job. */
  readonly chunkSize: number;
  /**
   * JOB_LOCK_MS. Shorter than the default, but not as short as the crash suite's: no worker dies
   * here, and on a loaded machine a lock that lapses makes a second worker take a live job, whose
   * duplicates would be blamed on the faults.
   */
  readonly jobLockMs: number;
  /** Longest TemporaryBlocked run a `held` recipient gets before acceptance. */
  readonly maxHoldRun: number;
  /** Recipients of each profile sent one SendEmail each. */
  readonly sendEmail: Readonly<Partial<Record<Profile, number>>>;
  /** Recipients of each profile in the BatchSendEmail campaign's list. */
  readonly campaign: Readonly<Partial<Record<Profile, number>>>;
  /** Whole test, set-up and clean-up included. */
  readonly timeoutMs: number;
}

const CI_MIX: Readonly<Partial<Record<Profile, number>>> = {
  ok: 10,
  slow: 3,
  bad: 2,
  blacklisted: 2,
  rejected: 1,
  flaky: 6,
  doomed: 3,
  held: 2,
  frequency: 2,
  throttled: 2,
  mixed: 3,
};

const times = (mix: Readonly<Partial<Record<Profile, number>>>, k: number) =>
  Object.fromEntries(Object.entries(mix).map(([p, n]) => [p, (n ?? 0) * k])) as Readonly<Partial<Record<Profile, number>>>;

export const FAULT_PROFILES: Readonly<Record<ReliabilityProfile, FaultProfile>> = {
  // 36 SendEmail + 82 campaign recipients, ~190 requests: 20-25 s of sending, ~35 s in all on two shared cores.
  ci: {
    workers: 2,
    ratePerSecond: 20,
    maxAttempts: 3,
    holdSeconds: 1,
    frequencyBackoffSeconds: 1,
    providerTimeoutMs: 500,
    chunkSize: 10,
    jobLockMs: 10_000,
    maxHoldRun: 1,
    sendEmail: CI_MIX,
    campaign: { ...times(CI_MIX, 2), ok: 30 },
    timeoutMs: 150_000,
  },
  // 362 SendEmail + 822 campaign recipients, ~2,300 requests, FrequencyLimit exhausted (31 s of
  // backoffs) included: about 4.5 min, most of it the ~90 one-second throttling pauses.
  full: {
    workers: 3,
    ratePerSecond: 20,
    maxAttempts: 4,
    holdSeconds: 2,
    frequencyBackoffSeconds: 1,
    providerTimeoutMs: 500,
    chunkSize: 25,
    jobLockMs: 10_000,
    maxHoldRun: 2,
    sendEmail: { ...times(CI_MIX, 10), 'frequency-exhausted': 2 },
    campaign: { ...times(CI_MIX, 20), ok: 300, 'frequency-exhausted': 2 },
    timeoutMs: 15 * 60_000,
  },
};
