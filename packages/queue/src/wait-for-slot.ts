// The global timer (not node:timers/promises), so tests can drive it with fake timers. Rejects
// with the signal's reason as soon as `signal` aborts, clearing the timer.
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const abandon = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abandon);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abandon, { once: true });
  });

/** How long before its slot a send asks its last-moment question (a Redis round trip is well under 1 ms). */
const CHECK_LEAD_MS = 10;

/** What `waitForSlotAndCheck` saw: the check's answer, and how late after the slot it resolved. */
export interface SlotWait<T> {
  readonly value: T;
  /** Milliseconds between the slot and the moment the caller may start (timer and event-loop lateness). */
  readonly lateMs: number;
}

/**
 * Waits until a reserved start slot: the one deliberate wait in a processor. The slot is already
 * ours, and starting on it (not earlier, not after a round trip through the queue) is what keeps
 * the provider's per-second limit; the wait is bounded by the limiter's horizon (10 s by default),
 * well below the job lock (30 s). It also answers `check` (e.g. "is the
 * transport paused?") asked `CHECK_LEAD_MS` before the slot, so that its round trip overlaps the
 * wait instead of delaying the start: a send that starts late lands next to the following slots.
 * Guarantees: resolves no earlier than the slot, with a check issued at most `CHECK_LEAD_MS`
 * (plus timer lateness) before it, and reports how late it resolved so the caller can give up a
 * slot it can no longer start on time (see SharedRateLimiter.lateToleranceMs). A negative
 * `delayMs` is a slot that passed before the wait began (the reservation's answer was read late):
 * the check is asked at once and `lateMs` counts from the slot, not from the call. When `signal`
 * aborts (the worker is draining) the wait rejects at once with the signal's reason: the slot is
 * given up (an unused slot is simply lost; the rate only drops).
 */
export async function waitForSlotAndCheck<T>(delayMs: number, check: () => Promise<T>, signal?: AbortSignal): Promise<SlotWait<T>> {
  const slotAt = performance.now() + delayMs;
  if (delayMs > CHECK_LEAD_MS) await sleep(delayMs - CHECK_LEAD_MS, signal);
  const value = await check();
  const left = slotAt - performance.now();
  if (left >= 1) await sleep(left, signal);
  return { value, lateMs: Math.max(0, performance.now() - slotAt) };
}
