// The provider-fault plan: which answer the fake Tencent SES gives each request, and what the one
// retry policy (README, "One retry policy") then implies for each recipient. Pure: a recipient's
// faults are a function of (seed, address, attempt) alone, so a failing run replays exactly.
//
// The expected outcomes are derived here from the README's table, not from
// `classifyProviderError`: an oracle that imported the code under test would agree with its bugs.
import type { FakeTencentAnswer } from '@postmill/testkit';

/** One answer of the fake, as the plan sees it. */
export type Fault =
  | { readonly kind: 'accept' }
  /** Accepted, answered after `slowFraction` of the provider timeout (below it). */
  | { readonly kind: 'slow' }
  /** A Tencent error envelope (HTTP 200). */
  | { readonly kind: 'error'; readonly code: string }
  /** A bare HTTP status, with Retry-After (seconds) when given. */
  | { readonly kind: 'http'; readonly status: number; readonly retryAfterSeconds?: number }
  /** The connection is destroyed without an answer. */
  | { readonly kind: 'reset' }
  /**
   * Answered only after the provider timeout, so the client gives up first. `accepted`: the fake
   * took the mail anyway (the retry is then a legitimate duplicate); otherwise it answers an error.
   */
  | { readonly kind: 'timeout'; readonly accepted: boolean };

/** What the README's retry policy does about one answer. */
export type FaultClass = 'success' | 'permanent' | 'hold-domain' | 'backoff-recipient' | 'throttle' | 'transient';

/** A recipient's answers: `steps[i]` for attempt i + 1, `then` for every later attempt. */
export interface FaultScript {
  readonly steps: readonly Fault[];
  readonly thereafter: Fault;
}

/** The profiles a planned address can have; the profile is the address's local part before `-<n>`. */
export const PROFILES = [
  'ok',
  'slow',
  'bad',
  'blacklisted',
  'rejected',
  'flaky',
  'doomed',
  'held',
  'frequency',
  'frequency-exhausted',
  'throttled',
  'mixed',
] as const;
export type Profile = (typeof PROFILES)[number];

/** The policy figures the expectations depend on (the worker's settings). */
export interface PolicyFigures {
  /** SEND_MAX_ATTEMPTS: attempts for transient failures, first try included. */
  readonly maxAttempts: number;
  /** TEMPORARY_BLOCK_HOLD_SECONDS × 1000. */
  readonly domainHoldMs: number;
  /** FREQUENCY_LIMIT_BACKOFF_SECONDS × 1000: first per-recipient backoff, doubling. */
  readonly recipientBackoffMs: number;
  /** Per-recipient backoffs before the recipient fails (README: 5). */
  readonly maxRecipientBackoffs: number;
  /** Transport pause after a throttling answer without Retry-After (1 s). */
  readonly throttleDelayMs: number;
  /** Base of the exponential transient backoff (1 s); jitter is ±50 %. */
  readonly backoffBaseMs: number;
}

const PERMANENT_CODES = new Set([
  'FailedOperation.IncorrectEmail',
  'FailedOperation.EmailAddrInBlacklist',
  'FailedOperation.ReceiverHasUnsubscribed',
  'FailedOperation.RejectedByRecipients',
]);
const TRANSIENT_CODES = new Set(['InternalError', 'ServiceUnavailable', 'FailedOperation.ServiceNotAvailable']);

/** The README's classification of the answers this plan uses. Throws for a code the plan does not know. */
export function classOf(f: Fault): FaultClass {
  switch (f.kind) {
    case 'accept':
    case 'slow':
      return 'success';
    case 'reset':
    case 'timeout':
      return 'transient';
    case 'http':
      if (f.status === 429) return 'throttle';
      if (f.status >= 500) return 'transient';
      return 'permanent';
    case 'error':
      if (f.code === 'FailedOperation.TemporaryBlocked') return 'hold-domain';
      if (f.code === 'FailedOperation.FrequencyLimit') return 'backoff-recipient';
      if (f.code === 'RequestLimitExceeded' || f.code.startsWith('RequestLimitExceeded.')) return 'throttle';
      if (PERMANENT_CODES.has(f.code)) return 'permanent';
      if (TRANSIENT_CODES.has(f.code)) return 'transient';
      throw new Error(`fault plan: no documented class for ${f.code}`);
  }
}

