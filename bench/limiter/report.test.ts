import { describe, expect, it } from 'vitest';
import type { RunRecord } from './drive-workers.ts';
import { figuresOf, formatTable, judge, type LimiterFigures } from './report.ts';

/** A run whose requests each arrived 1 ms after they started, unless `startsMs` says otherwise. */
const run = (arrivalsMs: number[], startsMs = arrivalsMs.map((t) => t - 1)): RunRecord => ({
  end: 'complete',
  arrivalsMs,
  startsMs,
  startToArrivalMs: arrivalsMs.map((t, i) => t - (startsMs[i] ?? Number.NaN)),
  distinctRecipients: arrivalsMs.length,
  notAccepted: 0,
  killedWorkers: 0,
  loadAverage: { atStart: 0.5, atEnd: 0.7 },
  fakeLoopDelayMaxMs: 2,
});

/** `count` arrivals evenly spaced at `ratePerSecond`, starting at `startMs`. */
const steady = (count: number, ratePerSecond: number, startMs = 0): number[] => Array.from({ length: count }, (_, i) => startMs + (i * 1000) / ratePerSecond);

describe('figuresOf', () => {
  it('reports the mean rate as a percentage of the limit', () => {
    const f = figuresOf('postmill', run(steady(101, 19.6)), { expected: 101, ratePerSecond: 20 });
    expect(f.meanRatePerSecond).toBeCloseTo(19.6, 6);
    expect(f.percentOfLimit).toBeCloseTo(98, 6);
    expect(f.durationS).toBeCloseTo(100 / 19.6, 6);
  });

  it('leaves a start-up burst out of the after-warm-up maximum only', () => {
    const burst = Array.from({ length: 30 }, (_, i) => i); // 30 within 30 ms at the start
    const f = figuresOf('postmill', run([...burst, ...steady(100, 10, 3000)]), { expected: 130, ratePerSecond: 10 });
    expect(f.maxInAny1s).toBe(30);
    expect(f.maxInAny1sFirst2s).toBe(30);
    expect(f.maxInAny1sAfterWarmup).toBe(10);
    expect(f.maxWindowAtS).toBe(0);
  });

  it('judges send starts and arrivals separately, and reports how close limit + 1 requests came to one second', () => {
    // Starts evenly 51.25 ms apart; the first request reached the provider 30 ms late, next to the 21st.
    const starts = steady(60, 1000 / 51.25);
    const arrivals = starts.map((t, i) => t + (i === 0 ? 30 : 1));
    const f = figuresOf('postmill', run(arrivals, starts), { expected: 60, ratePerSecond: 20 });
    expect(f.maxStartsInAny1s).toBe(20);
    expect(f.tightestStartSpanMs).toBeCloseTo(1025, 9);
    expect(f.maxInAny1s).toBe(21);
    expect(f.maxInAny1sFirst2s).toBe(21);
    expect(f.tightestArrivalSpanMs).toBeCloseTo(996, 9);
    expect(f.startToArrivalP50Ms).toBe(1);
    expect(f.startToArrivalMaxMs).toBe(30);
  });
});

describe('judge', () => {
  const figures = (over: Partial<LimiterFigures>): LimiterFigures => ({
    ...figuresOf('postmill', run(steady(2000, 19.6)), { expected: 2000, ratePerSecond: 20 }),
    ...over,
  });

  it('passes Postmill at the limit with a mean of at least 97 % of it', () => {
    expect(judge(figures({}), 20)).toEqual({ verdict: 'PASS', reasons: [] });
  });

  it('fails when any one-second window holds more than the limit', () => {
    const v = judge(figures({ maxInAny1s: 21 }), 20);
    expect(v.verdict).toBe('FAIL');
    expect(v.reasons).toEqual(['max arrivals in a 1 s window 21 > limit 20']);
  });

  it('fails when the send starts overshoot the limit even though the arrivals did not', () => {
    const v = judge(figures({ maxStartsInAny1s: 21 }), 20);
    expect(v.reasons).toEqual(['max send starts in a 1 s window 21 > limit 20']);
  });

  it('fails when the start of some request was not recorded', () => {
    expect(judge(figures({ startsRecorded: 1500 }), 20).reasons).toEqual(['only 1500/2000 send starts recorded']);
  });

  it('fails when the mean rate is under 97 % of the limit', () => {
    expect(judge(figures({ meanRatePerSecond: 19.3 }), 20).verdict).toBe('FAIL');
    expect(judge(figures({ meanRatePerSecond: 19.4 }), 20).verdict).toBe('PASS');
  });

  it('fails when not every request arrived', () => {
    expect(judge(figures({ received: 1999, end: 'timeout' }), 20).reasons).toEqual(['only 1999/2000 requests arrived (timeout)']);
  });

  it('has no verdict when Postmill did not run', () => {
    expect(judge(undefined, 20).verdict).toBe('N/A');
  });
});

describe('formatTable', () => {
  it('lines up every column under its header', () => {
    const rows = [
      figuresOf('postmill', run(steady(21, 20)), { expected: 21, ratePerSecond: 20 }),
      figuresOf('bullmq', run(steady(21, 20)), { expected: 21, ratePerSecond: 20 }),
    ];
    const [header = '', ...lines] = formatTable(rows).split('\n');
    expect(lines).toHaveLength(2);
    const column = header.indexOf('mean-rate');
    for (const line of lines) expect(line.slice(column, column + 7)).toBe('20.0/s ');
  });
});
