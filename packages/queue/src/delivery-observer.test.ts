import { ProviderError, type RecipientState } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { type DeliveryObserver, observeOutcomes, observeRequest } from './delivery-observer.ts';

function recordingObserver() {
  const mails: Parameters<DeliveryObserver['mailOutcome']>[0][] = [];
  const requests: Parameters<DeliveryObserver['providerRequest']>[0][] = [];
  const observer: DeliveryObserver = {
    mailOutcome: (e) => void mails.push(e),
    providerRequest: (e) => void requests.push(e),
    rateLimitWait: () => undefined,
    scheduleLag: () => undefined,
  };
  return { observer, mails, requests };
}

const failed = (code: string): RecipientState => ({ state: 'failed', at: 1, code, message: 'no', transient: false });

describe('observeOutcomes', () => {
  it('counts recorded updates once per outcome and error code, and ignores re-queued recipients', () => {
    const { observer, mails } = recordingObserver();
    const updates = new Map<string, RecipientState>([
      ['a@x.org', { state: 'sent', at: 1, response: '250 ok' }],
      ['b@x.org', { state: 'sent', at: 1, response: '250 ok' }],
      ['c@x.org', failed('FailedOperation.IncorrectEmail')],
      ['d@x.org', failed('FailedOperation.IncorrectEmail')],
      ['e@x.org', { state: 'deferred', at: 1, until: 2, code: 'FailedOperation.FrequencyLimit', message: 'slow', backoffs: 1 }],
      ['f@x.org', { state: 'queued', queuedAt: 1 }],
    ]);
    observeOutcomes(observer, 'tencent-ses', updates);
    expect(mails).toEqual([
      { transport: 'tencent-ses', outcome: 'sent', errorCode: '', count: 2 },
      { transport: 'tencent-ses', outcome: 'failed', errorCode: 'FailedOperation.IncorrectEmail', count: 2 },
      { transport: 'tencent-ses', outcome: 'deferred', errorCode: 'FailedOperation.FrequencyLimit', count: 1 },
    ]);
  });
});

describe('observeRequest', () => {
  const startedAtMs = performance.now();

  it('reports an answered request by its duration only: its recipients are counted from the ledger updates', () => {
    const { observer, mails, requests } = recordingObserver();
    observeRequest(observer, {
      transport: 'smtp',
      startedAtMs,
      recipients: 3,
      decision: { updates: new Map(), holds: new Map(), followUp: { kind: 'continue' } },
      errorCode: undefined,
    });
    expect(requests).toEqual([{ transport: 'smtp', outcome: 'answered', durationSeconds: expect.any(Number) }]);
    expect(requests[0]?.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(mails).toEqual([]);
  });

  it('counts every recipient of a throttled request as throttled with the provider code', () => {
    const { observer, mails, requests } = recordingObserver();
    const decision = { updates: new Map(), holds: new Map(), followUp: { kind: 'throttle' as const, delayMs: 1000 } };
    observeRequest(observer, { transport: 'tencent-ses', startedAtMs, recipients: 4, decision, errorCode: 'RequestLimitExceeded' });
    expect(requests.map((r) => r.outcome)).toEqual(['throttled']);
    expect(mails).toEqual([{ transport: 'tencent-ses', outcome: 'throttled', errorCode: 'RequestLimitExceeded', count: 4 }]);
  });

  it('counts every recipient of a request that will be retried with backoff as retried, and the request as an error', () => {
    const { observer, mails, requests } = recordingObserver();
    const error = new ProviderError('InternalError', 'boom');
    observeRequest(observer, {
      transport: 'tencent-ses',
      startedAtMs,
      recipients: 2,
      decision: { updates: new Map(), holds: new Map(), followUp: { kind: 'retry', error } },
      errorCode: 'InternalError',
    });
    expect(requests.map((r) => r.outcome)).toEqual(['error']);
    expect(mails).toEqual([{ transport: 'tencent-ses', outcome: 'retried', errorCode: 'InternalError', count: 2 }]);
  });
});
