import { randomUUID } from 'node:crypto';
import type { RawErrorResponse } from './client-error.ts';
import { errorEnvelope } from './envelope.ts';

/** The refusal of a body over `maxRequestBytes`, in Tencent's words. */
export function oversizedBodyMessage(maxRequestBytes: number): string {
  return `The request body exceeds ${maxRequestBytes} bytes; nothing was applied.`;
}

/** Tencent's refusal of a body over `maxRequestBytes`: its envelope, HTTP 200. */
export function tencentOversizedResponse(maxRequestBytes: number): RawErrorResponse {
  const body = JSON.stringify(errorEnvelope(randomUUID(), 'RequestSizeLimitExceeded', oversizedBodyMessage(maxRequestBytes)));
  return { status: 200, contentType: 'application/json', body };
}
