import { randomUUID } from 'node:crypto';
import type { RawErrorResponse } from '../tencent/client-error.ts';
import { AliyunApiError } from './aliyun-api-error.ts';
import { aliyunErrorAnswer } from './error-table.ts';

/**
 * DirectMail's answer to a request Node's HTTP parser refused: `{RequestId, HostId, Code, Message}`
 * in JSON (the format every current SDK asks for; the `Format` it sent cannot be trusted) with the
 * status the error table gives: `head-too-large` for a head over `maxHeadBytes`, else
 * `unreadable-request` naming Node's code.
 */
export function aliyunClientErrorResponse(errCode: string | undefined, options: { readonly maxHeadBytes: number; readonly hostId: string }): RawErrorResponse {
  const refusal =
    errCode === 'HPE_HEADER_OVERFLOW'
      ? new AliyunApiError('head-too-large', { maxBytes: options.maxHeadBytes })
      : new AliyunApiError('unreadable-request', { detail: `not valid HTTP/1.1${errCode ? ` (${errCode})` : ''}.` });
  const error = aliyunErrorAnswer(refusal, { action: undefined });
  const body = { RequestId: randomUUID().toUpperCase(), HostId: options.hostId, Code: error.code, Message: error.message };
  return { status: error.status, contentType: 'application/json;charset=utf-8', body: JSON.stringify(body) };
}
