import { ProviderError, type ProviderFailureKind, toProviderError } from '@postmill/core';

// What an HTTP API transport (aliyun-dm, sendcloud, tencent-ses) makes of failures that are not its provider's
// own answers: a bare HTTP status, a Retry-After header, and what fetch throws.

/** The kind of a bare HTTP status: 429 throttled, 408 and 5xx transient, other 4xx permanent, else transient. */
export function kindOfHttpStatus(status: number): ProviderFailureKind {
  if (status === 429) return 'throttled';
  if (status === 408 || status >= 500) return 'transient';
  return status >= 400 ? 'permanent' : 'transient';
}

/** Retry-After in ms: delta-seconds or an HTTP date (relative to `nowMs`); undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/u.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

// undici codes for "the peer closed the socket" and for its own timeouts; everything else keeps its errno.
const UNDICI_CODES: Readonly<Record<string, string>> = {
  UND_ERR_SOCKET: 'Network.ECONNRESET',
  UND_ERR_CLOSED: 'Network.ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'Network.Timeout',
  UND_ERR_HEADERS_TIMEOUT: 'Network.Timeout',
  UND_ERR_BODY_TIMEOUT: 'Network.Timeout',
};

/**
 * A transient `Network.*` ProviderError for anything fetch throws: `Network.Timeout` beyond the
 * budget (the message names `provider`), else the errno of the socket error fetch wraps in
 * `TypeError('fetch failed', { cause })`. The original error is kept as `cause`.
 */
export function fetchFailure(err: unknown, o: { readonly provider: string; readonly timeoutMs: number }): ProviderError {
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ProviderError('Network.Timeout', `${o.provider} did not answer within ${o.timeoutMs} ms`, {
      kind: 'transient',
      cause: err,
      context: { timeoutMs: o.timeoutMs },
    });
  }
  const inner = err instanceof TypeError && err.cause !== undefined ? err.cause : err;
  const innerCode = (inner as { code?: unknown } | undefined)?.code;
  const base = toProviderError(inner);
  const code = (typeof innerCode === 'string' ? UNDICI_CODES[innerCode] : undefined) ?? base.code;
  const message = inner === err ? base.message : `${(err as Error).message}: ${base.message}`;
  return new ProviderError(code, message, { kind: 'transient', cause: err });
}
