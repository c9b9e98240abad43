import { describe, expect, it } from 'vitest';
import { tightestSpanMs, windowStats } from './window-stats.ts';

describe('windowStats', () => {
  it('reports nothing measurable for no arrivals', () => {
    expect(windowStats([])).toEqual({ count: 0, maxInWindow: 0, maxWindowOffsetMs: undefined, meanRatePerSecond: undefined, durationMs: 0 });
  });

  it('counts a single arrival as one in its window with no mean rate', () => {
    const s = windowStats([42]);
    expect(s.maxInWindow).toBe(1);
    expect(s.meanRatePerSecond).toBeUndefined();
    expect(s.durationMs).toBe(0);
  });

  it('never puts two arrivals exactly one window apart into the same window (half-open)', () => {
    expect(windowStats([0, 1000, 2000]).maxInWindow).toBe(1);
    expect(windowStats([0, 999.9, 2000]).maxInWindow).toBe(2);
  });

  it('finds the burst a fixed window lets through across its edge', () => {
    // 5 at the end of window [0, 1000) and 5 at the start of [1000, 2000): never more than 5 per
    // fixed bucket, but 10 within 40 ms.
    const arrivals = [980, 985, 990, 995, 999, 1000, 1005, 1010, 1015, 1020];
    const s = windowStats(arrivals);
    expect(s.maxInWindow).toBe(10);
    expect(s.maxWindowOffsetMs).toBe(0);
  });

  it('reports where the fullest window starts, relative to the first arrival', () => {
    const s = windowStats([100, 2100, 2200, 2300, 5000]);
    expect(s.maxInWindow).toBe(3);
    expect(s.maxWindowOffsetMs).toBe(2000);
  });

  it('sorts arrivals before counting', () => {
    expect(windowStats([1500, 0, 1400, 100, 1300]).maxInWindow).toBe(3);
  });

  it('computes the mean rate as (n - 1) over the first-to-last span', () => {
    const arrivals = Array.from({ length: 21 }, (_, i) => 1000 + i * 50); // 20 gaps of 50 ms
    const s = windowStats(arrivals);
    expect(s.durationMs).toBe(1000);
    expect(s.meanRatePerSecond).toBeCloseTo(20, 10);
    expect(s.maxInWindow).toBe(20);
  });

  it('honours a custom window length', () => {
    expect(windowStats([0, 100, 200, 300], { windowMs: 150 }).maxInWindow).toBe(2);
  });

  it('rejects a window that is not positive', () => {
    expect(() => windowStats([1], { windowMs: 0 })).toThrow(RangeError);
  });
});

describe('tightestSpanMs', () => {
  it('finds the shortest span of count consecutive events, in any order', () => {
    expect(tightestSpanMs([0, 1025, 2050, 2060, 3100], 2)).toBe(10);
    expect(tightestSpanMs([3100, 0, 2060, 1025, 2050], 3)).toBe(1035);
  });

  it('is at least one window exactly when no window holds more than count - 1 events', () => {
    const even = Array.from({ length: 60 }, (_, i) => i * 51.25); // 20/s with a 25 ms margin
    expect(tightestSpanMs(even, 21)).toBeCloseTo(1025, 9);
    expect(windowStats(even).maxInWindow).toBe(20);
    const oneLate = even.map((t, i) => (i === 10 ? t + 30 : t)); // one start 30 ms late
    expect(tightestSpanMs(oneLate, 21)).toBeCloseTo(995, 9);
    expect(windowStats(oneLate).maxInWindow).toBe(21);
  });

  it('has no span with fewer events than count, and rejects a count below 2', () => {
    expect(tightestSpanMs([1, 2], 3)).toBeUndefined();
    expect(() => tightestSpanMs([1, 2], 1)).toThrow(RangeError);
  });
});
