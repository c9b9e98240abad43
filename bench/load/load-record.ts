/** Latency of the answers of one phase, ms. */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** What one load phase observed, whichever load generator drove it. */
export interface LoadRecord {
  /** The load generator: `autocannon` (in this process) or `wrk` (a process of its own). */
  readonly driver: LoadDriver;
  /** Requests written to the wire (some may be in flight when the phase ends, never answered). */
  readonly sent: number;
  /** Responses received. */
  readonly answered: number;
  /** MessageIds of accepted requests, in the order the answers arrived. */
  readonly acceptedIds: readonly string[];
  /** Requests not accepted, by code: Tencent error codes, `HTTP <status>`, `UnreadableAnswer`, `ConnectionError`, `Timeout`. */
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly latencyMs: LatencySummary;
  /** Wall time of the phase, seconds. */
  readonly durationS: number;
  /** CPU seconds of a load generator running as a process of its own (wrk); 0 for autocannon. */
  readonly driverCpuS: number;
}

/** The load generators the bench can use. */
export type LoadDriver = 'wrk' | 'autocannon';

/** Nearest-rank percentile (`p` in 0..100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

/** The summary of every answer's latency (ms); NaN figures when there was none. */
export function latencySummary(latenciesMs: Float64Array): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/**
 * Several phases of one server as one record: counts, ids, errors, durations and the driver's CPU
 * added up; latency figures are the worst phase's (mean: weighted by answers), since phases
 * driven by wrk keep only percentiles, which cannot be merged exactly. Pure.
 */
export function mergeRecords(records: readonly LoadRecord[]): LoadRecord {
  const first = records[0];
  if (first === undefined) throw new RangeError('mergeRecords needs at least one record');
  if (records.length === 1) return first;
  const errorsByCode: Record<string, number> = {};
  for (const r of records) for (const [code, n] of Object.entries(r.errorsByCode)) errorsByCode[code] = (errorsByCode[code] ?? 0) + n;
  const answered = records.reduce((s, r) => s + r.answered, 0);
  const worst = (pick: (l: LatencySummary) => number) => Math.max(...records.map((r) => pick(r.latencyMs)));
  return {
    driver: first.driver,
    sent: records.reduce((s, r) => s + r.sent, 0),
    answered,
    acceptedIds: records.flatMap((r) => r.acceptedIds),
    errorsByCode,
    latencyMs: {
      p50: worst((l) => l.p50),
      p90: worst((l) => l.p90),
      p99: worst((l) => l.p99),
      max: worst((l) => l.max),
      mean: answered > 0 ? records.reduce((s, r) => s + (r.answered > 0 ? r.latencyMs.mean * r.answered : 0), 0) / answered : Number.NaN,
    },
    durationS: records.reduce((s, r) => s + r.durationS, 0),
    driverCpuS: records.reduce((s, r) => s + r.driverCpuS, 0),
  };
}
