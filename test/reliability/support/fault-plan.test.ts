import { describe, expect, it } from 'vitest';
import { buildFaultPlan, classOf, expectOutcome, type FaultScript, faultAt, type PolicyFigures, PROFILES, profileOf, scriptFor } from './fault-plan.ts';

const policy: PolicyFigures = {
  maxAttempts: 3,
  domainHoldMs: 1000,
  recipientBackoffMs: 1000,
  maxRecipientBackoffs: 5,
  throttleDelayMs: 1000,
  backoffBaseMs: 1000,
};
const internal = { kind: 'error', code: 'InternalError' } as const;

describe('fault plan', () => {
  it('gives an address the same script for the same seed, and reads its profile from the local part', () => {
    const opts = { seed: 7, maxAttempts: 4 };
    for (const p of PROFILES) expect(scriptFor(`s.${p}-3@faults.example`, opts)).toEqual(scriptFor(`s.${p}-3@faults.example`, opts));
    expect(profileOf('c.frequency-exhausted-12@faults.example')).toBe('frequency-exhausted');
    expect(profileOf('flaky-1@x.example')).toBe('flaky');
    expect(profileOf('someone@faults.example')).toBeUndefined();
    expect(scriptFor('someone@faults.example', opts)).toEqual({ steps: [], thereafter: { kind: 'accept' } });
    // The domain does not change the script: a recipient moved to a domain of its own keeps it.
    expect(scriptFor('s.mixed-2@a.example', opts)).toEqual(scriptFor('s.mixed-2@b.example', opts));
    const differs = Array.from({ length: 20 }, (_, n) => `s.flaky-${n}@faults.example`).some(
      (a) => JSON.stringify(scriptFor(a, opts)) !== JSON.stringify(scriptFor(a, { ...opts, seed: 8 })),
    );
    expect(differs).toBe(true);
  });

  it('classifies answers as the README documents, and refuses a code it has no documented class for', () => {
    expect(classOf({ kind: 'error', code: 'FailedOperation.TemporaryBlocked' })).toBe('hold-domain');
    expect(classOf({ kind: 'error', code: 'FailedOperation.FrequencyLimit' })).toBe('backoff-recipient');
    expect(classOf({ kind: 'error', code: 'RequestLimitExceeded.UinLimitExceeded' })).toBe('throttle');
    expect(classOf({ kind: 'http', status: 429 })).toBe('throttle');
    expect(classOf({ kind: 'http', status: 502 })).toBe('transient');
    expect(classOf({ kind: 'reset' })).toBe('transient');
    expect(classOf({ kind: 'timeout', accepted: true })).toBe('transient');
    expect(classOf(internal)).toBe('transient');
    expect(classOf({ kind: 'error', code: 'FailedOperation.IncorrectEmail' })).toBe('permanent');
    expect(() => classOf({ kind: 'error', code: 'FailedOperation.SomethingNew' })).toThrow(/no documented class/u);
  });

  it('expects a permanent answer to fail the recipient after exactly one request', () => {
    expect(expectOutcome({ steps: [], thereafter: { kind: 'error', code: 'FailedOperation.IncorrectEmail' } }, policy)).toEqual({
      final: 'failed',
      code: 'FailedOperation.IncorrectEmail',
      requests: 1,
      acceptedByFake: 0,
      minGapsMs: [],
      attemptsSpent: 1,
    });
  });

  it('expects transient answers to be retried up to SEND_MAX_ATTEMPTS with exponential gaps, then failed with the last code', () => {
    expect(expectOutcome({ steps: [internal, { kind: 'http', status: 503 }], thereafter: { kind: 'accept' } }, policy)).toMatchObject({
      final: 'sent',
      requests: 3,
      minGapsMs: [500, 1000],
      attemptsSpent: 3,
    });
    expect(expectOutcome({ steps: [], thereafter: { kind: 'http', status: 503 } }, policy)).toMatchObject({
      final: 'failed',
      code: 'HTTP.503',
      requests: 3,
      attemptsSpent: 3,
    });
    // A timeout the fake accepted is a mail the provider took: each one counts.
    expect(expectOutcome({ steps: [], thereafter: { kind: 'timeout', accepted: true } }, policy)).toMatchObject({
      final: 'failed',
      code: 'Network.Timeout',
      acceptedByFake: 3,
    });
    expect(expectOutcome({ steps: [{ kind: 'timeout', accepted: true }], thereafter: { kind: 'slow' } }, policy)).toMatchObject({
      final: 'sent',
      requests: 2,
      acceptedByFake: 2,
    });
  });

  it('expects holds, recipient backoffs and throttles to cost no attempt, each with its own gap', () => {
    const hold = { kind: 'error', code: 'FailedOperation.TemporaryBlocked' } as const;
    const freq = { kind: 'error', code: 'FailedOperation.FrequencyLimit' } as const;
    const script: FaultScript = {
      steps: [hold, { kind: 'http', status: 429, retryAfterSeconds: 2 }, freq, internal, freq, internal],
      thereafter: { kind: 'accept' },
    };
    expect(expectOutcome(script, policy)).toMatchObject({ final: 'sent', requests: 7, minGapsMs: [1000, 2000, 1000, 500, 2000, 1000], attemptsSpent: 3 });
  });

  it('expects FrequencyLimit to fail the recipient after five doubling backoffs', () => {
    expect(expectOutcome({ steps: [], thereafter: { kind: 'error', code: 'FailedOperation.FrequencyLimit' } }, policy)).toMatchObject({
      final: 'failed',
      code: 'FailedOperation.FrequencyLimit',
      requests: 6,
      minGapsMs: [1000, 2000, 4000, 8000, 16000],
    });
  });

  it('refuses a script that never ends', () => {
    expect(() => expectOutcome({ steps: [], thereafter: { kind: 'error', code: 'RequestLimitExceeded' } }, policy)).toThrow(/must end/u);
  });

  it('builds the counted recipients, unique, each holding recipient on a domain of its own, the same every time', () => {
    const counts = {
      ok: 5,
      slow: 2,
      bad: 2,
      blacklisted: 1,
      rejected: 1,
      flaky: 30,
      doomed: 6,
      held: 3,
      frequency: 3,
      'frequency-exhausted': 1,
      throttled: 4,
      mixed: 30,
    };
    const options = { seed: 42, maxAttempts: 3, counts, tag: 'c', domain: 'faults.example', policy };
    const plan = buildFaultPlan(options);
    expect(plan).toHaveLength(88);
    expect(buildFaultPlan(options)).toEqual(plan);
    expect(new Set(plan.map((r) => r.address)).size).toBe(plan.length);
    for (const r of plan) {
      expect(profileOf(r.address)).toBe(r.profile);
      expect(r.script).toEqual(scriptFor(r.address, options));
      const holds = [...r.script.steps, r.script.thereafter].some((f) => classOf(f) === 'hold-domain');
      expect(r.address.endsWith('@faults.example')).toBe(!holds);
    }
    const of = (p: string) => plan.filter((r) => r.profile === p);
    for (const r of of('flaky')) {
      expect(r.expected.final).toBe('sent');
      expect(r.expected.requests).toBeGreaterThanOrEqual(2);
      expect(r.expected.requests).toBeLessThanOrEqual(3);
    }
    for (const r of of('doomed')) expect(r.expected).toMatchObject({ final: 'failed', requests: 3 });
    for (const p of ['bad', 'blacklisted', 'rejected']) for (const r of of(p)) expect(r.expected).toMatchObject({ final: 'failed', requests: 1 });
    for (const r of of('held')) expect(r.expected).toMatchObject({ final: 'sent', requests: 2, minGapsMs: [1000] });
    // mixed never spends its last attempt on a transient answer, so it ends as its script says.
    for (const r of of('mixed')) expect(r.expected.attemptsSpent).toBeLessThanOrEqual(3);
    expect(of('mixed').some((r) => r.expected.final === 'failed')).toBe(true);
    // Seeded order: profiles are interleaved, not grouped.
    expect(plan.slice(0, 10).map((r) => r.profile)).not.toEqual(Array(10).fill(plan[0]?.profile));
    expect(faultAt(plan[0]?.script ?? { steps: [], thereafter: { kind: 'accept' } }, 99)).toEqual(plan[0]?.script.thereafter);
  });
});
