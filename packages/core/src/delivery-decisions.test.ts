import { describe, expect, it } from 'vitest';
import { decideOnError, decideOnOutcomes, nextDueAt, type PlanInput, planDelivery } from './delivery-decisions.ts';
import { DeliveryRefusal } from './delivery-refusal.ts';
import type { RecipientOutcome } from './mail-message.ts';
import { ProviderError, type ProviderFailureKind } from './provider-error.ts';
import type { RecipientState } from './recipient-state.ts';
import type { RetryPolicyOptions } from './retry-policy.ts';

const NOW = 1_700_000_000_000;

const policy: RetryPolicyOptions = {
  domainHoldMs: 600_000,
  throttleDelayMs: 2_000,
  recipientBackoffMs: 60_000,
  maxRecipientBackoffs: 3,
  maxAttempts: 4,
  backoffBaseMs: 1_000,
  maxThrottles: 3,
};

const queued: RecipientState = { state: 'queued', queuedAt: NOW - 1_000 };
const sent: RecipientState = { state: 'sent', at: NOW - 500, response: '250 OK' };

function addresses(n: number, domain = 'example.com'): string[] {
  return Array.from({ length: n }, (_, i) => `user${i}@${domain}`);
}

function allQueued(recipients: readonly string[]): Map<string, RecipientState> {
  return new Map(recipients.map((r) => [r, queued]));
}

function plan(overrides: Partial<PlanInput> & Pick<PlanInput, 'recipients'>) {
  return planDelivery({
    states: allQueued(overrides.recipients),
    nowMs: NOW,
    unsubscribed: new Set(),
    domainHolds: new Map(),
    chunkSize: 50,
    personal: false,
    ...overrides,
  });
}

// The kind each answer used here gets from its transport (tencent-ses-classify.ts, smtp-classify.ts):
// the decisions act on the kind only.
const KIND_OF: Readonly<Record<string, ProviderFailureKind>> = {
  'FailedOperation.IncorrectEmail': 'permanent',
  'FailedOperation.TemporaryBlocked': 'hold-domain',
  'FailedOperation.FrequencyLimit': 'backoff-recipient',
  RequestLimitExceeded: 'throttled',
  'RequestLimitExceeded.IPLimitExceeded': 'throttled',
  'HTTP.429': 'throttled',
  'SMTP.421': 'throttled',
  'SMTP.451': 'throttled',
  'SMTP.454': 'throttled',
  'SMTP.450': 'transient',
  'SMTP.550': 'permanent',
  'Network.ECONNRESET': 'transient',
  InternalError: 'transient',
};

const err = (code: string, extra: { smtpCode?: number; httpStatus?: number } = {}) => {
  const kind = KIND_OF[code];
  return new ProviderError(code, `provider said ${code}`, { ...extra, ...(kind === undefined ? {} : { kind }) });
};

