import type { RunEnd, RunRecord } from './drive-workers.ts';
import type { LimiterName } from './options.ts';
import { windowStats } from './window-stats.ts';

/** One limiter's figures as printed (table row and JSON). */
export interface LimiterFigures {
  readonly limiter: LimiterName;
  readonly end: RunEnd;
  readonly expected: number;
  readonly received: number;
  readonly distinctRecipients: number;
  readonly notAccepted: number;
  readonly maxInAny1s: number;
  /** Like maxInAny1s, counting only arrivals from WARMUP_MS after the first one on (informational; not judged). */
  readonly maxInAny1sAfterWarmup: number;
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
  const first = run.arrivalsMs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const afterWarmup = windowStats(
    run.arrivalsMs.filter((t) => t >= first + WARMUP_MS),
    { windowMs: 1000 },
  );
  return {
    limiter,
    end: run.end,
    expected: o.expected,
    received: s.count,
    distinctRecipients: run.distinctRecipients,
    notAccepted: run.notAccepted,
    maxInAny1s: s.maxInWindow,
    maxInAny1sAfterWarmup: afterWarmup.maxInWindow,
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
 * PASS iff Postmill's run received every request, never more than the limit in any one-second
 * window, and a mean rate of at least 97 % of the limit. N/A when Postmill did not run.
 */
export function judge(postmill: LimiterFigures | undefined, ratePerSecond: number): Verdict {
  if (!postmill) return { verdict: 'N/A', reasons: ['postmill was not run'] };
  const reasons: string[] = [];
  if (postmill.received < postmill.expected) reasons.push(`only ${postmill.received}/${postmill.expected} requests arrived (${postmill.end})`);
  if (postmill.maxInAny1s > ratePerSecond) reasons.push(`max in a 1 s window ${postmill.maxInAny1s} > limit ${ratePerSecond}`);
  const minMean = ratePerSecond * MIN_MEAN_FRACTION;
  if (postmill.meanRatePerSecond === null || postmill.meanRatePerSecond < minMean) {
    reasons.push(`mean rate ${postmill.meanRatePerSecond?.toFixed(2) ?? 'n/a'}/s < ${minMean.toFixed(2)}/s (${MIN_MEAN_FRACTION * 100} % of ${ratePerSecond})`);
  }
  return { verdict: reasons.length === 0 ? 'PASS' : 'FAIL', reasons };
}

const COLUMNS = ['limiter', 'max-in-any-1s', 'max-after-2s', 'mean-rate', '%-of-limit', 'duration', 'received', 'distinct', 'not-accepted', 'fullest-1s-at'] as const;

/** The human-readable table, one row per limiter, columns padded to line up. */
export function formatTable(rows: readonly LimiterFigures[]): string {
  const cells = rows.map((r) => [
    r.limiter,
    String(r.maxInAny1s),
    String(r.maxInAny1sAfterWarmup),
    r.meanRatePerSecond === null ? 'n/a' : `${r.meanRatePerSecond.toFixed(1)}/s`,
    r.percentOfLimit === null ? 'n/a' : `${r.percentOfLimit.toFixed(1)} %`,
    `${r.durationS.toFixed(1)} s`,
    `${r.received}/${r.expected}`,
    String(r.distinctRecipients),
    String(r.notAccepted),
    r.maxWindowAtS === null ? 'n/a' : `+${r.maxWindowAtS.toFixed(2)} s`,
  ]);
  const table = [[...COLUMNS], ...cells];
  const widths = COLUMNS.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  return table.map((row) => row.map((cell, c) => cell.padEnd((widths[c] ?? 0) + 2)).join('').trimEnd()).join('\n');
}
