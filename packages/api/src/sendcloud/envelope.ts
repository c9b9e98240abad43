import type { FastifyReply } from 'fastify';
import { SENDCLOUD_STATUS_MESSAGES, type SendCloudStatusCode } from './status-codes.ts';

/** The content type of every SendCloud answer, as SendCloud sends it (Spring's JSON with its charset). */
export const SENDCLOUD_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** SendCloud's envelope: every answer, success or refusal, has exactly these four keys. */
export interface SendCloudEnvelope {
  readonly result: boolean;
  readonly statusCode: SendCloudStatusCode;
  readonly message: string;
  readonly info: Record<string, unknown>;
}

/**
 * The codes SendCloud answers with `result: true` besides 200: a success reported with its own
 * code (40821 address-list task created, 40401/40403 unsubscribe record created/deleted, 40100/
 * 40107/40109 label created/deleted/updated, 40601 bounce deleted, 40903/40905/40906/40909/40910/49904).
 */
const SUCCESS_CODES: ReadonlySet<SendCloudStatusCode> = new Set<SendCloudStatusCode>([
  200, 40100, 40107, 40109, 40401, 40403, 40601, 40821, 40903, 40905, 40906, 40909, 40910, 49904,
]);

/** True when SendCloud answers `code` with `result: true`. */
export function isSuccessCode(code: SendCloudStatusCode): boolean {
  return SUCCESS_CODES.has(code);
}

/** The documented message of `code`, with `detail` after it when there is one. */
export function messageOf(code: SendCloudStatusCode, detail?: string): string {
  const message = SENDCLOUD_STATUS_MESSAGES[code];
  return detail === undefined || detail === '' ? message : `${message}: ${detail}`;
}

/** The envelope's text, for a reply or a raw socket. */
export function envelopeText(envelope: SendCloudEnvelope): string {
  return JSON.stringify({ result: envelope.result, statusCode: envelope.statusCode, message: envelope.message, info: envelope.info });
}

/** Writes `envelope` with HTTP 200 (SendCloud answers refusals with 200 too; clients read `statusCode`). */
export function sendEnvelope(reply: FastifyReply, envelope: SendCloudEnvelope): FastifyReply {
  // A Buffer, so Fastify sends the content type exactly as set.
  return reply
    .code(200)
    .header('content-type', SENDCLOUD_CONTENT_TYPE)
    .send(Buffer.from(envelopeText(envelope), 'utf8'));
}

/** A refusal's envelope: `result: false`, the code, its message (with detail) and an empty `info`. */
export function refusalEnvelope(statusCode: SendCloudStatusCode, message: string): SendCloudEnvelope {
  return { result: false, statusCode, message, info: {} };
}