describe('planDelivery', () => {
  it('splits due recipients into requests that never exceed chunkSize, in message order', () => {
    const recipients = addresses(7);
    const { requests, updates } = plan({ recipients, chunkSize: 3 });
    expect(requests).toEqual([recipients.slice(0, 3), recipients.slice(3, 6), recipients.slice(6)]);
    expect(requests.every((r) => r.length <= 3)).toBe(true);
    expect(updates.size).toBe(0);
  });

  it('sends one recipient per request when the copies are personal', () => {
    const recipients = addresses(3);
    const { requests } = plan({ recipients, chunkSize: 50, personal: true });
    expect(requests).toEqual(recipients.map((r) => [r]));
  });

  it('never plans a recipient twice when it appears in To and Cc', () => {
    const { requests } = plan({ recipients: ['a@example.com', 'b@example.com', 'a@example.com'] });
    expect(requests).toEqual([['a@example.com', 'b@example.com']]);
  });

  it('plans a mailbox once when it appears again in another case, under its first spelling', () => {
    const recipients = ['Bob@example.com', 'ann@example.com', 'bob@EXAMPLE.com', 'BOB@example.com'];
    const { requests } = plan({ recipients, states: allQueued(['Bob@example.com', 'ann@example.com']) });
    expect(requests).toEqual([['Bob@example.com', 'ann@example.com']]);
  });

  it('never re-plans a recipient that was already sent or failed', () => {
    const recipients = ['sent@example.com', 'failed@example.com', 'new@example.com'];
    const states = new Map<string, RecipientState>([
      ['sent@example.com', sent],
      ['failed@example.com', { state: 'failed', at: NOW - 1, code: 'SMTP.550', message: 'no such user', transient: false }],
      ['new@example.com', queued],
    ]);
    const { requests, updates } = plan({ recipients, states });
    expect(requests).toEqual([['new@example.com']]);
    expect(updates.size).toBe(0);
  });

  it('plans a deferred recipient only once its time has come', () => {
    const deferredUntil = (until: number): RecipientState => ({
      state: 'deferred',
      at: NOW - 10,
      until,
      code: 'FailedOperation.FrequencyLimit',
      message: 'slow down',
      backoffs: 1,
    });
    const states = new Map<string, RecipientState>([
      ['later@example.com', deferredUntil(NOW + 1)],
      ['due@example.com', deferredUntil(NOW)],
    ]);
    const { requests } = plan({ recipients: ['later@example.com', 'due@example.com'], states });
    expect(requests).toEqual([['due@example.com']]);
  });

  it('fails unsubscribed recipients as Postmill.Unsubscribed before any request', () => {
    const { requests, updates } = plan({ recipients: ['gone@example.com', 'stay@example.com'], unsubscribed: new Set(['gone@example.com']) });
    expect(requests).toEqual([['stay@example.com']]);
    expect(updates.get('gone@example.com')).toEqual({
      state: 'failed',
      at: NOW,
      code: DeliveryRefusal.Unsubscribed,
      message: expect.any(String),
      transient: false,
    });
  });

  it('defers recipients of a held domain to the end of the hold, whatever the case of their domain', () => {
    const until = NOW + 300_000;
    const { requests, updates } = plan({
      recipients: ['a@Blocked.example', 'b@open.example'],
      domainHolds: new Map([['blocked.example', until]]),
    });
    expect(requests).toEqual([['b@open.example']]);
    expect(updates.get('a@Blocked.example')).toMatchObject({ state: 'deferred', until, code: DeliveryRefusal.DomainHeld, backoffs: 0 });
  });

  it('ignores a domain hold that has already ended', () => {
    const { requests, updates } = plan({ recipients: ['a@blocked.example'], domainHolds: new Map([['blocked.example', NOW]]) });
    expect(requests).toEqual([['a@blocked.example']]);
    expect(updates.size).toBe(0);
  });

  it('keeps the FrequencyLimit backoff count of a recipient it defers for a domain hold', () => {
    const states = new Map<string, RecipientState>([
      ['a@blocked.example', { state: 'deferred', at: NOW - 10, until: NOW - 1, code: 'FailedOperation.FrequencyLimit', message: 'slow', backoffs: 2 }],
    ]);
    const { updates } = plan({ recipients: ['a@blocked.example'], states, domainHolds: new Map([['blocked.example', NOW + 1_000]]) });
    expect(updates.get('a@blocked.example')).toMatchObject({ state: 'deferred', backoffs: 2 });
  });
});

