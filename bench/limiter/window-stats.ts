/** Figures of one run, computed from provider arrival times only. */
export interface WindowStats {
  /** Arrivals counted. */
  readonly count: number;
  /** Most arrivals in any window [t_i, t_i + windowMs) that starts at an arrival. */
  readonly maxInWindow: number;
  /** Start of the first fullest window, in ms after the first arrival; undefined without arrivals. */
  readonly maxWindowOffsetMs: number | undefined;
  /** (count − 1) / (last − first) in requests per second; undefined with fewer than 2 arrivals or no time between them. */
  readonly meanRatePerSecond: number | undefined;
  /** Last arrival minus first arrival; 0 with fewer than 2 arrivals. */
  readonly durationMs: number;
}

/**
 * Sliding-window figures of a set of arrival times (ms on one monotonic clock, in any order).
 * Guarantees: checking only windows that start at an arrival is exact — any window holding k
 * arrivals can slide right until it starts at its first arrival and still hold them all; the
 * window is half-open, so two arrivals exactly `windowMs` apart never share one. O(n log n).
 */
export function windowStats(arrivalsMs: readonly number[], options: { windowMs?: number } = {}): WindowStats {
  const windowMs = options.windowMs ?? 1000;
  if (!(windowMs > 0)) throw new RangeError('windowMs must be positive');
  const t = [...arrivalsMs].sort((a, b) => a - b);
  const first = t[0];
  const last = t[t.length - 1];
  if (first === undefined || last === undefined) {
    return { count: 0, maxInWindow: 0, maxWindowOffsetMs: undefined, meanRatePerSecond: undefined, durationMs: 0 };
  }
  let maxInWindow = 0;
  let maxStart = first;
  let end = 0; // first index at or beyond the current window's end; only moves forward
  for (let i = 0; i < t.length; i++) {
    const start = t[i] as number;
    while (end < t.length && (t[end] as number) < start + windowMs) end++;
    if (end - i > maxInWindow) {
      maxInWindow = end - i;
      maxStart = start;
    }
  }
  const durationMs = last - first;
  return {
    count: t.length,
    maxInWindow,
    maxWindowOffsetMs: maxStart - first,
    meanRatePerSecond: durationMs > 0 ? ((t.length - 1) * 1000) / durationMs : undefined,
    durationMs,
  };
}

/**
 * The shortest time spanned by `count` consecutive events (ms), or undefined with fewer than
 * `count` events. Guarantees: with `count = limit + 1`, a value of at least `windowMs` is exactly
 * "no half-open window of `windowMs` holds more than `limit`", and the value shows how close a run
 * came to the limit (1025 with evenly spaced slots of (1000 + 25) / 20 ms; below 1000 is an overshoot).
 */
export function tightestSpanMs(timesMs: readonly number[], count: number): number | undefined {
  if (!(Number.isInteger(count) && count >= 2)) throw new RangeError('count must be an integer of at least 2');
  const t = [...timesMs].sort((a, b) => a - b);
  let tightest: number | undefined;
  for (let i = 0; i + count - 1 < t.length; i++) {
    const span = (t[i + count - 1] as number) - (t[i] as number);
    if (tightest === undefined || span < tightest) tightest = span;
  }
  return tightest;
}
