import type { CpuSpeedFigures } from './cpu-speed-probe.ts';
import { type FloorComparison, floorComparisonJson, floorTargetResult, formatFloorComparison } from './floor-report.ts';
import type { LatencySummary, LoadDriver, LoadRecord } from './load-record.ts';
import type { LostCheck } from './lost-check.ts';

/** The targets of issue 5, item 6: one API process on the 2-core machine, loopback. */
export const TARGETS = {
  minAcceptedPerSecond: 3000,
  maxP99Ms: 25,
} as const;

/** CPU seconds used over the measured phase, by who. */
export interface CpuUse {
  readonly apiS: number;
  readonly redisS: number;
  /** The bench: this process (signing, answer parsing, autocannon when it drives) and wrk when it drives. */
  readonly benchS: number;
  /** The worker, when one ran (0 otherwise). */
  readonly workerS: number;
  /** Everything else on the machine (other processes). */
  readonly otherS: number;
}

/** Raw observations the figures are computed from. */
/** The delivery intake after the run: ids waiting for their job, and the seconds until every one had it. */
export interface IntakeDrain {
  readonly pending: number;
  readonly seconds: number;
}

export interface LoadObservations {
  readonly connections: number;
  readonly pipelining: number;
  readonly worker: boolean;
  readonly warmup: LoadRecord | undefined;
  readonly measured: LoadRecord;
  readonly lost: LostCheck;
  readonly cpu: CpuUse;
  /** Redis commands executed during the measured phase (inside Lua included). */
  readonly redisCommands: number;
  /** Accepted messages still waiting in the delivery intake after the run, and how long the pump took to queue them. */
  readonly intakeDrain: IntakeDrain;
  /** Requests of the measured phase signed while it ran (the pre-signed pool ran out). */
  readonly signedDuringRun: number;
  /** How fast the CPU itself ran during the measured phase, against before the run. */
  readonly cpuSpeed: CpuSpeedFigures;
  /** os.loadavg() (1, 5, 15 min) before the warm-up and after the measured phase. */
  readonly loadAverageBefore: readonly number[];
  readonly loadAverageAfter: readonly number[];
  /** The API beside its floor server, phase by phase, when the run had one. */
  readonly floor?: FloorComparison;
}

/** The printed figures (table and JSON). */
export interface LoadFigures {
  readonly driver: LoadDriver;
  readonly connections: number;
  readonly pipelining: number;
  readonly worker: boolean;
  readonly durationS: number;
  readonly sent: number;
  readonly answered: number;
  readonly accepted: number;
  readonly errors: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  /** Answers (accepted or not) per second. */
  readonly requestsPerSecond: number;
  readonly acceptedPerSecond: number;
  readonly latencyMs: LatencySummary;
  readonly warmup: { readonly sent: number; readonly accepted: number; readonly errors: number } | null;
  readonly lost: LostCheck;
  /** CPU of each process as % of one core over the measured phase. */
  readonly cpuPercent: { readonly api: number; readonly redis: number; readonly bench: number; readonly worker: number; readonly other: number };
  /** API CPU per answered request, microseconds. */
  readonly apiCpuUsPerRequest: number;
  readonly redisCommandsPerRequest: number;
  /** The delivery intake after the run (jobs are created by a worker's pump, off the API). */
  readonly intakeDrain: IntakeDrain;
  readonly signedDuringRun: number;
  readonly cpuSpeed: CpuSpeedFigures;
  readonly loadAverageBefore: readonly number[];
  readonly loadAverageAfter: readonly number[];
  /** The API beside its floor, or null when the run had no floor. */
  readonly floor: FloorComparison | null;
}

const sumValues = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((s, n) => s + n, 0);