describe('decideOnError', () => {
  const recipients = ['a@example.com', 'b@other.example'];
  const ctx = (finalAttempt = false, states: ReadonlyMap<string, RecipientState> = allQueued(recipients)) => ({
    states,
    nowMs: NOW,
    policy,
    finalAttempt,
    throttles: 0,
  });

  it('fails every recipient of the request for good after a permanent error, keeping its code', () => {
    const d = decideOnError(recipients, err('FailedOperation.IncorrectEmail'), ctx());
    expect(d.followUp).toEqual({ kind: 'continue' });
    for (const r of recipients) {
      expect(d.updates.get(r)).toEqual({
        state: 'failed',
        at: NOW,
        code: 'FailedOperation.IncorrectEmail',
        message: 'provider said FailedOperation.IncorrectEmail',
        transient: false,
      });
    }
  });

  it('throttles the transport after RequestLimitExceeded without touching any recipient or spending an attempt', () => {
    const d = decideOnError(recipients, err('RequestLimitExceeded'), ctx());
    expect(d.followUp).toEqual({ kind: 'throttle', delayMs: 2_000 });
    expect(d.updates.size).toBe(0);
    expect(d.holds.size).toBe(0);
  });

  it('throttles for the first maxThrottles throttling answers of a job, then spends an attempt without pausing the transport, then fails on the final attempt with the code kept', () => {
    const throttling = err('RequestLimitExceeded');
    const followUps = [0, 1, 2, 3, 4].map((throttles) => decideOnError(recipients, throttling, { ...ctx(false), throttles }).followUp.kind);
    // maxThrottles is 3: answers with 0, 1 and 2 earlier throttles pause; the 4th and later retry.
    expect(followUps).toEqual(['throttle', 'throttle', 'throttle', 'retry', 'retry']);
    const retried = decideOnError(recipients, throttling, { ...ctx(false), throttles: 3 });
    expect(retried).toEqual({ updates: new Map(), holds: new Map(), followUp: { kind: 'retry', error: throttling } });
    const last = decideOnError(recipients, throttling, { ...ctx(true), throttles: 3 });
    expect(last.followUp).toEqual({ kind: 'continue' });
    for (const r of recipients) {
      expect(last.updates.get(r)).toEqual({
        state: 'failed',
        at: NOW,
        code: 'RequestLimitExceeded',
        message: 'provider said RequestLimitExceeded',
        transient: true,
      });
    }
  });

  it('ends a job the provider always throttles after exactly maxThrottles pauses plus maxAttempts attempts, failed with the code kept', () => {
    // The worker's loop, played out: a throttle adds one to the job's count and spends no attempt;
    // a retry spends one; the final attempt records the outcome.
    let throttles = 0;
    let attemptsMade = 0;
    let requests = 0;
    for (;;) {
      requests++;
      const d = decideOnError(recipients, err('RequestLimitExceeded'), { ...ctx(attemptsMade + 1 >= policy.maxAttempts), throttles });
      if (d.followUp.kind === 'throttle') throttles++;
      else if (d.followUp.kind === 'retry') attemptsMade++;
      else {
        expect(d.updates.get('b@other.example')).toMatchObject({ state: 'failed', code: 'RequestLimitExceeded', transient: true });
        break;
      }
    }
    expect({ requests, throttles, attemptsMade: attemptsMade + 1 }).toEqual({ requests: 3 + 4, throttles: 3, attemptsMade: 4 });
  });

  it('still throttles below the bound on the final attempt, since a throttle spends no attempt', () => {
    const d = decideOnError(recipients, err('SMTP.421', { smtpCode: 421 }), { ...ctx(true), throttles: 2 });
    expect(d.followUp).toEqual({ kind: 'throttle', delayMs: 2_000 });
    expect(d.updates.size).toBe(0);
  });

  it('treats every throttling kind the same at the bound (HTTP 429, SMTP 421/451/454, RequestLimitExceeded.*)', () => {
    const answers = [
      err('HTTP.429', { httpStatus: 429 }),
      err('SMTP.421', { smtpCode: 421 }),
      err('SMTP.451', { smtpCode: 451 }),
      err('SMTP.454', { smtpCode: 454 }),
      err('RequestLimitExceeded.IPLimitExceeded'),
    ];
    for (const a of answers) {
      expect(decideOnError(recipients, a, { ...ctx(false), throttles: 2 }).followUp.kind).toBe('throttle');
      expect(decideOnError(recipients, a, { ...ctx(false), throttles: 3 }).followUp.kind).toBe('retry');
    }
  });

  it('never throttles when maxThrottles is 0: the first throttling answer already spends an attempt', () => {
    const d = decideOnError(recipients, err('RequestLimitExceeded'), { ...ctx(false), throttles: 0, policy: { ...policy, maxThrottles: 0 } });
    expect(d.followUp.kind).toBe('retry');
  });

  it('leaves the other dispositions alone whatever the throttle count (a permanent error still fails at once)', () => {
    const d = decideOnError(recipients, err('FailedOperation.IncorrectEmail'), { ...ctx(false), throttles: 99 });
    expect(d.followUp).toEqual({ kind: 'continue' });
    expect(d.updates.get('a@example.com')).toMatchObject({ state: 'failed', transient: false });
  });

  it('holds each recipient domain after FailedOperation.TemporaryBlocked and defers its recipients to the end of the hold', () => {
    const d = decideOnError(recipients, err('FailedOperation.TemporaryBlocked'), ctx());
    const until = NOW + 600_000;
    expect(d.holds).toEqual(
      new Map([
        ['example.com', until],
        ['other.example', until],
      ]),
    );
    expect(d.updates.get('a@example.com')).toMatchObject({ state: 'deferred', until, code: 'FailedOperation.TemporaryBlocked', backoffs: 0 });
    expect(d.followUp).toEqual({ kind: 'continue' });
  });

  it('rethrows a transient error for BullMQ backoff while attempts are left, recording nothing', () => {
    const e = err('Network.ECONNRESET');
    const d = decideOnError(recipients, e, ctx(false));
    expect(d.followUp).toEqual({ kind: 'retry', error: e });
    expect(d.updates.size).toBe(0);
  });

  it('fails every recipient with transient:true and the error code kept when a transient error hits the final attempt', () => {
    const d = decideOnError(recipients, err('InternalError'), ctx(true));
    expect(d.followUp).toEqual({ kind: 'continue' });
    for (const r of recipients) expect(d.updates.get(r)).toMatchObject({ state: 'failed', code: 'InternalError', transient: true });
  });

  it('doubles the FrequencyLimit backoff for each time a recipient hits it and fails it after maxRecipientBackoffs', () => {
    let states: Map<string, RecipientState> = allQueued(['a@example.com']);
    const waits: number[] = [];
    for (let i = 0; i < policy.maxRecipientBackoffs; i++) {
      const d = decideOnError(['a@example.com'], err('FailedOperation.FrequencyLimit'), { states, nowMs: NOW, policy, finalAttempt: false, throttles: 0 });
      const next = d.updates.get('a@example.com');
      if (next?.state !== 'deferred') throw new Error(`expected deferred, got ${next?.state}`);
      expect(next.backoffs).toBe(i + 1);
      expect(next.code).toBe('FailedOperation.FrequencyLimit');
      waits.push(next.until - NOW);
      states = new Map([['a@example.com', next]]);
    }
    expect(waits).toEqual([60_000, 120_000, 240_000]);
    const last = decideOnError(['a@example.com'], err('FailedOperation.FrequencyLimit'), { states, nowMs: NOW, policy, finalAttempt: false, throttles: 0 });
    expect(last.updates.get('a@example.com')).toMatchObject({ state: 'failed', code: 'FailedOperation.FrequencyLimit', transient: true });
  });
});

