import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
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

/**
 * Fastify's `clientErrorHandler` for the API: a request Node cannot parse gets Tencent's error
 * envelope (with a RequestId) instead of a bare 400, with the matching HTTP status, and the
 * connection is closed (the stream can no longer be trusted). A connection already reset or
 * destroyed gets nothing.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const a = clientErrorAnswer(err.code);
    const body = JSON.stringify(errorEnvelope(randomUUID(), a.code, a.message));
    socket.write(
      `HTTP/1.1 ${a.status} ${STATUS_CODES[a.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
