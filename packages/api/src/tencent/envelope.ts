import type { PostmillError } from '@postmill/core';
import { TencentApiError } from './tencent-api-error.ts';

/** The success envelope: the action's fields plus `RequestId`. */
export function successEnvelope(requestId: string, fields: Record<string, unknown>): { Response: Record<string, unknown> } {
  return { Response: { ...fields, RequestId: requestId } };
}

/** The error envelope; `Error` present ⇔ failure, nothing else beside `RequestId`. */
export function errorEnvelope(requestId: string, code: string, message: string): { Response: Record<string, unknown> } {
  return { Response: { Error: { Code: code, Message: message }, RequestId: requestId } };
}

// A code is rendered to callers only if it looks like a Tencent code; anything else is internal.
const TENCENT_CODE = /^[A-Z][A-Za-z]+(\.[A-Za-z0-9]+)*$/u;

/**
 * True when `err` is one of the dialect's own refusals (a TencentApiError with a Tencent-shaped
 * code: signature, parsing, unknown action). Engine refusals are rendered through the error table
 * instead; a plain PostmillError such as `Store.CorruptRecord` is an internal failure even though
 * its code looks Tencent-shaped.
 */
export function isCallerError(err: unknown): err is PostmillError {
  if (!(err instanceof TencentApiError)) return false;
  const { code } = err as PostmillError;
  return TENCENT_CODE.test(code) && !code.startsWith('Network.') && !code.startsWith('SMTP.') && !code.startsWith('HTTP.');
}
