/**
 * Which size the reliability suites run at. `ci` (the default, what `pnpm test` runs) is small
 * enough to finish in well under a minute per scenario on two shared cores; `full`
 * (`RELIABILITY_PROFILE=full`, what `pnpm reliability:*` runs) is the size docs/reliability.md quotes.
 */
export type ReliabilityProfile = 'ci' | 'full';

/** The profile named by RELIABILITY_PROFILE (tests may read the environment; packages never do). */
export function reliabilityProfile(env: NodeJS.ProcessEnv = process.env): ReliabilityProfile {
  const value = env.RELIABILITY_PROFILE ?? 'ci';
  if (value !== 'ci' && value !== 'full') throw new Error(`RELIABILITY_PROFILE must be "ci" or "full", not "${value}"`);
  return value;
}

/** Settings of the crash suite. */
export interface CrashProfile {
  readonly recipients: number;
  /** Worker processes running the campaign at once. */
  readonly workers: number;
  /**
   * While mail is going out, a worker (round robin) is SIGKILLed and restarted this long after the
   * previous replacement reported `worker started`, so that on a slow machine the workers still
   * spend most of their time sending rather than starting.
   */
  readonly killEveryMs: number;
  /** Whole test, upload and clean-up included. */
  readonly timeoutMs: number;
}

export const CRASH_PROFILES: Readonly<Record<ReliabilityProfile, CrashProfile>> = {
  ci: { recipients: 3000, workers: 3, killEveryMs: 1000, timeoutMs: 120_000 },
  full: { recipients: 100_000, workers: 3, killEveryMs: 3000, timeoutMs: 30 * 60_000 },
};

/** Settings of the Redis-restart suite (each scenario). */
export interface RedisRestartProfile {
  readonly recipients: number;
  readonly workers: number;
  /** Fractions of the campaign delivered at which Redis is stopped, one outage each. */
  readonly outagesAt: readonly number[];
  /** How long Redis stays down each time. */
  readonly outageMs: number;
  /** Pause between two SendEmail probes (one at a time, before, during and after each outage). */
  readonly probeEveryMs: number;
  readonly timeoutMs: number;
}

export const REDIS_RESTART_PROFILES: Readonly<Record<ReliabilityProfile, RedisRestartProfile>> = {
  ci: { recipients: 2000, workers: 2, outagesAt: [0.3], outageMs: 3000, probeEveryMs: 50, timeoutMs: 120_000 },
  full: { recipients: 50_000, workers: 3, outagesAt: [0.25, 0.5, 0.75], outageMs: 5000, probeEveryMs: 50, timeoutMs: 30 * 60_000 },
};
