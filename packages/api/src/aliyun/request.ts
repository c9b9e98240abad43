import type { IncomingHttpHeaders } from 'node:http';
import { decodeWireParams } from '@postmill/acs';
import type { FastifyRequest } from 'fastify';
import { AliyunApiError } from './aliyun-api-error.ts';

/** How the answer is written. */
export type AnswerFormat = 'json' | 'xml';

/** A DirectMail request as read off the wire, before its signature is checked. */
export interface AliyunRequest {
  /** V3 when `Authorization` is ACS3-HMAC-SHA256, else V1. */
  readonly signing: 'v1' | 'v3';
  readonly method: string;
  /** Decoded query parameters (last one wins for a repeated name). */
  readonly query: ReadonlyMap<string, string>;
  /** Query ∪ form body (the body wins for a name in both, as darabonba merges them). */
  readonly params: ReadonlyMap<string, string>;
  readonly body: Buffer;
  /** From `x-acs-action` (V3) or the `Action` parameter (V1); undefined when absent. */
  readonly action: string | undefined;
  /** `x-acs-version` (V3) or `Version` (V1). */
  readonly version: string | undefined;
  readonly format: AnswerFormat;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toMap(pairs: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  // A Map, not an object: parameter names come from the wire (`__proto__` is just a name here).
  return new Map(pairs);
}

/**
 * The format an answer must take: `Format` compared case-insensitively (the dm SDK sends `json`,
 * pop-core `JSON`); absent means XML for V1 (the vendor's default) and JSON for V3 (whose clients
 * only read JSON). Anything else is refused, and that refusal is written as JSON.
 */
export function answerFormat(format: string | undefined, signing: 'v1' | 'v3'): AnswerFormat {
  if (format === undefined || format === '') return signing === 'v3' ? 'json' : 'xml';
  const lower = format.toLowerCase();
  if (lower === 'json' || lower === 'xml') return lower;
  throw new AliyunApiError('invalid-format', { format });
}

/** What `bestEffortFormat` reads: the URL and headers, and the body once it was read. */
export interface FormatSource {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
}

function isFormHeaders(headers: IncomingHttpHeaders): boolean {
  return (first(headers['content-type']) ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/**
 * The format to answer in before (or without) a valid `Format`: what the request asked (its form
 * body, once read, over its query, as `readAliyunRequest` merges them), else the signing's default;
 * an invalid `Format` is answered in JSON, as `answerFormat` promises. When the body could not be
 * read (`bodyUnread`), a `Format` it may have carried is unknown, so JSON, which every current SDK
 * asks for (pop-core cannot parse XML at all).
 */
export function bestEffortFormat(req: FormatSource, options: { bodyUnread?: boolean } = {}): AnswerFormat {
  const q = req.url.indexOf('?');
  const query = q === -1 ? [] : decodeWireParams(req.url.slice(q + 1));
  let format = query.findLast(([name]) => name === 'Format')?.[1];
  if (!options.bodyUnread && Buffer.isBuffer(req.body) && req.body.length > 0 && isFormHeaders(req.headers)) {
    // latin1: only the error path comes here, and a body that is not UTF-8 still names its Format.
    format = decodeWireParams(req.body.toString('latin1')).findLast(([name]) => name === 'Format')?.[1] ?? format;
  }
  if (format === undefined && options.bodyUnread) return 'json';
  const signing = (first(req.headers.authorization) ?? '').startsWith('ACS3-HMAC-SHA256 ') ? 'v3' : 'v1';
  try {
    return answerFormat(format, signing);
  } catch {
    return 'json';
  }
}

/**
 * Reads query and form body (sent with or without Content-Length: the dm SDK sends its forms
 * chunked) into decoded parameters. A form body must be UTF-8; any other body is kept only for
 * the V3 content hash. Throws AliyunApiError for an unreadable body or an invalid `Format`.
 */
export function readAliyunRequest(req: FastifyRequest): AliyunRequest {
  const signing = (first(req.headers.authorization) ?? '').startsWith('ACS3-HMAC-SHA256 ') ? 'v3' : 'v1';
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const q = req.url.indexOf('?');
  const query = toMap(q === -1 ? [] : decodeWireParams(req.url.slice(q + 1)));
  const params = new Map(query);
  if (body.length > 0 && isFormHeaders(req.headers)) {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch (cause) {
      throw new AliyunApiError('unreadable-request', { detail: 'the form body is not valid UTF-8.' }, { cause });
    }
    for (const [name, value] of decodeWireParams(text)) params.set(name, value);
  }
  const action = signing === 'v3' ? first(req.headers['x-acs-action']) : params.get('Action');
  const version = signing === 'v3' ? first(req.headers['x-acs-version']) : params.get('Version');
  return {
    signing,
    method: req.method,
    query,
    params,
    body,
    action: action === '' ? undefined : action,
    version,
    format: answerFormat(params.get('Format'), signing),
  };
}