export function figuresOf(o: LoadObservations): LoadFigures {
  const m = o.measured;
  const span = m.durationS > 0 ? m.durationS : Number.NaN;
  const pct = (s: number) => (s / span) * 100;
  return {
    driver: m.driver,
    connections: o.connections,
    pipelining: o.pipelining,
    worker: o.worker,
    durationS: m.durationS,
    sent: m.sent,
    answered: m.answered,
    accepted: m.acceptedIds.length,
    errors: sumValues(m.errorsByCode),
    errorsByCode: m.errorsByCode,
    requestsPerSecond: m.answered / span,
    acceptedPerSecond: m.acceptedIds.length / span,
    latencyMs: m.latencyMs,
    warmup: o.warmup ? { sent: o.warmup.sent, accepted: o.warmup.acceptedIds.length, errors: sumValues(o.warmup.errorsByCode) } : null,
    lost: o.lost,
    cpuPercent: { api: pct(o.cpu.apiS), redis: pct(o.cpu.redisS), bench: pct(o.cpu.benchS), worker: pct(o.cpu.workerS), other: pct(o.cpu.otherS) },
    apiCpuUsPerRequest: m.answered > 0 ? (o.cpu.apiS * 1e6) / m.answered : Number.NaN,
    redisCommandsPerRequest: m.answered > 0 ? o.redisCommands / m.answered : Number.NaN,
    intakeDrain: o.intakeDrain,
    signedDuringRun: o.signedDuringRun,
    cpuSpeed: o.cpuSpeed,
    loadAverageBefore: o.loadAverageBefore,
    loadAverageAfter: o.loadAverageAfter,
    floor: o.floor ?? null,
  };
}

/** One judged target. */
export interface TargetResult {
  readonly target: string;
  readonly value: string;
  readonly limit: string;
  readonly pass: boolean;
}

/**
 * Judges the run: at least 3,000 accepted SendEmail per second, p99 at most 25 ms, every answered
 * request accepted (each one is valid and distinct, so any refusal is a failure), and nothing
 * lost (every returned MessageId has a status); with a floor in the run, at least
 * FLOOR_TARGET.minApiShareOfFloor of the floor's rate. A missing figure (NaN) fails.
 */
