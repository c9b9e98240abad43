import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RawErrorResponse } from '../tencent/client-error.ts';
import { AliyunApiError } from './aliyun-api-error.ts';
import { errorDocument, hostIdOf } from './envelope.ts';
import { aliyunErrorAnswer } from './error-table.ts';
import { bestEffortFormat } from './request.ts';

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

/**
 * DirectMail's refusal of a request announcing a body over `maxRequestBytes` (with
 * `Expect: 100-continue`, before the body is sent): `body-too-large` through the error table, in
 * the format its query asked for (JSON when it asked for none: the body is never read).
 */
export function aliyunOversizedResponse(req: IncomingMessage, maxRequestBytes: number): RawErrorResponse {
  const error = aliyunErrorAnswer(new AliyunApiError('body-too-large', { maxBytes: maxRequestBytes }), { action: undefined });
  const format = bestEffortFormat({ url: req.url ?? '/', headers: req.headers }, { bodyUnread: true });
  const doc = errorDocument({ format, requestId: randomUUID().toUpperCase(), hostId: hostIdOf(req.headers), error });
  return { status: error.status, contentType: doc.contentType, body: doc.text };
}
