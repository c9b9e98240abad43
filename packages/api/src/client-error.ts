import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { aliyunClientErrorResponse } from './aliyun/client-error.ts';
import { dialectOfRawHead } from './dialect-shape.ts';
import { isSendCloudHead, sendCloudClientErrorResponse } from './sendcloud/client-error.ts';
import { type RawErrorResponse, tencentClientErrorResponse } from './tencent/client-error.ts';

/**
 * Node's `clientError` error: its code and, for a parser error, the Buffer it failed on (Fastify
 * types `rawPacket` as a serialised Buffer; at runtime it is a Buffer, checked before use).
 */
type ParserError = Error & { code?: string | undefined; rawPacket?: unknown };

function hostOf(raw: Buffer | undefined): string {
  const m = raw ? /\r\nhost:[ \t]*([^\r\n]*)/iu.exec(raw.toString('latin1')) : null;
  return m?.[1]?.trim().replace(/:\d+$/u, '') || 'localhost';
}

/**
 * Fastify's `clientErrorHandler` for the API. Guarantees: a request Node cannot parse (malformed,
 * a head over `maxHeadBytes`, too slow) gets the error envelope of its dialect, chosen from the raw
 * bytes at hand (SendCloud's for a request line to `/apiv2`; else dialect-shape.ts
 * `dialectOfRawHead`: DirectMail's on positive evidence, Tencent's otherwise) instead of a bare
 * 400, and the connection is closed (the stream can no longer be trusted). A connection already reset or destroyed gets nothing.
 */
export function clientErrorHandler(options: { readonly maxHeadBytes: number }): (err: ParserError, socket: Duplex) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : undefined;
      const a: RawErrorResponse = isSendCloudHead(raw)
        ? sendCloudClientErrorResponse(err.code, { maxHeadBytes: options.maxHeadBytes })
        : dialectOfRawHead(raw) === 'aliyun'
          ? aliyunClientErrorResponse(err.code, { maxHeadBytes: options.maxHeadBytes, hostId: hostOf(raw) })
          : tencentClientErrorResponse(err.code);
      socket.write(
        `HTTP/1.1 ${a.status} ${STATUS_CODES[a.status]}\r\nContent-Type: ${a.contentType}\r\nContent-Length: ${Buffer.byteLength(a.body)}\r\nConnection: close\r\n\r\n${a.body}`,
      );
    }
    socket.destroy(err);
  };
}
