import { describe, expect, it } from 'vitest';
import { windowStats } from './window-stats.ts';

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
