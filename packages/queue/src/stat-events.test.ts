import type { StatisticsStore } from '@postmill/store';
import { describe, expect, it } from 'vitest';
import { statEvents } from './stat-events.ts';

type Recorded = Parameters<StatisticsStore['record']>[0];

function captureStore() {
  const calls: Recorded[] = [];
  const store = { record: async (events: Recorded) => void calls.push(events) } as unknown as StatisticsStore;
  return { calls, store };
}

const MINUTE = 60_000;
const T = Date.UTC(2026, 2, 15, 15, 59, 0); // 23:59 in Asia/Shanghai: the next minute is another day there

describe('statEvents', () => {
  it('sums identical events per recipient domain, metric and minute, stamped with the minute start', async () => {
    const { calls, store } = captureStore();
    const stats = statEvents('news@mail.example.com');
    for (let i = 0; i < 50; i++) stats.add(`u${i}@example.org`, { state: 'sent', at: T + i * 10, response: '250' });
    stats.add('x@other.net', { state: 'failed', at: T + 5, code: 'SMTP.550', message: 'no such user', transient: false });
    await stats.flush(store, T);
    expect(calls).toHaveLength(1);
    const byKey = Object.fromEntries((calls[0] ?? []).map((e) => [`${e.recipientDomain}|${e.metric}`, { at: e.at, count: e.count }]));
    expect(byKey).toEqual({
      'example.org|request': { at: T, count: 50 },
      'example.org|accepted': { at: T, count: 50 },
      'example.org|delivered': { at: T, count: 50 },
      'other.net|request': { at: T, count: 1 },
      'other.net|accepted': { at: T, count: 1 },
      'other.net|bounce': { at: T, count: 1 },
    });
  });

  it('keeps events of different minutes apart, so a count never moves to another calendar day', async () => {
    const { calls, store } = captureStore();
    const stats = statEvents('news@mail.example.com');
    stats.add('a@example.org', { state: 'sent', at: T + MINUTE - 1, response: '250' });
    stats.add('b@example.org', { state: 'sent', at: T + MINUTE, response: '250' });
    await stats.flush(store, T);
    const requests = (calls[0] ?? []).filter((e) => e.metric === 'request').map((e) => [e.at, e.count]);
    expect(requests).toEqual([
      [T, 1],
      [T + MINUTE, 1],
    ]);
  });

  it("stamps every event with the send's tag when it has one", async () => {
    const { calls, store } = captureStore();
    const stats = statEvents('news@mail.example.com', 'spring');
    stats.add('a@example.org', { state: 'sent', at: T, response: '250' });
    await stats.flush(store, T);
    expect((calls[0] ?? []).map((e) => [e.metric, e.tag])).toEqual([
      ['request', 'spring'],
      ['accepted', 'spring'],
      ['delivered', 'spring'],
    ]);
  });

  it('counts nothing for states that are not final and writes nothing when empty', async () => {
    const { calls, store } = captureStore();
    const stats = statEvents('news@mail.example.com');
    stats.add('a@example.org', { state: 'queued', queuedAt: T });
    await stats.flush(store, T);
    expect(calls).toEqual([]);
  });
});
