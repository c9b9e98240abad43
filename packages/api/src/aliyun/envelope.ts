import type { FastifyReply } from 'fastify';
import type { AliyunErrorAnswer } from './error-table.ts';
import type { AnswerFormat } from './request.ts';
import { toXmlDocument } from './xml.ts';

// The dm SDK parses an XML error only with exactly this content type (wire notes); JSON likewise.
const CONTENT_TYPES: Readonly<Record<AnswerFormat, string>> = {
  json: 'application/json;charset=utf-8',
  xml: 'text/xml;charset=utf-8',
};

function write(reply: FastifyReply, status: number, format: AnswerFormat, text: string): FastifyReply {
  // A Buffer, so Fastify sends the content type exactly as set.
  return reply.code(status).header('content-type', CONTENT_TYPES[format]).send(Buffer.from(text, 'utf8'));
}

/** A success: HTTP 200, `RequestId` first, then the action's fields with the vendor's exact keys. */
export function sendSuccess(
  reply: FastifyReply,
  answer: { readonly format: AnswerFormat; readonly action: string; readonly requestId: string; readonly fields: Readonly<Record<string, unknown>> },
): FastifyReply {
  const body = { RequestId: answer.requestId, ...answer.fields };
  return write(reply, 200, answer.format, answer.format === 'xml' ? toXmlDocument(`${answer.action}Response`, body) : JSON.stringify(body));
}

/** What a refusal is written as: its content type and text, for a reply or a raw socket. */
export function errorDocument(answer: {
  readonly format: AnswerFormat;
  readonly requestId: string;
  readonly hostId: string;
  readonly error: AliyunErrorAnswer;
}): {
  readonly contentType: string;
  readonly text: string;
} {
  const body = { RequestId: answer.requestId, HostId: answer.hostId, Code: answer.error.code, Message: answer.error.message };
  return { contentType: CONTENT_TYPES[answer.format], text: answer.format === 'xml' ? toXmlDocument('Error', body) : JSON.stringify(body) };
}

/** A refusal: its HTTP status, and `{RequestId, HostId, Code, Message}` (`<Error>` in XML). */
export function sendError(
  reply: FastifyReply,
  answer: { readonly format: AnswerFormat; readonly requestId: string; readonly hostId: string; readonly error: AliyunErrorAnswer },
): FastifyReply {
  const doc = errorDocument(answer);
  return reply.code(answer.error.status).header('content-type', doc.contentType).send(Buffer.from(doc.text, 'utf8'));
}

/** The `HostId` of an answer: the request's Host without its port (`localhost` when absent). */
export function hostIdOf(headers: { readonly host?: string | undefined }): string {
  return (headers.host ?? '').replace(/:\d+$/u, '') || 'localhost';
}
