import { describe, expect, it } from 'vitest';
import { compareWithFloor, floorTargetResult, formatFloorComparison, serverFigures } from './floor-report.ts';
import { type LoadRecord, latencySummary, mergeRecords } from './load-record.ts';
import type { PhaseMeasure } from './measure-phase.ts';

const phase = (o: { accepted: number; durationS: number; cpuS: number; redisCalls: number; p99: number; errors?: Record<string, number> }): PhaseMeasure => {
  const refused = Object.values(o.errors ?? {}).reduce((s, n) => s + n, 0);
  const record: LoadRecord = {
    driver: 'autocannon',
    sent: o.accepted + refused,
    answered: o.accepted + refused,
    acceptedIds: Array.from({ length: o.accepted }, (_, i) => `id${i}`),
    errorsByCode: o.errors ?? {},
    latencyMs: { p50: o.p99 / 2, p90: o.p99 / 1.5, p99: o.p99, max: o.p99 * 2, mean: o.p99 / 2 },
    durationS: o.durationS,
    driverCpuS: 0,
  };
  return {
    record,
    serverCpuS: o.cpuS,
    workerCpuS: 0,
    redisCalls: o.redisCalls,
    redisCpuS: o.cpuS / 4,
    benchCpuS: 0,
    machineBusyS: 0,
    signedDuringRun: 0,
    cpuSpeedProbesMs: [],
  };
};

describe('serverFigures and compareWithFloor', () => {
  it('adds phases up: rate over the summed time, CPU and commands over the summed answers, p99 of the worst phase', () => {
    const f = serverFigures([
      phase({ accepted: 100_000, durationS: 10, cpuS: 9.3, redisCalls: 400_000, p99: 6.5 }),
      phase({ accepted: 102_000, durationS: 10, cpuS: 9.5, redisCalls: 408_000, p99: 7 }),
    ]);
    expect(f.acceptedPerSecond).toBe(10_100);
    expect(f.cpuUsPerRequest).toBeCloseTo(93.07, 1);
    expect(f.redisCommandsPerRequest).toBe(4);
    expect(f.p99Ms).toBe(7);
    expect(f.errors).toBe(0);
  });

  it('divides the API by its floor round by round and overall, and judges the 0.6 target on the rate ratio', () => {
    const floor = [phase({ accepted: 101_000, durationS: 10, cpuS: 9.4, redisCalls: 404_000, p99: 6.5 })];
    const api = [phase({ accepted: 39_900, durationS: 10, cpuS: 9.2, redisCalls: 758_100, p99: 14 })];
    const c = compareWithFloor(floor, api);
    expect(c.rateRatio).toBeCloseTo(0.395, 3);
    expect(c.cpuRatio).toBeCloseTo(230.58 / 93.07, 2);
    expect(c.redisCommandsRatio).toBeCloseTo(19 / 4, 6);
    expect(c.rounds).toHaveLength(1);
    const target = floorTargetResult(c);
    expect(target).toMatchObject({ target: 'API >= 0.6 of the floor', limit: '>= 0.6', pass: false, value: '0.40 (3990/s vs 10100/s)' });
    expect(floorTargetResult(compareWithFloor(floor, [phase({ accepted: 61_000, durationS: 10, cpuS: 9, redisCalls: 1, p99: 1 })])).pass).toBe(true);
    expect(formatFloorComparison(c)).toMatch(/^ratio api\/floor {2}\| rate 0\.40 \| CPU per request 2\.48 \| Redis commands per request 4\.75$/mu);
  });

  it('fails the target when the floor answered nothing (no ratio to judge)', () => {
    const c = compareWithFloor(
      [phase({ accepted: 0, durationS: 10, cpuS: 0, redisCalls: 0, p99: Number.NaN })],
      [phase({ accepted: 10, durationS: 10, cpuS: 1, redisCalls: 1, p99: 1 })],
    );
    expect(floorTargetResult(c).pass).toBe(false);
    expect(floorTargetResult(c).value).toBe('n/a (1/s vs 0/s)');
  });
});

describe('mergeRecords', () => {
  it('adds counts, ids, errors and durations and keeps the worst latency of the phases', () => {
    const a = phase({ accepted: 3, durationS: 10, cpuS: 1, redisCalls: 1, p99: 10, errors: { Timeout: 1 } }).record;
    const b = {
      ...phase({ accepted: 2, durationS: 5, cpuS: 1, redisCalls: 1, p99: 20, errors: { Timeout: 2, InternalError: 1 } }).record,
      latencyMs: latencySummary(Float64Array.from([1, 2, 40])),
    };
    const m = mergeRecords([a, b]);
    expect(m).toMatchObject({ sent: 9, answered: 9, durationS: 15, errorsByCode: { Timeout: 3, InternalError: 1 } });
    expect(m.acceptedIds).toEqual(['id0', 'id1', 'id2', 'id0', 'id1']);
    expect(m.latencyMs.p99).toBe(40);
    expect(m.latencyMs.max).toBe(40);
    expect(() => mergeRecords([])).toThrow(RangeError);
  });
});
