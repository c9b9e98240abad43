import { randomUUID } from 'node:crypto';
import { errorEnvelope } from './envelope.ts';

/** The raw HTTP answer to a request Node's HTTP parser refused, before any route could see it. */
export interface ClientErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * What to answer for a parser-level client error (`err.code` from Node's `clientError` event).
 * Tencent's own codes: RequestSizeLimitExceeded for headers over Node's limit, InvalidRequest for
 * everything else (malformed request line or headers, bad chunked encoding, too slow to arrive).
 */
export function clientErrorAnswer(errCode: string | undefined): ClientErrorAnswer {
  if (errCode === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'RequestSizeLimitExceeded', message: 'The request headers are too large; nothing was applied.' };
  }
  if (errCode === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'InvalidRequest', message: 'The request did not arrive in time; nothing was applied.' };
  }
  return { status: 400, code: 'InvalidRequest', message: `The request is not valid HTTP/1.1${errCode ? ` (${errCode})` : ''}; nothing was applied.` };
}

/** The raw HTTP response to a refused request: status, content type and body. */
export interface RawErrorResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/**
 * Tencent's answer to a request Node cannot parse: its error envelope (with a RequestId) instead
 * of a bare 400, with the matching HTTP status.
 */
export function tencentClientErrorResponse(errCode: string | undefined): RawErrorResponse {
  const a = clientErrorAnswer(errCode);
  return { status: a.status, contentType: 'application/json', body: JSON.stringify(errorEnvelope(randomUUID(), a.code, a.message)) };
}
