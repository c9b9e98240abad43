import type { ProviderFailureKind } from '@postmill/core';

// Tencent SES codes that retrying cannot fix: the recipient, the content or the account is refused.
const PERMANENT = new Set([
  'FailedOperation.IncorrectEmail',
  'FailedOperation.EmailAddrInBlacklist',
  'FailedOperation.ReceiverHasUnsubscribed',
  'FailedOperation.RejectedByRecipients',
  'FailedOperation.UnsupportMailType',
  'FailedOperation.IncorrectSender',
  'FailedOperation.NotAuthenticatedSender',
  'FailedOperation.WithOutPermission',
  'FailedOperation.MissingEmailContent',
  'FailedOperation.InvalidTemplateID',
  'FailedOperation.TooManyRecipients',
  'FailedOperation.TooManyAttachments',
  'FailedOperation.AttachContentToolarge',
  'FailedOperation.EmailContentToolarge',
  'FailedOperation.InvalidAttachName',
  'FailedOperation.NoAttachPermission',
  'FailedOperation.WrongContentJson',
  'FailedOperation.IllegalURL',
  'FailedOperation.URLForbidden',
  'FailedOperation.ProtocolCheckErr',
  'FailedOperation.SendEmailErr',
  'FailedOperation.InsufficientBalance',
]);

// Tencent SES codes for a service that may answer differently later.
const TRANSIENT = new Set([
  'InternalError',
  'ServiceUnavailable',
  'ResourceUnavailable',
  'ResourceInsufficient',
  'FailedOperation.ServiceNotAvailable',
  'FailedOperation.ExceedSendLimit',
  'FailedOperation.InsufficientQuota',
  'FailedOperation.HighRejectionRate',
]);

// Namespaces of Tencent codes that say the request itself is wrong.
const REQUEST_REFUSED =
  /^(FailedOperation|InvalidParameter|InvalidParameterValue|MissingParameter|AuthFailure|UnauthorizedOperation|UnknownParameter|UnsupportedOperation|OperationDenied|LimitExceeded)(\.|$)/u;

/**
 * What a Tencent SES answer means for delivery. Guarantees exactly one kind for any answer:
 * `FailedOperation.TemporaryBlocked` holds the recipient's domain; `FailedOperation.FrequencyLimit`
 * backs off the recipient; `RequestLimitExceeded` (and its sub-codes) and HTTP 429 throttle the
 * transport; other non-200 HTTP answers are transient when 5xx or 408, else permanent; network
 * failures (`Network.*`), `InternalError.*` and Tencent's availability codes are transient; the
 * known refusals, and any other code in Tencent's request-refusal namespaces (`FailedOperation`,
 * `InvalidParameter*`, `MissingParameter`, `AuthFailure`, ...), are permanent (retrying cannot fix
 * the request); anything else is transient.
 */
export function classifyTencentSesAnswer(answer: { readonly code: string; readonly httpStatus?: number | undefined }): ProviderFailureKind {
  const { code, httpStatus } = answer;
  if (code === 'FailedOperation.TemporaryBlocked') return 'hold-domain';
  if (code === 'FailedOperation.FrequencyLimit') return 'backoff-recipient';
  if (code === 'RequestLimitExceeded' || code.startsWith('RequestLimitExceeded.') || httpStatus === 429) return 'throttled';
  if (httpStatus !== undefined) return httpStatus >= 500 || httpStatus === 408 ? 'transient' : 'permanent';
  if (code.startsWith('Network.')) return 'transient';
  if (TRANSIENT.has(code) || code.startsWith('InternalError.')) return 'transient';
  if (PERMANENT.has(code) || REQUEST_REFUSED.test(code)) return 'permanent';
  return 'transient';
}
