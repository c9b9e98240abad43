import { ConflictError, NotFoundError, type PostmillError, ValidationError } from '@postmill/core';
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

// Only these classes carry codes meant for callers (see TencentAction); a plain PostmillError such
// as `Store.CorruptRecord` is an internal failure even though its code looks Tencent-shaped.
const CALLER_ERROR_CLASSES = [ValidationError, NotFoundError, ConflictError, TencentApiError] as const;

/** True when `err` carries a code meant for the caller (a caller-error class with a Tencent-shaped code). */
export function isCallerError(err: unknown): err is PostmillError {
  if (!CALLER_ERROR_CLASSES.some((c) => err instanceof c)) return false;
  const { code } = err as PostmillError;
  return TENCENT_CODE.test(code) && !code.startsWith('Network.') && !code.startsWith('SMTP.') && !code.startsWith('HTTP.');
}
