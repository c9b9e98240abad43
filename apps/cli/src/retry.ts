import { ApiTransportError, TencentError } from './api-client.ts';

/**
 * How a failed call should be treated:
 * - `busy`: another upload holds the receiver list (`OperationDenied.ReceiverIsOperating`); nothing was stored;
 * - `throttled`: `RequestLimitExceeded*` or HTTP 429; nothing was done;
 * - `unsent`: the server answered this client before but now refuses connections (a restart);
 *   the request was never sent, so nothing was stored;
 * - `transient`: a dropped connection, timeout, HTTP 5xx or `InternalError*`; the call MAY have been applied;
 * - `permanent`: anything else, a server that never answered included (nothing listens at the
 *   endpoint: waiting will not start it); retrying cannot help.
 */
export type FailureClass = 'busy' | 'throttled' | 'unsent' | 'transient' | 'permanent';

/** The one place that says what an API failure means for a retry. */
export function classifyFailure(err: unknown): FailureClass {
  if (err instanceof TencentError) {
    if (err.code === 'OperationDenied.ReceiverIsOperating') return 'busy';
    if (err.code.startsWith('RequestLimitExceeded')) return 'throttled';
    if (err.code.startsWith('InternalError')) return 'transient';
    return 'permanent';
  }
  if (err instanceof ApiTransportError) {
    if (err.code === 'Cli.HttpStatus') {
      if (err.status === 429) return 'throttled';
      return err.status !== undefined && err.status >= 500 ? 'transient' : 'permanent';
    }
    if (err.code === 'Cli.Unreachable') return err.answeredBefore ? 'unsent' : 'permanent';
    return err.code === 'Cli.BadResponse' ? 'permanent' : 'transient';
  }
  return 'permanent';
}

/** Retry bounds; every field documents its default. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 7 (about 40 s of waiting in all: enough for an upload lease to lapse). */
  readonly maxAttempts?: number;
  /** Wait before the second attempt; doubles each time. Default 500. */
  readonly baseDelayMs?: number;
  /** Longest single wait. Default 15 000. */
  readonly maxDelayMs?: number;
}

/** What the caller is told before each wait. */
export interface RetryNotice {
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly delayMs: number;
  readonly failure: FailureClass;
  readonly error: unknown;
}

export type Sleep = (ms: number) => Promise<void>;

/** The wait before attempt `attempt + 1` (1-based `attempt`), with ±20 % jitter from `random`. */
export function retryDelayMs(attempt: number, options: RetryOptions = {}, random: () => number = Math.random): number {
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 15_000;
  const exact = Math.min(cap, base * 2 ** (attempt - 1));
  return Math.round(exact * (0.8 + 0.4 * random()));
}

/**
 * Runs `fn`, retrying busy / throttled / unsent / transient failures with exponential backoff, at most
 * `maxAttempts` times in all. Guarantees: a permanent failure is thrown at once; the last
 * failure is thrown unchanged when the attempts run out.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  deps: { sleep: Sleep; options?: RetryOptions; onRetry?: (notice: RetryNotice) => void; random?: () => number },
): Promise<T> {
  const maxAttempts = Math.max(1, deps.options?.maxAttempts ?? 7);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure === 'permanent' || attempt >= maxAttempts) throw error;
      const delayMs = retryDelayMs(attempt, deps.options, deps.random);
      deps.onRetry?.({ attempt, maxAttempts, delayMs, failure, error });
      await deps.sleep(delayMs);
    }
  }
}
