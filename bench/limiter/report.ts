import type { RunEnd, RunRecord } from './drive-workers.ts';
import type { LimiterName } from './options.ts';
import { tightestSpanMs, windowStats } from './window-stats.ts';

/** One limiter's figures as printed (table row and JSON). */
export interface LimiterFigures {
  readonly limiter: LimiterName;
  readonly end: RunEnd;
  readonly expected: number;
  readonly received: number;
  readonly distinctRecipients: number;
  readonly notAccepted: number;
  /** Most arrivals at the fake provider in any sliding one-second window (judged). */
  readonly maxInAny1s: number;
  /** Like maxInAny1s, counting only arrivals in the first WARMUP_MS (the cold start; included in maxInAny1s). */
  readonly maxInAny1sFirst2s: number;
  /** Like maxInAny1s, counting only arrivals from WARMUP_MS after the first one on (informational; not judged). */
  readonly maxInAny1sAfterWarmup: number;
  /** Send starts recorded in the workers (see record-send-starts.mjs); below `received` if a worker did not exit normally. */
  readonly startsRecorded: number;
  /** Most send starts in any sliding one-second window (judged). */
  readonly maxStartsInAny1s: number;
  /** Like maxStartsInAny1s, counting only starts in the first WARMUP_MS after the first start. */
  readonly maxStartsInAny1sFirst2s: number;
  /** Shortest time spanned by limit + 1 consecutive arrivals (ms); below 1000 is an overshoot. Null with too few. */
  readonly tightestArrivalSpanMs: number | null;
  /** Same for send starts. */
  readonly tightestStartSpanMs: number | null;
  /** Median and largest start-to-arrival delay (client work, loopback, the fake's event loop), ms. */
  readonly startToArrivalP50Ms: number | null;
  readonly startToArrivalMaxMs: number | null;
  /** The machine's 1-minute load average at the start and end of the run (2 cores: above 2 disturbs the timing). */
  readonly loadAverage: { readonly atStart: number; readonly atEnd: number };
  /** Largest event-loop delay of the process holding the fake, ms (see RunRecord). */
  readonly fakeLoopDelayMaxMs: number;
  /** Start of the fullest one-second window, seconds after the first arrival. */
  readonly maxWindowAtS: number | null;
  readonly meanRatePerSecond: number | null;
  readonly percentOfLimit: number | null;
  readonly durationS: number;
}

/**
 * Arrivals in the first 2 s are left out of `maxInAny1sAfterWarmup`: each worker process's first
 * provider requests pay for a cold HTTP client (Node loads undici and opens connections on the
 * first fetch, ≈45 ms on an idle machine), so admissions made at the very start can reach the
 * provider late and bunch up with the next ones.
 */
export const WARMUP_MS = 2000;

/** Figures of one run against the configured limit. */
export function figuresOf(limiter: LimiterName, run: RunRecord, o: { expected: number; ratePerSecond: number }): LimiterFigures {
  const s = windowStats(run.arrivalsMs, { windowMs: 1000 });
  const mean = s.meanRatePerSecond ?? null;
  const earliest = (times: readonly number[]) => times.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const first = earliest(run.arrivalsMs);
  const afterWarmup = windowStats(
    run.arrivalsMs.filter((t) => t >= first + WARMUP_MS),
    { windowMs: 1000 },
  );
  const firstStart = earliest(run.startsMs);
  const inFirst2s = (times: readonly number[], from: number) => windowStats(times.filter((t) => t < from + WARMUP_MS)).maxInWindow;
  const delays = [...run.startToArrivalMs].sort((a, b) => a - b);
  return {
    limiter,
    end: run.end,
    expected: o.expected,
    received: s.count,
    distinctRecipients: run.distinctRecipients,
    notAccepted: run.notAccepted,
    maxInAny1s: s.maxInWindow,
    maxInAny1sFirst2s: inFirst2s(run.arrivalsMs, first),
    maxInAny1sAfterWarmup: afterWarmup.maxInWindow,
    startsRecorded: run.startsMs.length,
    maxStartsInAny1s: windowStats(run.startsMs).maxInWindow,
    maxStartsInAny1sFirst2s: inFirst2s(run.startsMs, firstStart),
    tightestArrivalSpanMs: tightestSpanMs(run.arrivalsMs, o.ratePerSecond + 1) ?? null,
    tightestStartSpanMs: tightestSpanMs(run.startsMs, o.ratePerSecond + 1) ?? null,
    startToArrivalP50Ms: delays[Math.floor((delays.length - 1) / 2)] ?? null,
    startToArrivalMaxMs: delays[delays.length - 1] ?? null,
    loadAverage: run.loadAverage,
    fakeLoopDelayMaxMs: run.fakeLoopDelayMaxMs,
    maxWindowAtS: s.maxWindowOffsetMs === undefined ? null : s.maxWindowOffsetMs / 1000,
    meanRatePerSecond: mean,
    percentOfLimit: mean === null ? null : (mean / o.ratePerSecond) * 100,
    durationS: s.durationMs / 1000,
  };
}

