import { ProviderError, type ProviderFailureKind } from '@postmill/core';
import { fetchFailure, kindOfHttpStatus, parseRetryAfterMs } from './http-failure.ts';

// The one place SendCloud's statusCodes are named (reference `aliyun-sendcloud-api.md` §B.2, seed
// 004). SendCloud answers every request with HTTP 200 and the envelope
// `{"result","statusCode","message","info"}`; each `result: false` becomes a ProviderError coded
// `SendCloud.<statusCode>` (numbers alone would read like SMTP or HTTP codes in a ledger), whose
// `kind` the retry policy acts on.

/** `50001` "536 Frequency limited": SendCloud asks the account to slow down. */
const THROTTLED = new Set([50001]);

/**
 * Codes that may succeed when the request is made again: the server's own failure (`501`), a send
 * or processing failure it does not explain (`40901`, `40902`), an exception while it handled the
 * attachments (`40867`) or matched the content (`40911`), and a failed quota check (`40904`: the
 * day's quota may be spent; retried with backoff, as Tencent's InsufficientQuota is).
 */
const TRANSIENT = new Set([501, 40901, 40902, 40904, 40867, 40911]);

/**
 * The kind of a SendCloud `statusCode` answered with `result: false`. Guarantees: `50001` is
 * `throttled`; the codes above are `transient`; every other `4xxxx` code (SendCloud's parameter,
 * authentication and content checks: `40005` wrong apiUser/apiKey, `40806`/`40880` an invalid
 * address, `40807`/`40827` more than 100 recipients, `40908` content refused, …) and `6001` (no
 * permission) are `permanent`, as retrying the same request cannot help (authentication failures
 * are permanent, as the other transports' are); any other code is `transient`. SendCloud documents
 * no code that holds a recipient domain or backs off one recipient.
 */
export function classifySendCloudStatus(statusCode: number): ProviderFailureKind {
  if (THROTTLED.has(statusCode)) return 'throttled';
  if (TRANSIENT.has(statusCode)) return 'transient';
  if ((statusCode >= 40_000 && statusCode < 50_000) || statusCode === 6001) return 'permanent';
  return 'transient';
}

/** The ProviderError of a `result: false` answer: `SendCloud.<statusCode>` with SendCloud's message, statusCode in `context`. */
export function sendCloudErrorAnswer(statusCode: number, message: string): ProviderError {
  return new ProviderError(`SendCloud.${statusCode}`, message === '' ? `SendCloud answered statusCode ${statusCode}` : message, {
    kind: classifySendCloudStatus(statusCode),
    context: { statusCode },
  });
}

/**
 * The ProviderError of a non-200 HTTP answer, which is never SendCloud's (its answers are all HTTP
 * 200; the official Python SDK treats any other status as a transport error): `HTTP.<status>` with
 * `httpStatus`, 429 throttled, 408 and 5xx transient, other 4xx permanent, and `retryAfterMs` when
 * the answer had a readable Retry-After.
 */
export function sendCloudHttpError(status: number, text: string, retryAfter: string | null, nowMs: number): ProviderError {
  const retryAfterMs = parseRetryAfterMs(retryAfter, nowMs);
  return new ProviderError(`HTTP.${status}`, `SendCloud answered HTTP ${status}`, {
    kind: kindOfHttpStatus(status),
    httpStatus: status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    context: { body: text.slice(0, 200) },
  });
}

/**
 * An HTTP 200 whose body is not SendCloud's envelope (not JSON, no `result`, a `result: false`
 * without a numeric `statusCode`). `Network.InvalidResponse`, transient. Caveat: if SendCloud
 * accepted the mail and only the answer was mangled, a retry sends it twice; losing mail is worse.
 */
export function sendCloudInvalidResponse(reason: string, text: string, cause?: unknown): ProviderError {
  return new ProviderError('Network.InvalidResponse', `SendCloud answered HTTP 200 with ${reason}`, {
    kind: 'transient',
    ...(cause === undefined ? {} : { cause }),
    context: { httpStatus: 200, body: text.slice(0, 200) },
  });
}

/** A transient `Network.*` ProviderError for anything fetch throws (see fetchFailure). */
export function sendCloudNetworkError(err: unknown, timeoutMs: number): ProviderError {
  return fetchFailure(err, { provider: 'SendCloud', timeoutMs });
}

/** What `send` throws after `close()`: transient, so the job goes back to the queue for another worker. */
export function sendCloudTransportClosed(): ProviderError {
  return new ProviderError('Network.TransportClosed', 'the SendCloud transport is closed', { kind: 'transient' });
}