export function judge(f: LoadFigures): { verdict: 'PASS' | 'FAIL'; results: TargetResult[] } {
  const codes = Object.entries(f.errorsByCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const results: TargetResult[] = [
    {
      target: 'accepted SendEmail/s',
      value: `${f.acceptedPerSecond.toFixed(0)}/s`,
      limit: `>= ${TARGETS.minAcceptedPerSecond}/s`,
      pass: f.acceptedPerSecond >= TARGETS.minAcceptedPerSecond,
    },
    {
      target: 'latency p99',
      value: `${f.latencyMs.p99.toFixed(1)} ms`,
      limit: `<= ${TARGETS.maxP99Ms} ms`,
      pass: f.latencyMs.p99 <= TARGETS.maxP99Ms,
    },
    {
      target: 'every answered request accepted',
      value: f.errors === 0 ? `${f.accepted}/${f.answered}` : `${f.errors} refused (${codes})`,
      limit: '0 errors',
      pass: f.errors === 0 && f.answered > 0,
    },
    {
      target: 'nothing lost (status for every MessageId)',
      value: `${f.lost.lost} lost of ${f.lost.returned}`,
      limit: '0 lost',
      pass: f.lost.lost === 0 && f.lost.returned > 0,
    },
    ...(f.floor ? [floorTargetResult(f.floor)] : []),
  ];
  return { verdict: results.every((r) => r.pass) ? 'PASS' : 'FAIL', results };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd((widths[c] ?? 0) + 2))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

const loadavg = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(' ');

/** The human-readable report: the judged targets, then the figures behind them. */
export function formatReport(f: LoadFigures, judged: ReturnType<typeof judge>): string {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const targets = table(
    ['target', 'measured', 'required', 'verdict'],
    judged.results.map((r) => [r.target, r.value, r.limit, r.pass ? 'PASS' : 'FAIL']),
  );
  const l = f.lost;
  const details = table(
    ['figure', 'value'],
    [
      ['load generator', f.driver === 'wrk' ? 'wrk (a process of its own, one thread)' : 'autocannon (in the bench process)'],
      [
        'requests sent / answered',
        `${f.sent} / ${f.answered} in ${f.durationS.toFixed(2)} s (${f.sent - f.signedDuringRun} pre-signed, ${f.signedDuringRun} signed while running)`,
      ],
      ['accepted (MessageId)', `${f.accepted} (${f.acceptedPerSecond.toFixed(0)}/s)`],
      [
        'errors by code',
        f.errors === 0
          ? 'none'
          : Object.entries(f.errorsByCode)
              .map(([code, n]) => `${code} ${n}`)
              .join(', '),
      ],
      ['answers/s (accepted or not)', f.requestsPerSecond.toFixed(0)],
      ['latency p50 / p90 / p99 / max', `${ms(f.latencyMs.p50)} / ${ms(f.latencyMs.p90)} / ${ms(f.latencyMs.p99)} / ${ms(f.latencyMs.max)}`],
      ['warm-up (not in the figures)', f.warmup ? `${f.warmup.sent} sent, ${f.warmup.accepted} accepted, ${f.warmup.errors} errors` : 'none'],
      [
        'lost check (all ids in the store, a sample via API)',
        `${l.lost} lost: ${l.distinct}/${l.returned} distinct, ${l.withoutStatus} without status, ${l.queuedWithoutJob} queued without job, ${l.apiMissing}/${l.apiSampled} missing via GetSendEmailStatus`,
      ],
      ...(l.lostExamples.length > 0 ? [['  lost, e.g.', l.lostExamples.join(' ')]] : []),
      [
        'CPU (% of a core): API / Redis / bench / worker / other',
        `${[f.cpuPercent.api, f.cpuPercent.redis, f.cpuPercent.bench, f.cpuPercent.worker, f.cpuPercent.other].map((x) => x.toFixed(0)).join(' / ')}`,
      ],
      ['API CPU per request', `${f.apiCpuUsPerRequest.toFixed(0)} µs`],
      ['Redis commands per request (incl. inside Lua)', f.redisCommandsPerRequest.toFixed(1)],
      [
        'delivery jobs created after the run (intake pump)',
        `${f.intakeDrain.pending} in ${f.intakeDrain.seconds.toFixed(1)} s (${f.intakeDrain.seconds > 0 ? Math.round(f.intakeDrain.pending / f.intakeDrain.seconds) : 0}/s)`,
      ],
      [
        'CPU speed during the run (CPU time of a fixed probe)',
        `${f.cpuSpeed.relativeSpeed.toFixed(2)}x its speed before the run (probe ${f.cpuSpeed.duringMs.toFixed(2)} ms vs ${f.cpuSpeed.quietMs.toFixed(2)} ms; ${(f.cpuSpeed.slowShare * 100).toFixed(0)} % of probes under 3/4 speed)`,
      ],
      ['load average before / after (1 5 15 min)', `${loadavg(f.loadAverageBefore)} / ${loadavg(f.loadAverageAfter)}`],
    ],
  );
  return `${targets}\n\n${details}${f.floor ? `\n\n${formatFloorComparison(f.floor)}` : ''}`;
}

const round = (x: number, digits: number) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

/** The one-line JSON of the run (figures rounded for reading; null where a figure is missing). */
export function jsonLine(f: LoadFigures, judged: ReturnType<typeof judge>): string {
  return JSON.stringify({
    bench: 'load',
    driver: f.driver,
    connections: f.connections,
    pipelining: f.pipelining,
    worker: f.worker,
    durationS: round(f.durationS, 2),
    sent: f.sent,
    answered: f.answered,
    accepted: f.accepted,
    errors: f.errors,
    errorsByCode: f.errorsByCode,
    requestsPerSecond: round(f.requestsPerSecond, 0),
    acceptedPerSecond: round(f.acceptedPerSecond, 0),
    latencyMs: { p50: round(f.latencyMs.p50, 2), p90: round(f.latencyMs.p90, 2), p99: round(f.latencyMs.p99, 2), max: round(f.latencyMs.max, 2) },
    warmup: f.warmup,
    lost: f.lost,
    cpuPercent: Object.fromEntries(Object.entries(f.cpuPercent).map(([k, v]) => [k, round(v, 0)])),
    apiCpuUsPerRequest: round(f.apiCpuUsPerRequest, 0),
    redisCommandsPerRequest: round(f.redisCommandsPerRequest, 1),
    intakeDrain: { pending: f.intakeDrain.pending, seconds: round(f.intakeDrain.seconds, 2) },
    signedDuringRun: f.signedDuringRun,
    cpuSpeed: {
      relative: round(f.cpuSpeed.relativeSpeed, 2),
      quietMs: round(f.cpuSpeed.quietMs, 3),
      duringMs: round(f.cpuSpeed.duringMs, 3),
      slowShare: round(f.cpuSpeed.slowShare, 2),
    },
    loadAverageBefore: f.loadAverageBefore.map((x) => round(x, 2)),
    loadAverageAfter: f.loadAverageAfter.map((x) => round(x, 2)),
    floor: f.floor ? floorComparisonJson(f.floor) : null,
    targets: judged.results.map((r) => ({ target: r.target, value: r.value, pass: r.pass })),
    verdict: judged.verdict,
  });
}