describe('decideOnOutcomes', () => {
  const ctx = (states: ReadonlyMap<string, RecipientState>) => ({ states, nowMs: NOW, policy, random: () => 0.5 });

  it('marks accepted recipients sent with the provider response', () => {
    const outcomes: RecipientOutcome[] = [{ recipient: 'a@example.com', accepted: true, response: '250 2.0.0 queued as X' }];
    const d = decideOnOutcomes(outcomes, ctx(allQueued(['a@example.com'])));
    expect(d.updates.get('a@example.com')).toEqual({ state: 'sent', at: NOW, response: '250 2.0.0 queued as X' });
    expect(d.followUp).toEqual({ kind: 'continue' });
  });

  it('classifies each rejected recipient alone: a 5xx fails it, a domain block holds it, the others still go', () => {
    const outcomes: RecipientOutcome[] = [
      { recipient: 'ok@example.com', accepted: true, response: '250 OK' },
      { recipient: 'nouser@example.com', accepted: false, error: err('SMTP.550', { smtpCode: 550 }) },
      { recipient: 'held@blocked.example', accepted: false, error: err('FailedOperation.TemporaryBlocked') },
    ];
    const d = decideOnOutcomes(outcomes, ctx(allQueued(outcomes.map((o) => o.recipient))));
    expect(d.updates.get('ok@example.com')).toMatchObject({ state: 'sent' });
    expect(d.updates.get('nouser@example.com')).toMatchObject({ state: 'failed', code: 'SMTP.550', transient: false });
    expect(d.updates.get('held@blocked.example')).toMatchObject({ state: 'deferred', until: NOW + 600_000, backoffs: 0 });
    expect(d.holds).toEqual(new Map([['blocked.example', NOW + 600_000]]));
  });

  it('defers a recipient after a 4xx reply with a jittered transient backoff and fails it once maxRecipientBackoffs is spent', () => {
    const outcome: RecipientOutcome = { recipient: 'busy@example.com', accepted: false, error: err('SMTP.450', { smtpCode: 450 }) };
    const first = decideOnOutcomes([outcome], ctx(allQueued(['busy@example.com'])));
    expect(first.updates.get('busy@example.com')).toMatchObject({ state: 'deferred', until: NOW + 1_000, code: 'SMTP.450', backoffs: 1 });
    const spent = new Map<string, RecipientState>([
      ['busy@example.com', { state: 'deferred', at: NOW - 1, until: NOW - 1, code: 'SMTP.450', message: 'busy', backoffs: policy.maxRecipientBackoffs }],
    ]);
    const last = decideOnOutcomes([outcome], ctx(spent));
    expect(last.updates.get('busy@example.com')).toMatchObject({ state: 'failed', code: 'SMTP.450', transient: true });
  });

  it('backs off a recipient rejected with FrequencyLimit by the per-recipient backoff', () => {
    const outcome: RecipientOutcome = { recipient: 'a@example.com', accepted: false, error: err('FailedOperation.FrequencyLimit') };
    const d = decideOnOutcomes([outcome], ctx(allQueued(['a@example.com'])));
    expect(d.updates.get('a@example.com')).toMatchObject({ state: 'deferred', until: NOW + 60_000, backoffs: 1 });
  });
});

describe('nextDueAt', () => {
  it('answers the earliest deferral end, ignoring other states', () => {
    const states = new Map<string, RecipientState>([
      ['a', { state: 'deferred', at: NOW, until: NOW + 5_000, code: 'X', message: 'y', backoffs: 0 }],
      ['b', { state: 'deferred', at: NOW, until: NOW + 2_000, code: 'X', message: 'y', backoffs: 0 }],
      ['c', queued],
      ['d', sent],
    ]);
    expect(nextDueAt(states)).toBe(NOW + 2_000);
  });

  it('answers undefined when no recipient is deferred', () => {
    expect(nextDueAt(new Map([['a', queued]]))).toBeUndefined();
  });
});
