/** Default window of `limitErrorLog`: one line per 10 s. */
const DEFAULT_WINDOW_MS = 10_000;

/**
 * Wraps an error logger so a burst of errors makes one line per window, not one per error.
 * Guarantees: the first error of a window is logged at once; the others in that window are counted,
 * and the count is reported (`suppressed`) with the next error logged, so nothing is hidden.
 *
 * Why: while Redis is unreachable, BullMQ emits an error per failed connection attempt, lock
 * renewal and fetch, each worker 100–200 lines in a few seconds (measured by the Redis-restart
 * suite), which drowns the one line that matters.
 */
export function limitErrorLog(
  log: (err: unknown, suppressed: number) => void,
  options: { windowMs?: number; nowMs?: () => number } = {},
): (err: unknown) => void {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const now = options.nowMs ?? Date.now;
  let windowStart = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (err) => {
    const t = now();
    if (t - windowStart < windowMs) {
      suppressed++;
      return;
    }
    windowStart = t;
    log(err, suppressed);
    suppressed = 0;
  };
}