/** The least mean rate, as a fraction of the limit, Postmill must reach to pass. */
export const MIN_MEAN_FRACTION = 0.97;

export interface Verdict {
  readonly verdict: 'PASS' | 'FAIL' | 'N/A';
  readonly reasons: readonly string[];
}

/**
 * PASS iff Postmill's run received every request, recorded the start of every one, never had
 * more than the limit in any one-second window either at the provider (arrivals) or at send
 * start, and reached a mean rate of at least 97 % of the limit. N/A when Postmill did not run.
 */
export function judge(postmill: LimiterFigures | undefined, ratePerSecond: number): Verdict {
  if (!postmill) return { verdict: 'N/A', reasons: ['postmill was not run'] };
  const reasons: string[] = [];
  if (postmill.received < postmill.expected) reasons.push(`only ${postmill.received}/${postmill.expected} requests arrived (${postmill.end})`);
  if (postmill.maxInAny1s > ratePerSecond) reasons.push(`max arrivals in a 1 s window ${postmill.maxInAny1s} > limit ${ratePerSecond}`);
  if (postmill.startsRecorded < postmill.received) reasons.push(`only ${postmill.startsRecorded}/${postmill.received} send starts recorded`);
  if (postmill.maxStartsInAny1s > ratePerSecond) reasons.push(`max send starts in a 1 s window ${postmill.maxStartsInAny1s} > limit ${ratePerSecond}`);
  const minMean = ratePerSecond * MIN_MEAN_FRACTION;
  if (postmill.meanRatePerSecond === null || postmill.meanRatePerSecond < minMean) {
    reasons.push(`mean rate ${postmill.meanRatePerSecond?.toFixed(2) ?? 'n/a'}/s < ${minMean.toFixed(2)}/s (${MIN_MEAN_FRACTION * 100} % of ${ratePerSecond})`);
  }
  return { verdict: reasons.length === 0 ? 'PASS' : 'FAIL', reasons };
}

const COLUMNS = [
  'limiter',
  'max-in-any-1s',
  'first-2s',
  'after-2s',
  'starts-max-1s',
  'starts-first-2s',
  'tightest-span',
  'mean-rate',
  '%-of-limit',
  'duration',
  'received',
  'distinct',
  'not-accepted',
  'start-to-arrival',
  'fake-loop-max',
  'load',
  'fullest-1s-at',
] as const;

const ms = (x: number | null, digits = 0): string => (x === null ? 'n/a' : `${x.toFixed(digits)}`);

/**
 * The human-readable table, one row per limiter, columns padded to line up. Counts are arrivals at
 * the fake unless named `starts`; `tightest-span` is the shortest time spanned by limit + 1
 * consecutive arrivals / starts (below 1000 ms means an overshoot); `start-to-arrival` is its
 * median / largest; `fake-loop-max` the worst event-loop delay where arrivals are recorded; `load`
 * the 1-minute load average at start and end.
 */
export function formatTable(rows: readonly LimiterFigures[]): string {
  const cells = rows.map((r) => [
    r.limiter,
    String(r.maxInAny1s),
    String(r.maxInAny1sFirst2s),
    String(r.maxInAny1sAfterWarmup),
    String(r.maxStartsInAny1s),
    String(r.maxStartsInAny1sFirst2s),
    `${ms(r.tightestArrivalSpanMs)}/${ms(r.tightestStartSpanMs)} ms`,
    r.meanRatePerSecond === null ? 'n/a' : `${r.meanRatePerSecond.toFixed(1)}/s`,
    r.percentOfLimit === null ? 'n/a' : `${r.percentOfLimit.toFixed(1)} %`,
    `${r.durationS.toFixed(1)} s`,
    `${r.received}/${r.expected}`,
    String(r.distinctRecipients),
    String(r.notAccepted),
    `${ms(r.startToArrivalP50Ms, 1)}/${ms(r.startToArrivalMaxMs, 1)} ms`,
    `${ms(r.fakeLoopDelayMaxMs, 1)} ms`,
    `${r.loadAverage.atStart.toFixed(1)}->${r.loadAverage.atEnd.toFixed(1)}`,
    r.maxWindowAtS === null ? 'n/a' : `+${r.maxWindowAtS.toFixed(2)} s`,
  ]);
  const table = [[...COLUMNS], ...cells];
  const widths = COLUMNS.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  return table
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd((widths[c] ?? 0) + 2))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}