/** The code Postmill keeps for a failed recipient after this answer (reset: any `Network.*`). */
export function codeOf(f: Fault): string {
  switch (f.kind) {
    case 'accept':
    case 'slow':
      return '';
    case 'error':
      return f.code;
    case 'http':
      return `HTTP.${f.status}`;
    case 'reset':
      return 'Network.ECONNRESET';
    case 'timeout':
      return 'Network.Timeout';
  }
}

/** Whether the fake took the mail with this answer (on time or too late for the client). */
export function isAcceptedByFake(f: Fault): boolean {
  return f.kind === 'accept' || f.kind === 'slow' || (f.kind === 'timeout' && f.accepted);
}

/** The answer to attempt `attempt` (1-based) of a script. */
export function faultAt(script: FaultScript, attempt: number): Fault {
  return script.steps[attempt - 1] ?? script.thereafter;
}

/** What the policy implies for one recipient of a script. */
export interface Expectation {
  readonly final: 'sent' | 'failed';
  /** For `failed`: the code kept (the last answer's). Empty for `sent`. */
  readonly code: string;
  /** Provider requests this recipient gets. */
  readonly requests: number;
  /** Requests the fake accepted; more than 1 only after timeouts the fake accepted. */
  readonly acceptedByFake: number;
  /**
   * `minGapsMs[i]`: the least time between the arrivals of requests i and i + 1 the policy imposes
   * (domain hold, recipient backoff, transport pause, transient backoff without its jitter's upper half).
   */
  readonly minGapsMs: readonly number[];
  /** Attempts spent (BullMQ attempts): transient failures, plus the final request unless it was transient. */
  readonly attemptsSpent: number;
}

/**
 * Walks a script through the README's policy. Guarantees: the walk ends (every class but success,
 * permanent and transient-on-the-last-attempt leads to another request, and the walk stops after
 * `maxAttempts` transient failures or `maxRecipientBackoffs` + 1 FrequencyLimit answers; a
 * script answering only holds or throttles forever is refused with an error).
 */
export function expectOutcome(script: FaultScript, policy: PolicyFigures): Expectation {
  let transient = 0;
  let backoffs = 0;
  let acceptedByFake = 0;
  const minGapsMs: number[] = [];
  for (let attempt = 1; attempt <= 1000; attempt++) {
    const f = faultAt(script, attempt);
    if (isAcceptedByFake(f)) acceptedByFake++;
    const done = (final: 'sent' | 'failed', code: string, spent: number): Expectation => ({
      final,
      code,
      requests: attempt,
      acceptedByFake,
      minGapsMs,
      attemptsSpent: spent,
    });
    switch (classOf(f)) {
      case 'success':
        return done('sent', '', transient + 1);
      case 'permanent':
        return done('failed', codeOf(f), transient + 1);
      case 'hold-domain':
        minGapsMs.push(policy.domainHoldMs);
        break;
      case 'throttle':
        minGapsMs.push(f.kind === 'http' && f.retryAfterSeconds !== undefined ? f.retryAfterSeconds * 1000 : policy.throttleDelayMs);
        break;
      case 'backoff-recipient':
        backoffs++;
        if (backoffs > policy.maxRecipientBackoffs) return done('failed', codeOf(f), transient + 1);
        minGapsMs.push(policy.recipientBackoffMs * 2 ** (backoffs - 1));
        break;
      case 'transient':
        transient++;
        if (transient >= policy.maxAttempts) return done('failed', codeOf(f), transient);
        minGapsMs.push(0.5 * policy.backoffBaseMs * 2 ** (transient - 1));
        break;
    }
  }
  throw new Error('fault plan: a script must end (it only ever holds or throttles)');
}

/** FNV-1a, 32 bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Options every script depends on. */
export interface ScriptOptions {
  readonly seed: number;
  readonly maxAttempts: number;
  /** Largest FrequencyLimit run before acceptance in `frequency` (default 2). */
  readonly maxFrequencyRun?: number;
  /** Largest TemporaryBlocked run before acceptance in `held` (default 1). */
  readonly maxHoldRun?: number;
}

