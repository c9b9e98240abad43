import { describe, expect, it } from 'vitest';
import { ProviderError } from './provider-error.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicyOptions, classifyProviderError, recipientBackoffMs, transientBackoffMs } from './retry-policy.ts';

const policy: RetryPolicyOptions = {
  domainHoldMs: 600_000,
  throttleDelayMs: 1_500,
  recipientBackoffMs: 60_000,
  maxRecipientBackoffs: 3,
  maxAttempts: 5,
  backoffBaseMs: 1_000,
  maxThrottles: 10,
};

const tencent = (code: string) => new ProviderError(code, `Tencent answered ${code}`);
const smtp = (smtpCode: number) => new ProviderError(`SMTP.${smtpCode}`, `${smtpCode} reply`, { smtpCode });
const http = (httpStatus: number, retryAfterMs?: number) =>
  new ProviderError(`HTTP.${httpStatus}`, `HTTP ${httpStatus}`, { httpStatus, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

describe('classifyProviderError', () => {
  it('holds the recipient domain for domainHoldMs after FailedOperation.TemporaryBlocked', () => {
    expect(classifyProviderError(tencent('FailedOperation.TemporaryBlocked'), policy)).toEqual({ kind: 'hold-domain', holdMs: 600_000 });
    expect(classifyProviderError(tencent('FailedOperation.TemporaryBlocked'), { ...policy, domainHoldMs: 5 })).toEqual({ kind: 'hold-domain', holdMs: 5 });
  });

  it('backs off only the recipient after FailedOperation.FrequencyLimit', () => {
    expect(classifyProviderError(tencent('FailedOperation.FrequencyLimit'), policy)).toEqual({ kind: 'backoff-recipient' });
  });

  it('throttles the whole transport after RequestLimitExceeded and its sub-codes, using the configured delay', () => {
    expect(classifyProviderError(tencent('RequestLimitExceeded'), policy)).toEqual({ kind: 'throttle-transport', delayMs: 1_500 });
    expect(classifyProviderError(tencent('RequestLimitExceeded.UinLimitExceeded'), policy)).toEqual({ kind: 'throttle-transport', delayMs: 1_500 });
  });

  it('throttles the whole transport after HTTP 429 and honours its Retry-After', () => {
    expect(classifyProviderError(http(429), policy)).toEqual({ kind: 'throttle-transport', delayMs: 1_500 });
    expect(classifyProviderError(http(429, 7_000), policy)).toEqual({ kind: 'throttle-transport', delayMs: 7_000 });
  });

  it('throttles the whole transport after SMTP 421, 451 and 454', () => {
    for (const code of [421, 451, 454]) {
      expect(classifyProviderError(smtp(code), policy)).toEqual({ kind: 'throttle-transport', delayMs: 1_500 });
    }
  });

  it('treats other SMTP 4xx replies as transient and every SMTP 5xx reply as permanent', () => {
    for (const code of [450, 452]) expect(classifyProviderError(smtp(code), policy)).toEqual({ kind: 'transient' });
    for (const code of [550, 551, 552, 553, 554]) expect(classifyProviderError(smtp(code), policy)).toEqual({ kind: 'permanent' });
  });

  it('treats network failures and timeouts as transient', () => {
    for (const code of ['Network.ECONNRESET', 'Network.ECONNREFUSED', 'Network.Timeout', 'Network.InvalidResponse', 'Network.Unknown']) {
      expect(classifyProviderError(tencent(code), policy)).toEqual({ kind: 'transient' });
    }
  });

  it('treats HTTP 5xx and 408 as transient and other non-200 HTTP answers as permanent', () => {
    for (const status of [500, 502, 503, 504, 408]) expect(classifyProviderError(http(status), policy)).toEqual({ kind: 'transient' });
    for (const status of [400, 401, 403, 404]) expect(classifyProviderError(http(status), policy)).toEqual({ kind: 'permanent' });
  });

  it('treats InternalError, its sub-codes and Tencent availability errors as transient', () => {
    for (const code of ['InternalError', 'InternalError.Unknown', 'ServiceUnavailable', 'ResourceUnavailable', 'ResourceInsufficient', 'FailedOperation.ServiceNotAvailable']) {
      expect(classifyProviderError(tencent(code), policy)).toEqual({ kind: 'transient' });
    }
  });

  it('fails the recipient for good after IncorrectEmail, EmailAddrInBlacklist, ReceiverHasUnsubscribed and RejectedByRecipients', () => {
    for (const code of [
      'FailedOperation.IncorrectEmail',
      'FailedOperation.EmailAddrInBlacklist',
      'FailedOperation.ReceiverHasUnsubscribed',
      'FailedOperation.RejectedByRecipients',
    ]) {
      expect(classifyProviderError(tencent(code), policy)).toEqual({ kind: 'permanent' });
    }
  });

  it('treats unknown FailedOperation, InvalidParameter, MissingParameter, AuthFailure and UnauthorizedOperation codes as permanent', () => {
    for (const code of [
      'FailedOperation.SomethingNew',
      'InvalidParameter',
      'InvalidParameterValue.SubjectLengthError',
      'MissingParameter',
      'AuthFailure.SignatureFailure',
      'UnauthorizedOperation',
      'UnknownParameter',
    ]) {
      expect(classifyProviderError(tencent(code), policy)).toEqual({ kind: 'permanent' });
    }
  });

  it('treats an unrecognised code outside the Tencent namespaces as transient', () => {
    expect(classifyProviderError(tencent('SomethingElse'), policy)).toEqual({ kind: 'transient' });
  });

  it('uses the default policy when none is given', () => {
    expect(classifyProviderError(tencent('FailedOperation.TemporaryBlocked'))).toEqual({ kind: 'hold-domain', holdMs: DEFAULT_RETRY_POLICY.domainHoldMs });
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
