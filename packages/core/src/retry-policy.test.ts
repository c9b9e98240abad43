import { describe, expect, it } from 'vitest';
import { ProviderError, type ProviderFailureKind } from './provider-error.ts';
import { classifyProviderError, DEFAULT_RETRY_POLICY, type RetryPolicyOptions, recipientBackoffMs, transientBackoffMs } from './retry-policy.ts';

const policy: RetryPolicyOptions = {
  domainHoldMs: 600_000,
  throttleDelayMs: 1_500,
  recipientBackoffMs: 60_000,
  maxRecipientBackoffs: 3,
  maxAttempts: 5,
  backoffBaseMs: 1_000,
  maxThrottles: 10,
};

const classified = (kind: ProviderFailureKind | undefined, extra: { retryAfterMs?: number } = {}) =>
  new ProviderError('Any.Code', 'a provider answer', { ...(kind === undefined ? {} : { kind }), ...extra });

describe('classifyProviderError', () => {
  it('holds the recipient domain for domainHoldMs after a hold-domain answer', () => {
    expect(classifyProviderError(classified('hold-domain'), policy)).toEqual({ kind: 'hold-domain', holdMs: 600_000 });
    expect(classifyProviderError(classified('hold-domain'), { ...policy, domainHoldMs: 5 })).toEqual({ kind: 'hold-domain', holdMs: 5 });
  });

  it('backs off only the recipient after a backoff-recipient answer', () => {
    expect(classifyProviderError(classified('backoff-recipient'), policy)).toEqual({ kind: 'backoff-recipient' });
  });

  it('throttles the whole transport after a throttled answer, for the configured delay or the Retry-After the provider gave', () => {
    expect(classifyProviderError(classified('throttled'), policy)).toEqual({ kind: 'throttle-transport', delayMs: 1_500 });
    expect(classifyProviderError(classified('throttled', { retryAfterMs: 7_000 }), policy)).toEqual({ kind: 'throttle-transport', delayMs: 7_000 });
  });

  it('fails a permanent answer for good and retries a transient one', () => {
    expect(classifyProviderError(classified('permanent'), policy)).toEqual({ kind: 'permanent' });
    expect(classifyProviderError(classified('transient'), policy)).toEqual({ kind: 'transient' });
  });

  it('treats an error no transport classified as transient, whatever its code says', () => {
    for (const code of ['FailedOperation.TemporaryBlocked', 'RequestLimitExceeded', 'SMTP.550', 'Network.ECONNRESET', 'SomethingElse']) {
      expect(classifyProviderError(new ProviderError(code, 'unclassified', { smtpCode: 550, httpStatus: 429 }), policy)).toEqual({ kind: 'transient' });
    }
  });

  it('ignores retryAfterMs for every kind but throttled', () => {
    expect(classifyProviderError(classified('transient', { retryAfterMs: 9_000 }), policy)).toEqual({ kind: 'transient' });
    expect(classifyProviderError(classified('hold-domain', { retryAfterMs: 9_000 }), policy)).toEqual({ kind: 'hold-domain', holdMs: 600_000 });
  });

  it('uses the default policy when none is given', () => {
    expect(classifyProviderError(classified('hold-domain'))).toEqual({ kind: 'hold-domain', holdMs: DEFAULT_RETRY_POLICY.domainHoldMs });
  });
});

describe('transientBackoffMs', () => {
  it('doubles from backoffBaseMs with each attempt when the jitter is neutral', () => {
    const neutral = () => 0.5;
    expect([1, 2, 3, 4].map((n) => transientBackoffMs(n, policy, neutral))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('stays within ±50 % of the exponential delay for any random value', () => {
    for (const r of [0, 0.25, 0.999_999]) {
      const delay = transientBackoffMs(3, policy, () => r);
      expect(delay).toBeGreaterThanOrEqual(2_000);
      expect(delay).toBeLessThanOrEqual(6_000);
    }
    expect(transientBackoffMs(3, policy, () => 0)).toBe(2_000);
  });

  it('never waits longer than 10 minutes, however many attempts were made and whatever the jitter', () => {
    for (const r of [0, 0.5, 0.999_999]) {
      const delay = transientBackoffMs(40, policy, () => r);
      expect(delay).toBeLessThanOrEqual(600_000);
      expect(delay).toBeGreaterThanOrEqual(300_000);
    }
  });

  it('treats an attempt count below 1 like the first attempt', () => {
    expect(transientBackoffMs(0, policy, () => 0.5)).toBe(1_000);
  });
});

describe('recipientBackoffMs', () => {
  it('doubles the per-recipient backoff from recipientBackoffMs for each FrequencyLimit', () => {
    expect([1, 2, 3].map((n) => recipientBackoffMs(n, policy))).toEqual([60_000, 120_000, 240_000]);
  });

  it('answers undefined once maxRecipientBackoffs is exceeded, so the recipient fails', () => {
    expect(recipientBackoffMs(4, policy)).toBeUndefined();
  });
});
