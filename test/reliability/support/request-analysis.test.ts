import { describe, expect, it } from 'vitest';
import { arrivalsDuringPauses, byRecipient, countByOutcome, type ObservedRequest, shortGaps } from './request-analysis.ts';

const req = (arrivedAtMs: number, recipient: string, outcome: ObservedRequest['outcome'], extra: Partial<ObservedRequest> = {}): ObservedRequest => ({
  arrivedAtMs,
  answeredAtMs: arrivedAtMs + 5,
  outcome,
  clientGone: false,
  recipients: [recipient],
  ...extra,
});
const accepted = { kind: 'accepted', messageId: 'm', requestId: 'r' } as const;
const limited = { kind: 'error', code: 'RequestLimitExceeded', requestId: 'r' } as const;

describe('request analysis', () => {
  it('groups requests per recipient in arrival order and labels each outcome', () => {
    const rs = [
      req(30, 'a', accepted),
      req(10, 'a', { kind: 'reset' }),
      req(20, 'b', accepted, { clientGone: true }),
      req(40, 'b', { kind: 'http', status: 503 }),
    ];
    expect(
      byRecipient(rs)
        .get('a')
        ?.map((r) => r.arrivedAtMs),
    ).toEqual([10, 30]);
    expect(countByOutcome([...rs, req(50, 'c', undefined)])).toEqual({ 'HTTP.503': 1, accepted: 1, 'accepted-after-timeout': 1, reset: 1, unanswered: 1 });
  });

  it('counts arrivals inside a pause after its grace as violations, and those inside the grace apart', () => {
    const rs = [
      req(0, 'x', limited), // answered at 5: pause until 1005
      req(30, 'a', accepted), // 25 ms after the answer: in flight
      req(500, 'b', accepted), // violation
      req(1006, 'c', accepted), // after the pause
      req(2000, 'y', { kind: 'http', status: 429 }),
    ];
    const r = arrivalsDuringPauses(rs, { pauseMsOf: () => 1000, graceMs: 50 });
    expect(r.pauses).toHaveLength(2);
    expect(r.inGrace).toBe(1);
    expect(r.violations.map((v) => [v.arrivedAtMs, v.offsetMs, v.recipients])).toEqual([[500, 495, ['b']]]);
  });

  it('finds gaps shorter than the policy allows, within a tolerance', () => {
    expect(shortGaps([0, 990, 1500, 3500], [1000, 1000, 1000], 20)).toEqual([{ index: 2, gapMs: 510, minMs: 1000 }]);
  });
});
