/** Thrown by `withTimeout` when the work did not settle in time. */
export class CollectTimeoutError extends Error {
  override readonly name = 'CollectTimeoutError';
  readonly code = 'Metrics.CollectTimeout';
  constructor(readonly timeoutMs: number) {
    super(`a scrape-time read did not answer within ${timeoutMs} ms`);
  }
}

/**
 * Settles like `work`, or rejects with CollectTimeoutError after `timeoutMs`. Guarantees: the timer
 * never outlives the call (cleared on settle, unref'd meanwhile), so a scrape never keeps a process up.
 * `work` itself is not cancelled: a command queued while Redis is away still runs when it returns.
 */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CollectTimeoutError(timeoutMs)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
