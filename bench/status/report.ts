/** The target of issue 11, item 6: every status page within 10 ms at the 99th percentile. */
export const TARGET_P99_MS = 10;

/** Latency of one query kind at one layer. */
export interface QueryFigure {
  /** `store`: MessageStore.queryStatus (+ countStatus for a short page); `api`: a signed call over loopback HTTP. */
  readonly layer: 'store' | 'api';
  readonly query: string;
  readonly offset: number;
  /** Rows of each answer. */
  readonly rows: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Redis commands one call sends (an EVALSHA counts as one), counted on an untimed call. */
  readonly redisCommands: number;
}

export interface StatusBenchResult {
  readonly messages: number;
  /** SendEmail rows of the day (one per recipient). */
  readonly rows: number;
  readonly watchedRows: number;
  readonly samples: number;
  /** Untimed calls of each kind at each layer before its timed ones. */
  readonly warmupCalls: number;
  readonly limit: number;
  readonly fillSeconds: number;
  readonly redisBytesPerMessage: number;
  readonly figures: readonly QueryFigure[];
  /** os.loadavg() (1, 5, 15 min) before and after the timed calls: other work on the machine skews p99. */
  readonly loadAverageBefore: readonly number[];
  readonly loadAverageAfter: readonly number[];
  /** GC pauses of this process (API, client and store calls) while the figures were taken. */
  readonly gc: { readonly pauses: number; readonly totalMs: number; readonly longestMs: number };
  /** Answers that differed from the rows the fill implies (must be empty). */
  readonly wrong: readonly string[];
}

/** Nearest-rank percentile (`p` in 0..100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

/** PASS when every answer was right and every p99, store and api, is within the target. */
export function judge(r: StatusBenchResult): { pass: boolean; worstP99Ms: number; worstStoreP99Ms: number; worstApiP99Ms: number } {
  const worst = (layer: QueryFigure['layer'] | undefined) => Math.max(...r.figures.filter((f) => layer === undefined || f.layer === layer).map((f) => f.p99Ms));
  const worstP99Ms = worst(undefined);
  return { pass: r.wrong.length === 0 && worstP99Ms <= TARGET_P99_MS, worstP99Ms, worstStoreP99Ms: worst('store'), worstApiP99Ms: worst('api') };
}

const ms = (x: number) => x.toFixed(2);

/** The printed report: one line per query kind and layer (`status <layer> | <query> | offset … | p50 … ms | p99 … ms`), then the verdict. */
export function formatReport(r: StatusBenchResult): string {
  const { pass, worstP99Ms, worstStoreP99Ms, worstApiP99Ms } = judge(r);
  const lines = [
    `day: ${r.messages} SendEmail messages, ${r.rows} rows (${r.watchedRows} to the watched recipient), indexed in ${r.fillSeconds.toFixed(1)} s, ${r.redisBytesPerMessage.toFixed(0)} B of Redis per message`,
    `each figure: ${r.samples} calls of Limit ${r.limit}, after ${r.warmupCalls} untimed warm-up calls of the same kind at each layer; load average ${r.loadAverageBefore.map((x) => x.toFixed(1)).join(' ')} before, ${r.loadAverageAfter.map((x) => x.toFixed(1)).join(' ')} after; GC meanwhile: ${r.gc.pauses} pauses, ${r.gc.totalMs.toFixed(0)} ms in all, longest ${ms(r.gc.longestMs)} ms`,
    ...r.figures.map(
      (f) =>
        `status ${f.layer.padEnd(5)} | ${f.query.padEnd(30)} | offset ${String(f.offset).padStart(8)} | ${String(f.rows).padStart(3)} rows | p50 ${ms(f.p50Ms)} ms | p99 ${ms(f.p99Ms)} ms | max ${ms(f.maxMs)} ms | ${f.redisCommands} Redis commands`,
    ),
    ...r.wrong.map((w) => `WRONG ${w}`),
    `${pass ? 'PASS' : 'FAIL'}: worst p99 ${ms(worstP99Ms)} ms (target ≤ ${TARGET_P99_MS} ms for every p99 above; worst store p99 ${ms(worstStoreP99Ms)} ms, worst api p99 ${ms(worstApiP99Ms)} ms, the api one being what a client sees)${r.wrong.length > 0 ? `, ${r.wrong.length} wrong answers` : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The result as one JSON line (figures rounded to 0.01 ms), for collecting runs. */
export function jsonLine(r: StatusBenchResult): string {
  const round = (x: number) => Math.round(x * 100) / 100;
  const { pass, worstP99Ms, worstStoreP99Ms, worstApiP99Ms } = judge(r);
  return `${JSON.stringify({
    bench: 'status',
    pass,
    targetP99Ms: TARGET_P99_MS,
    worstP99Ms: round(worstP99Ms),
    worstStoreP99Ms: round(worstStoreP99Ms),
    worstApiP99Ms: round(worstApiP99Ms),
    messages: r.messages,
    rows: r.rows,
    samples: r.samples,
    warmupCalls: r.warmupCalls,
    limit: r.limit,
    fillSeconds: round(r.fillSeconds),
    redisBytesPerMessage: Math.round(r.redisBytesPerMessage),
    loadAverageBefore: r.loadAverageBefore.map(round),
    gc: { pauses: r.gc.pauses, totalMs: round(r.gc.totalMs), longestMs: round(r.gc.longestMs) },
    figures: r.figures.map((f) => ({
      layer: f.layer,
      query: f.query,
      offset: f.offset,
      rows: f.rows,
      p50Ms: round(f.p50Ms),
      p99Ms: round(f.p99Ms),
      maxMs: round(f.maxMs),
      redisCommands: f.redisCommands,
    })),
    wrong: r.wrong,
  })}\n`;
}
