import { expect } from 'vitest';
import type { TencentAnswer } from './api-harness.ts';

/** Asserts a Tencent-shaped answer (HTTP 200, a RequestId) and returns its error code, if any. */
export function errorCode(answer: TencentAnswer): string | undefined {
  expect(answer.status).toBe(200);
  expect(typeof answer.body.Response.RequestId).toBe('string');
  expect(answer.body.Response.RequestId).not.toBe('');
  return answer.body.Response.Error?.Code;
}

/** Asserts a successful Tencent answer and returns its Response fields. */
export function ok(answer: TencentAnswer): Record<string, unknown> {
  expect(answer.status).toBe(200);
  expect(answer.body.Response.Error).toBeUndefined();
  expect(typeof answer.body.Response.RequestId).toBe('string');
  return answer.body.Response;
}