// Transient answers a recipient may recover from; `reset` keeps no predictable code, so doomed
// recipients (who fail with the last code kept) use only the others.
const RECOVERABLE: readonly Fault[] = [
  { kind: 'error', code: 'InternalError' },
  { kind: 'error', code: 'FailedOperation.ServiceNotAvailable' },
  { kind: 'http', status: 502 },
  { kind: 'http', status: 503 },
  { kind: 'reset' },
  { kind: 'timeout', accepted: false },
  { kind: 'timeout', accepted: true },
];
const DOOMING: readonly Fault[] = [
  { kind: 'error', code: 'InternalError' },
  { kind: 'http', status: 503 },
  { kind: 'timeout', accepted: false },
  { kind: 'timeout', accepted: true },
];
const PERMANENT: readonly Fault[] = [
  { kind: 'error', code: 'FailedOperation.IncorrectEmail' },
  { kind: 'error', code: 'FailedOperation.EmailAddrInBlacklist' },
  { kind: 'error', code: 'FailedOperation.RejectedByRecipients' },
];
const THROTTLES: readonly Fault[] = [
  { kind: 'error', code: 'RequestLimitExceeded' },
  { kind: 'error', code: 'RequestLimitExceeded.UinLimitExceeded' },
  { kind: 'http', status: 429, retryAfterSeconds: 1 },
];
const HOLD: Fault = { kind: 'error', code: 'FailedOperation.TemporaryBlocked' };
const FREQUENCY: Fault = { kind: 'error', code: 'FailedOperation.FrequencyLimit' };
const ACCEPT: Fault = { kind: 'accept' };

/** The profile of a planned address (`<tag>.<profile>-<n>@…` or `<profile>-<n>@…`), or undefined. */
export function profileOf(address: string): Profile | undefined {
  const m = /^(?:[a-z0-9]+\.)?([a-z-]+)-\d+@/u.exec(address);
  const name = m?.[1];
  return (PROFILES as readonly string[]).includes(name ?? '') ? (name as Profile) : undefined;
}

/** True when a script's answers include `FailedOperation.TemporaryBlocked` (it then needs a domain of its own). */
export function holdsDomain(script: FaultScript): boolean {
  return [...script.steps, script.thereafter].some((f) => classOf(f) === 'hold-domain');
}

/**
 * The script of one address: a pure function of `options.seed` and the address's local part (its
 * profile and number). An address without a planned profile is always accepted. Guarantees, per profile:
 * ok/slow are accepted at once; bad/blacklisted/rejected answer one permanent code always;
 * flaky recovers after 1..maxAttempts−1 transient answers; doomed answers one transient answer
 * always; held gets TemporaryBlocked 1..maxHoldRun times; frequency gets FrequencyLimit
 * 1..maxFrequencyRun times; frequency-exhausted gets it always; throttled is throttled once;
 * mixed combines a throttle, a FrequencyLimit or a hold with at most maxAttempts−2 transient
 * answers, then is accepted or answered a permanent code.
 */
export function scriptFor(address: string, options: ScriptOptions): FaultScript {
  // The local part alone seeds the script, so a recipient moved to a domain of its own keeps it.
  const rand = generator(hash32(`${options.seed}:${address.toLowerCase().split('@')[0] ?? ''}`));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const between = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const transientBudget = Math.max(0, options.maxAttempts - 1);
  switch (profileOf(address)) {
    case undefined:
    case 'ok':
      return { steps: [], thereafter: ACCEPT };
    case 'slow':
      return { steps: [], thereafter: { kind: 'slow' } };
    case 'bad':
      return { steps: [], thereafter: { kind: 'error', code: 'FailedOperation.IncorrectEmail' } };
    case 'blacklisted':
      return { steps: [], thereafter: { kind: 'error', code: 'FailedOperation.EmailAddrInBlacklist' } };
    case 'rejected':
      return { steps: [], thereafter: { kind: 'error', code: 'FailedOperation.RejectedByRecipients' } };
    case 'flaky': {
      const k = transientBudget === 0 ? 0 : between(1, transientBudget);
      return { steps: Array.from({ length: k }, () => pick(RECOVERABLE)), thereafter: pick([ACCEPT, { kind: 'slow' }] as const) };
    }
    case 'doomed':
      return { steps: [], thereafter: pick(DOOMING) };
    case 'held':
      return { steps: Array.from({ length: between(1, options.maxHoldRun ?? 1) }, () => HOLD), thereafter: ACCEPT };
    case 'frequency':
      return { steps: Array.from({ length: between(1, options.maxFrequencyRun ?? 2) }, () => FREQUENCY), thereafter: ACCEPT };
    case 'frequency-exhausted':
      return { steps: [], thereafter: FREQUENCY };
    case 'throttled':
      return { steps: [pick(THROTTLES)], thereafter: ACCEPT };
    case 'mixed': {
      const steps: Fault[] = [pick([pick(THROTTLES), FREQUENCY, HOLD])];
      for (let i = between(0, Math.max(0, transientBudget - 1)); i > 0; i--) steps.push(pick(RECOVERABLE));
      // Shuffle so the throttle / backoff / hold is not always first.
      for (let i = steps.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [steps[i], steps[j]] = [steps[j] as Fault, steps[i] as Fault];
      }
      return { steps, thereafter: rand() < 0.7 ? ACCEPT : pick(PERMANENT) };
    }
  }
}

