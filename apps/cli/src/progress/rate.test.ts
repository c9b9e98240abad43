import { describe, expect, it } from 'vitest';
import { etaMs, formatDuration, formatRate, RateTracker } from './rate.ts';

describe('RateTracker', () => {
  it('is unknown until two polls, then gives units per second over the window', () => {
    const rate = new RateTracker({ windowMs: 10_000 });
    rate.add({ atMs: 0, value: 0 });
    expect(rate.perSecond()).toBeUndefined();
    rate.add({ atMs: 1000, value: 50 });
    expect(rate.perSecond()).toBe(50);
    rate.add({ atMs: 2000, value: 150 });
    expect(rate.perSecond()).toBe(75);
  });

  it('forgets polls older than the window, so it follows a change of speed', () => {
    const rate = new RateTracker({ windowMs: 3000 });
    for (let t = 0; t <= 10; t++) rate.add({ atMs: t * 1000, value: t < 5 ? t * 100 : 400 + (t - 4) * 10 });
    expect(rate.perSecond()).toBe(10);
  });

  it('restarts when the counter goes back (a new run of a recurring task)', () => {
    const rate = new RateTracker();
    rate.add({ atMs: 0, value: 500 });
    rate.add({ atMs: 1000, value: 10 });
    expect(rate.perSecond()).toBeUndefined();
  });
});

describe('etaMs and formatting', () => {
  it('estimates the time left and says so when it cannot', () => {
    expect(etaMs(100, 10)).toBe(10_000);
    expect(etaMs(0, undefined)).toBe(0);
    expect(etaMs(100, 0)).toBeUndefined();
    expect([formatDuration(undefined), formatDuration(45_000), formatDuration(725_000), formatDuration(11_220_000)]).toEqual(['?', '45s', '12m05s', '3h07m']);
    expect([formatRate(undefined), formatRate(12.345), formatRate(1234.5)]).toEqual(['?', '12.3', '1,235']);
  });
});
