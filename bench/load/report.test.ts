import { describe, expect, it } from 'vitest';
import { type LoadRecord, latencySummary, percentile } from './load-record.ts';
import type { LostCheck } from './lost-check.ts';
import { figuresOf, formatReport, jsonLine, judge, type LoadObservations } from './report.ts';

const noneLost: LostCheck = {
  returned: 100,
  distinct: 100,
  duplicates: 0,
  withoutStatus: 0,
  queuedWithoutJob: 0,
  apiSampled: 10,
  apiMissing: 0,
  lost: 0,
  lostExamples: [],
};

const record = (over: Partial<LoadRecord> = {}): LoadRecord => ({
  sent: 35_010,
  answered: 35_000,
  acceptedIds: Array.from({ length: 35_000 }, (_, i) => `id${i}`),
  errorsByCode: {},
  latencyMs: latencySummary(Float64Array.from({ length: 100 }, (_, i) => i + 1)),
  durationS: 10,
  driver: 'autocannon',
  driverCpuS: 0,
  ...over,
});

const observations = (over: Partial<LoadObservations> = {}): LoadObservations => ({
  connections: 32,
  pipelining: 1,
  worker: false,
  warmup: undefined,
  measured: record(),
  lost: noneLost,
  cpu: { apiS: 7, redisS: 5, benchS: 3, workerS: 0, otherS: 1 },
  redisCommands: 700_000,
  intakeDrain: { pending: 36_000, seconds: 2 },
  signedDuringRun: 0,
  cpuSpeed: { quietMs: 1.4, duringMs: 2, relativeSpeed: 0.7, slowShare: 0.5 },
  loadAverageBefore: [1, 2, 3],
  loadAverageAfter: [2, 2, 3],
  ...over,
});

describe('percentile and latencySummary', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(new Float64Array(0), 50)).toBeNaN();
  });

  it('summarises unsorted latencies', () => {
    const s = latencySummary(Float64Array.from([5, 1, 3, 2, 4]));
    expect(s).toEqual({ p50: 3, p90: 5, p99: 5, max: 5, mean: 3 });
  });
});

describe('figuresOf', () => {
  it('reports rates over the measured phase and CPU per request', () => {
    const f = figuresOf(observations());
    expect(f.acceptedPerSecond).toBe(3500);
    expect(f.requestsPerSecond).toBe(3500);
    expect(f.apiCpuUsPerRequest).toBeCloseTo(200, 6);
    expect(f.redisCommandsPerRequest).toBe(20);
    expect(f.cpuPercent.api).toBeCloseTo(70, 6);
    expect(f.latencyMs.p99).toBe(99);
  });
});

describe('judge', () => {
  it('passes 3,500 accepted/s with p99 under 25 ms, no errors and nothing lost', () => {
    const fast = observations({ measured: record({ latencyMs: latencySummary(Float64Array.from({ length: 100 }, () => 4)) }) });
    expect(judge(figuresOf(fast)).verdict).toBe('PASS');
  });

  it('fails on a slow p99, a low rate, any refused request and any lost MessageId, naming each', () => {
    const slow = judge(figuresOf(observations()));
    expect(slow.verdict).toBe('FAIL');
    expect(slow.results.filter((r) => !r.pass).map((r) => r.target)).toEqual(['latency p99']);

    const f = figuresOf(
      observations({
        measured: record({ acceptedIds: ['a'], errorsByCode: { RequestLimitExceeded: 2 }, latencyMs: latencySummary(Float64Array.from([1, 1, 1])) }),
        lost: { ...noneLost, returned: 1, withoutStatus: 1, lost: 1, lostExamples: ['a'] },
      }),
    );
    const judged = judge(f);
    expect(judged.results.filter((r) => !r.pass).map((r) => r.target)).toEqual([
      'accepted SendEmail/s',
      'every answered request accepted',
      'nothing lost (status for every MessageId)',
    ]);
    expect(judged.results.find((r) => r.target === 'every answered request accepted')?.value).toBe('2 refused (RequestLimitExceeded 2)');
  });

  it('fails a run that answered nothing', () => {
    const f = figuresOf(
      observations({
        measured: record({ answered: 0, acceptedIds: [], latencyMs: latencySummary(new Float64Array(0)) }),
        lost: { ...noneLost, returned: 0, distinct: 0 },
      }),
    );
    expect(judge(f).results.every((r) => !r.pass)).toBe(true);
  });
});

describe('formatReport and jsonLine', () => {
  it('prints every target with its verdict, and one JSON line with the figures and the verdict', () => {
    const f = figuresOf(observations());
    const judged = judge(f);
    const text = formatReport(f, judged);
    for (const r of judged.results) expect(text).toContain(r.target);
    expect(text).toContain('load average before / after');
    const json = JSON.parse(jsonLine(f, judged)) as Record<string, unknown>;
    expect(json).toMatchObject({ bench: 'load', accepted: 35_000, acceptedPerSecond: 3500, verdict: 'FAIL', latencyMs: { p99: 99 } });
    expect(jsonLine(f, judged)).not.toContain('\n');
  });
});