/** One recipient of a plan, with its script and what the policy implies for it. */
export interface PlannedRecipient {
  readonly address: string;
  readonly profile: Profile;
  readonly script: FaultScript;
  readonly expected: Expectation;
}

/** Options of `buildFaultPlan`. */
export interface PlanOptions extends ScriptOptions {
  /** Recipients of each profile (default 0). */
  readonly counts: Readonly<Partial<Record<Profile, number>>>;
  /** Distinguishes plans sharing one fake (e.g. `s` for SendEmail, `c` for a campaign). */
  readonly tag: string;
  /** Domain of recipients whose script never holds a domain, e.g. `faults.example`. */
  readonly domain: string;
  readonly policy: PolicyFigures;
}

/**
 * Recipients for the given profile counts, in a seeded order (profiles interleaved, as a real list
 * would be). Guarantees: addresses are unique and lower-case; every recipient whose script holds a
 * domain has a domain of its own (`blocked-<tag>-<profile>-<n>.<domain>`), so a hold never touches
 * another recipient; the same options always give the same plan.
 */
export function buildFaultPlan(options: PlanOptions): PlannedRecipient[] {
  const out: PlannedRecipient[] = [];
  for (const profile of PROFILES) {
    const count = options.counts[profile] ?? 0;
    for (let n = 1; n <= count; n++) {
      const local = `${options.tag}.${profile}-${n}`;
      const script = scriptFor(`${local}@${options.domain}`, options);
      const address = holdsDomain(script) ? `${local}@blocked-${options.tag}-${profile}-${n}.${options.domain}` : `${local}@${options.domain}`;
      out.push({ address, profile, script, expected: expectOutcome(script, options.policy) });
    }
  }
  const rand = generator(hash32(`${options.seed}:order:${options.tag}`));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as PlannedRecipient, out[i] as PlannedRecipient];
  }
  return out;
}

/** How the fake's timing relates to the provider timeout. */
export interface FaultTiming {
  /** PROVIDER_TIMEOUT_MS of the workers. */
  readonly providerTimeoutMs: number;
  /** A slow answer comes after this fraction of the timeout (default 0.4: well below it). */
  readonly slowFraction?: number;
  /** A timed-out answer comes this long after the timeout (default 400 ms: well after it). */
  readonly lateByMs?: number;
}

/**
 * The fake's answer for a planned fault. A timeout is an answer held past the provider timeout:
 * an acceptance (the provider took the mail; the client never hears so) or an `InternalError`
 * (it did not).
 */
export function answerFor(f: Fault, timing: FaultTiming): FakeTencentAnswer {
  const lateMs = timing.providerTimeoutMs + (timing.lateByMs ?? 400);
  switch (f.kind) {
    case 'accept':
      return { kind: 'accept' };
    case 'slow':
      return { kind: 'accept', delayMs: Math.round(timing.providerTimeoutMs * (timing.slowFraction ?? 0.4)) };
    case 'error':
      return { kind: 'error', code: f.code };
    case 'http':
      return f.retryAfterSeconds === undefined
        ? { kind: 'http', status: f.status }
        : { kind: 'http', status: f.status, retryAfterSeconds: f.retryAfterSeconds };
    case 'reset':
      return { kind: 'reset' };
    case 'timeout':
      return f.accepted ? { kind: 'accept', delayMs: lateMs } : { kind: 'error', code: 'InternalError', delayMs: lateMs };
  }
}
