import { describe, expect, it } from 'vitest';
import { figuresOf, type TrackingObservation, verdictOf } from './report.ts';

const observation = (o: { p99Ms: number; statuses: Record<string, number>; durationS?: number; rate?: number; timeouts?: number }): TrackingObservation => ({
  record: {
    sent: 20_000,
    statuses: o.statuses,
    socketErrors: 0,
    timeouts: o.timeouts ?? 0,
    latencyMs: { p50: 0.5, p90: 1, p99: o.p99Ms, max: 9, mean: 0.6 },
    durationS: o.durationS ?? 10,
    driverCpuS: 0.5,
  },
  askedRatePerSecond: o.rate ?? 2000,
  apiCpuS: 4,
  redisCalls: 120_000,
  redisCpuS: 1,
  loadAverage: [1, 1],
  cores: 2,
});

describe('tracking bench figures and verdict', () => {
  it('passes 2,000/s answered 200 and 302 with p99 5 ms, and gives the per-request CPU and Redis commands', () => {
    const f = figuresOf(observation({ p99Ms: 5, statuses: { '200': 12_000, '302': 8000 } }));
    expect(f).toMatchObject({ achievedPerSecond: 2000, errors: 0, apiCpuUsPerRequest: 200, redisCommandsPerRequest: 6, driverCpuUsPerRequest: 25 });
    expect(verdictOf(f)).toEqual({ pass: true, reasons: [] });
  });

  it('fails a p99 above 5 ms, a 404 or timeout, a rate short of the asked one, and a run asked below 2,000/s', () => {
    expect(verdictOf(figuresOf(observation({ p99Ms: 5.01, statuses: { '200': 20_000 } }))).reasons).toEqual(['p99 5.01 ms > 5 ms']);
    expect(verdictOf(figuresOf(observation({ p99Ms: 1, statuses: { '200': 19_999, '404': 1 } }))).reasons).toEqual(['1 errors']);
    expect(verdictOf(figuresOf(observation({ p99Ms: 1, statuses: { '200': 20_000 }, timeouts: 2 }))).reasons).toEqual(['2 errors']);
    expect(verdictOf(figuresOf(observation({ p99Ms: 1, statuses: { '200': 19_000 } }))).reasons).toEqual(['achieved 1900/s of 2000/s']);
    expect(verdictOf(figuresOf(observation({ p99Ms: 1, statuses: { '200': 2000 }, rate: 200 }))).reasons).toEqual(["asked 200/s, below the target's 2000/s"]);
  });
});
