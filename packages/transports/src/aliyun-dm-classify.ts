import { ProviderError, type ProviderFailureKind } from '@postmill/core';
import { fetchFailure, kindOfHttpStatus, parseRetryAfterMs } from './http-failure.ts';

// The one place DirectMail's codes are named (reference `aliyun-sendcloud-api.md` §A.5, seed 000).
// Each answer becomes a ProviderError whose `kind` the retry policy acts on; no other module
// needs to know what `InvalidToAddress.Spam` means.

/**
 * Codes DirectMail answers for a request that cannot succeed as sent: the sender address, its
 * domain or its type is wrong; a recipient address is malformed or known invalid; the content is
 * refused; the credential is wrong or disabled. Retrying the same request cannot help.
 */
const PERMANENT = new Set([
  'InvalidMailAddress.NotFound',
  'InvalidMailAddressName.Malformed',
  'InvalidMailAddressStatus.Malformed',
  'InvalidMailAddressSendType.Malformed',
  'InvalidMailAddressDomain.Malformed',
  'InvalidReceiverName.Malformed',
  'InvalidReceiver.NotFound',
  'InvalidTemplateName.Malformed',
  'InvalidTemplate.NotFound',
  'InvalidToAddress',
  'InvalidToAddress.Spam',
  'InvalidBody',
  'InvalidSubject.Malformed',
  // Seed 000: "detected as spam mailing by the anti-spam system … optimize the email content".
  'InvalidSendMail.Spam',
  'InvalidKeyword.Malformed',
  'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId.Inactive',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidSignatureMethod',
  'InvalidTimeStamp.Format',
  'InvalidParameter.Format',
  'InvalidApi.NotFound',
  'InvalidAction.NotFound',
  'UnsupportedHTTPMethod',
]);

/**
 * Codes that may succeed when the request is made again: the vendor's own failures, a nonce the
 * gateway had seen (every attempt signs a fresh one), and a clock more than 15 minutes off
 * (`InvalidTimeStamp.Expired`: retried, with backoff, so a clock put right by NTP recovers).
 */
const TRANSIENT = new Set(['InternalError', 'ServiceUnavailable', 'SignatureNonceUsed', 'InvalidTimeStamp.Expired']);

/**
 * The kind of a DirectMail error answer. Guarantees: any code containing `Throttling`
 * (`Throttling`, `Throttling.User`, `Throttling.Api`, as the SDKs single them out) is `throttled`;
 * the codes above are what they say; the documented patterns `Missing<Name>` and `Invalid<Name>`
 * are `permanent`; any other code goes by its HTTP status: 429 throttled, 408 and 5xx transient,
 * other 4xx permanent (DirectMail answers a caller's mistake with a 4xx), anything else transient.
 * DirectMail documents no code that blocks a recipient domain for a while or one recipient for
 * sending too often, so no answer is `hold-domain` or `backoff-recipient`.
 */
export function classifyDmCode(code: string, httpStatus: number): ProviderFailureKind {
  if (code.includes('Throttling')) return 'throttled';
  if (TRANSIENT.has(code)) return 'transient';
  if (PERMANENT.has(code) || /^(Missing|Invalid)[A-Z]/u.test(code)) return 'permanent';
  return kindOfHttpStatus(httpStatus);
}

// Shared with the other HTTP API transports; re-exported so this module's callers keep one import.
export { kindOfHttpStatus, parseRetryAfterMs };

interface DmErrorBody {
  readonly Code?: unknown;
  readonly Message?: unknown;
  readonly RequestId?: unknown;
  readonly HostId?: unknown;
}

/**
 * The ProviderError a non-200 answer means. DirectMail's JSON error (`{RequestId, HostId, Code,
 * Message}`) keeps its `Code` as the error code, with the HTTP status, RequestId and HostId in
 * `context` (deliberately not in `httpStatus`: that field marks answers that are not the vendor's,
 * as for the other transports). Any other body (a proxy's page, an empty 503) is `HTTP.<status>`
 * with `httpStatus`. Both carry `retryAfterMs` when the answer had a readable Retry-After.
 */
export function dmErrorAnswer(status: number, text: string, retryAfter: string | null, nowMs: number): ProviderError {
  const retryAfterMs = parseRetryAfterMs(retryAfter, nowMs);
  const delay = retryAfterMs === undefined ? {} : { retryAfterMs };
  let body: DmErrorBody | undefined;
  try {
    body = JSON.parse(text) as DmErrorBody;
  } catch {
    body = undefined;
  }
  if (typeof body?.Code === 'string' && body.Code !== '') {
    const message = typeof body.Message === 'string' ? body.Message : body.Code;
    return new ProviderError(body.Code, message, {
      kind: classifyDmCode(body.Code, status),
      ...delay,
      context: { httpStatus: status, requestId: body.RequestId, hostId: body.HostId },
    });
  }
  return new ProviderError(`HTTP.${status}`, `DirectMail answered HTTP ${status} without its error body`, {
    kind: kindOfHttpStatus(status),
    httpStatus: status,
    ...delay,
    context: { body: text.slice(0, 200) },
  });
}

/**
 * A 200 answer without an EnvId (not JSON, a truncated body, a 2xx error the gateway should not
 * send). `Network.InvalidResponse`, transient. Caveat: if DirectMail accepted the mail and only the
 * answer was mangled, a retry sends it twice; losing mail is worse.
 */
export function dmInvalidResponse(reason: string, text: string, cause?: unknown): ProviderError {
  return new ProviderError('Network.InvalidResponse', `DirectMail answered HTTP 200 with ${reason}`, {
    kind: 'transient',
    ...(cause === undefined ? {} : { cause }),
    context: { httpStatus: 200, body: text.slice(0, 200) },
  });
}

/**
 * A transient `Network.*` ProviderError for anything fetch throws: `Network.Timeout` beyond the
 * budget, else the errno of the socket error fetch wraps in `TypeError('fetch failed', { cause })`.
 * The original error is kept as `cause`.
 */
export function dmNetworkError(err: unknown, timeoutMs: number): ProviderError {
  return fetchFailure(err, { provider: 'DirectMail', timeoutMs });
}

/** What `send` throws after `close()`: transient, so the job goes back to the queue for another worker. */
export function dmTransportClosed(): ProviderError {
  return new ProviderError('Network.TransportClosed', 'the DirectMail transport is closed', { kind: 'transient' });
}

/**
 * What `send` throws for a message with attachments: DirectMail's SingleSendMail takes no file
 * content (its `Attachments` are URLs of files uploaded to Alibaba's OSS first, an SDK-side step
 * outside the signed API), so the transport refuses before any request. Permanent.
 */
export function dmAttachmentsUnsupported(count: number): ProviderError {
  return new ProviderError(
    'Transport.AttachmentsUnsupported',
    `the aliyun-dm transport cannot send attachments (${count} given): DirectMail's SingleSendMail takes only files uploaded to Alibaba OSS beforehand`,
    { kind: 'permanent', context: { attachments: count } },
  );
}
