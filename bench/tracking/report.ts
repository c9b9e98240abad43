import type { FixedRateRecord } from './drive-fixed-rate.ts';

/** The target of issue 16: tracking endpoints answer in at most this p99 at this rate. */
export const TARGET = { p99Ms: 5, ratePerSecond: 2000 } as const;
/** The achieved rate must be at least this share of the asked rate for the run to count. */
const RATE_TOLERANCE = 0.97;

/** What one measured run of the tracking endpoints observed, beside its answers. */
export interface TrackingObservation {
  readonly record: FixedRateRecord;
  readonly askedRatePerSecond: number;
  /** CPU seconds (user + sys) of the API process over the run. */
  readonly apiCpuS: number;
  /** Redis commands executed over the run (INFO commandstats delta; commands inside Lua included). */
  readonly redisCalls: number;
  readonly redisCpuS: number;
  /** The machine's 1-minute load average at the start and the end of the run, and its cores. */
  readonly loadAverage: readonly [number, number];
  readonly cores: number;
}

/** The figures of one run. */
export interface TrackingFigures {
  readonly askedPerSecond: number;
  readonly achievedPerSecond: number;
  readonly answered: number;
  /** Answers that were neither 2xx nor 3xx, socket errors and timeouts. */
  readonly errors: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly apiCpuUsPerRequest: number;
  readonly redisCommandsPerRequest: number;
  readonly redisCpuUsPerRequest: number;
  readonly driverCpuUsPerRequest: number;
  readonly loadAverage: readonly [number, number];
  readonly cores: number;
}

/** The figures of a run. Pure. */
export function figuresOf(o: TrackingObservation): TrackingFigures {
  const r = o.record;
  const answered = Object.values(r.statuses).reduce((s, n) => s + n, 0);
  const bad = Object.entries(r.statuses).reduce((s, [code, n]) => (/^[23]\d\d$/u.test(code) ? s : s + n), 0);
  const per = (x: number) => (answered > 0 ? x / answered : Number.NaN);
  return {
    askedPerSecond: o.askedRatePerSecond,
    achievedPerSecond: r.durationS > 0 ? answered / r.durationS : 0,
    answered,
    errors: bad + r.socketErrors + r.timeouts,
    statuses: r.statuses,
    p50Ms: r.latencyMs.p50,
    p99Ms: r.latencyMs.p99,
    maxMs: r.latencyMs.max,
    apiCpuUsPerRequest: per(o.apiCpuS * 1e6),
    redisCommandsPerRequest: per(o.redisCalls),
    redisCpuUsPerRequest: per(o.redisCpuS * 1e6),
    driverCpuUsPerRequest: per(r.driverCpuS * 1e6),
    loadAverage: o.loadAverage,
    cores: o.cores,
  };
}

/** PASS when the run reached the target rate (within 3%) with no error and a p99 of at most 5 ms. Pure. */
export function verdictOf(f: TrackingFigures): { readonly pass: boolean; readonly reasons: readonly string[] } {
  const reasons: string[] = [];
  if (f.askedPerSecond < TARGET.ratePerSecond) reasons.push(`asked ${f.askedPerSecond}/s, below the target's ${TARGET.ratePerSecond}/s`);
  if (f.achievedPerSecond < RATE_TOLERANCE * f.askedPerSecond) reasons.push(`achieved ${f.achievedPerSecond.toFixed(0)}/s of ${f.askedPerSecond}/s`);
  if (f.errors > 0) reasons.push(`${f.errors} errors`);
  if (!(f.p99Ms <= TARGET.p99Ms)) reasons.push(`p99 ${f.p99Ms.toFixed(2)} ms > ${TARGET.p99Ms} ms`);
  return { pass: reasons.length === 0, reasons };
}

const fixed = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** The report's lines. Pure. */
export function formatReport(f: TrackingFigures): string {
  const v = verdictOf(f);
  const statuses = Object.entries(f.statuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  return [
    `rate              | asked ${f.askedPerSecond}/s | achieved ${fixed(f.achievedPerSecond, 0)}/s | ${f.answered} answered (${statuses})`,
    `latency           | p50 ${fixed(f.p50Ms)} ms | p99 ${fixed(f.p99Ms)} ms | max ${fixed(f.maxMs)} ms`,
    `errors            | ${f.errors} (non-2xx/3xx, socket errors, timeouts)`,
    `per request       | API ${fixed(f.apiCpuUsPerRequest, 0)} µs CPU | ${fixed(f.redisCommandsPerRequest)} Redis cmds | Redis ${fixed(f.redisCpuUsPerRequest, 0)} µs CPU | wrk ${fixed(f.driverCpuUsPerRequest, 0)} µs CPU`,
    `machine           | ${f.cores} cores, load average ${fixed(f.loadAverage[0])} before, ${fixed(f.loadAverage[1])} after`,
    `p99 <= ${TARGET.p99Ms} ms at ${TARGET.ratePerSecond}/s | ${v.pass ? 'PASS' : `FAIL (${v.reasons.join('; ')})`}`,
  ].join('\n');
}

/** One JSON line with the figures and the verdict. Pure. */
export function jsonLine(f: TrackingFigures): string {
  return JSON.stringify({ bench: 'tracking', ...f, verdict: verdictOf(f).pass ? 'PASS' : 'FAIL' });
}
