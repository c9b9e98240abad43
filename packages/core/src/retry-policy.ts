import type { ProviderError } from './provider-error.ts';

/**
 * What the worker does about a provider error. This is the ONE place that decides; the worker
 * only acts on the kind:
 * - `permanent`: the recipient is failed now, never retried;
 * - `throttle-transport`: the whole transport slows down for `delayMs`; no attempt is spent, up to
 *   `maxThrottles` times per job (see decideOnError): after that it counts as `transient`;
 * - `hold-domain`: the recipient's domain is held for `holdMs`, then retried (no attempt spent);
 * - `backoff-recipient`: that recipient is retried after a per-recipient backoff (bounded);
 * - `transient`: exponential backoff with jitter, bounded attempts, then failed with this error kept.
 */
export type Disposition =
  | { readonly kind: 'permanent' }
  | { readonly kind: 'throttle-transport'; readonly delayMs: number }
  | { readonly kind: 'hold-domain'; readonly holdMs: number }
  | { readonly kind: 'backoff-recipient' }
  | { readonly kind: 'transient' };

/** Tunables of the retry policy; every field documents its default. */
export interface RetryPolicyOptions {
  /** How long a recipient domain is held after a `hold-domain` answer. Default 600 000 (10 min, Tencent SES's value). */
  readonly domainHoldMs: number;
  /** Transport slow-down after a throttling answer without Retry-After. Default 1 000. */
  readonly throttleDelayMs: number;
  /** First per-recipient backoff after a `backoff-recipient` answer; doubles each time. Default 60 000. */
  readonly recipientBackoffMs: number;
  /** Most per-recipient backoffs before the recipient is failed. Default 5. */
  readonly maxRecipientBackoffs: number;
  /** Attempts for transient failures (first try included). Default 8. */
  readonly maxAttempts: number;
  /** Base of the exponential transient backoff. Default 1 000. */
  readonly backoffBaseMs: number;
  /**
   * Throttling answers (kind `throttled`: Tencent's RequestLimitExceeded, HTTP 429, SMTP 421/451/454)
   * one job may take without spending an attempt; each pauses the whole transport. Past it, a throttling answer is handled
   * as a transient error (attempts, backoff, then failed with the throttling code kept) and no
   * longer pauses the transport, so one message the provider always throttles cannot stall the
   * rest forever. Default 10 (SEND_MAX_THROTTLES).
   */
  readonly maxThrottles: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicyOptions = {
  domainHoldMs: 600_000,
  throttleDelayMs: 1_000,
  recipientBackoffMs: 60_000,
  maxRecipientBackoffs: 5,
  maxAttempts: 8,
  backoffBaseMs: 1_000,
  maxThrottles: 10,
};

/**
 * The disposition of a provider error. Guarantees: every error gets exactly one disposition,
 * decided by the kind its transport gave it (each transport classifies its own provider's answers,
 * e.g. transports' tencent-ses-classify.ts and smtp-classify.ts) and, for throttling, the delay the
 * provider asked for (`retryAfterMs`, else `throttleDelayMs`); an error no transport classified
 * (`kind` undefined) is transient. No vendor's code is read here.
 */
export function classifyProviderError(err: ProviderError, options: RetryPolicyOptions = DEFAULT_RETRY_POLICY): Disposition {
  switch (err.kind) {
    case 'hold-domain':
      return { kind: 'hold-domain', holdMs: options.domainHoldMs };
    case 'backoff-recipient':
      return { kind: 'backoff-recipient' };
    case 'throttled':
      return { kind: 'throttle-transport', delayMs: err.retryAfterMs ?? options.throttleDelayMs };
    case 'permanent':
      return { kind: 'permanent' };
    case 'transient':
    case undefined:
      return { kind: 'transient' };
  }
}

/**
 * Delay before the next transient attempt: `base * 2^(attemptsMade-1)`, ±50 % jitter, capped at 10 min.
 * `random` is injected so tests are deterministic.
 */
export function transientBackoffMs(attemptsMade: number, options: RetryPolicyOptions, random: () => number = Math.random): number {
  const exp = options.backoffBaseMs * 2 ** Math.max(0, attemptsMade - 1);
  // The cap applies after the jitter, so no delay ever exceeds 10 min.
  return Math.min(Math.round(Math.min(exp, 600_000) * (0.5 + random())), 600_000);
}

/** Delay before retrying a recipient after its `n`-th `backoff-recipient` answer (n ≥ 1), or undefined when it must fail. */
export function recipientBackoffMs(n: number, options: RetryPolicyOptions): number | undefined {
  if (n > options.maxRecipientBackoffs) return undefined;
  return options.recipientBackoffMs * 2 ** (n - 1);
}
