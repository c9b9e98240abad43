import { PostmillError } from '@postmill/core';

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

/** True when `err` carries a code meant for the caller (a typed Postmill error with a Tencent-shaped code). */
export function isCallerError(err: unknown): err is PostmillError {
  return err instanceof PostmillError && TENCENT_CODE.test(err.code) && !err.code.startsWith('Network.') && !err.code.startsWith('SMTP.') && !err.code.startsWith('HTTP.');
}
