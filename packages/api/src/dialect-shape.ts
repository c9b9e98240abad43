import { decodeWireParams } from '@postmill/acs';

/** The wire dialects served on `/`. */
export type DialectName = 'tencent' | 'aliyun';

/** What the shape of a request is read from; header names lower case. */
export interface RequestShape {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The URL's query text after `?` (empty when none). */
  readonly rawQuery: string;
}

function first(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function isFormBody(shape: RequestShape): boolean {
  return first(shape.headers['content-type']).split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

function hasSignatureParam(text: string): boolean {
  // Cheap test first: most requests carry no such text at all.
  return text.includes('Signature') && decodeWireParams(text).some(([name]) => name === 'Signature');
}

type Decided = DialectName | 'form-body-decides';

function decideFromHead(shape: RequestShape): Decided {
  const authorization = first(shape.headers.authorization);
  if (authorization.startsWith('ACS3-HMAC-SHA256 ')) return 'aliyun';
  // A Tencent marker wins over everything below: no Alibaba client sends one, and every request
  // Tencent's clients (and the Tencent tests) make carries one.
  if (authorization.startsWith('TC3-') || Object.keys(shape.headers).some((name) => name.startsWith('x-tc-'))) return 'tencent';
  if (hasSignatureParam(shape.rawQuery)) return 'aliyun';
  return isFormBody(shape) ? 'form-body-decides' : 'tencent';
}

/**
 * The dialect a request speaks, by its shape (wire notes, "Choosing V3 or V1"): Alibaba when
 * `Authorization` starts with `ACS3-HMAC-SHA256 ` (V3), or, without any Tencent marker (a TC3
 * Authorization or an `X-TC-*` header), when a `Signature` parameter is in the query or the
 * form body (V1). Everything else is Tencent's, so every request that was Tencent's before
 * Alibaba was served still gets Tencent's answer.
 */
export function chooseDialect(shape: RequestShape & { readonly body: Buffer | undefined }): DialectName {
  const decided = decideFromHead(shape);
  if (decided !== 'form-body-decides') return decided;
  return shape.body && hasSignatureParam(shape.body.toString('latin1')) ? 'aliyun' : 'tencent';
}

/**
 * The dialect of a request whose body could not be read (too large, aborted): as `chooseDialect`,
 * except that an unsigned-looking form POST (no Tencent marker) is taken for Alibaba's V1 form.
 */
export function chooseDialectWithoutBody(shape: RequestShape): DialectName {
  const decided = decideFromHead(shape);
  return decided === 'form-body-decides' ? 'aliyun' : decided;
}

const REQUEST_LINE = /^[A-Z]+ (\S+) HTTP\/\d/u;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/u;

/**
 * The dialect of a request Node's HTTP parser refused, from whatever raw bytes of its head are at
 * hand (`err.rawPacket`: the chunk the parser failed on, which may hold only part of the head).
 * Alibaba's only on positive evidence (an ACS3 Authorization, or a `Signature` parameter in the
 * request line, without a Tencent marker); Tencent's otherwise, as every such request was before.
 */
export function dialectOfRawHead(raw: Buffer | undefined): DialectName {
  if (!raw || raw.length === 0) return 'tencent';
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const lines = (end === -1 ? text : text.slice(0, end)).split('\r\n');
  const target = REQUEST_LINE.exec(lines[0] ?? '')?.[1] ?? '';
  const q = target.indexOf('?');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const m = HEADER_LINE.exec(line);
    if (m?.[1] !== undefined) headers[m[1].toLowerCase()] ??= m[2] ?? '';
  }
  const decided = decideFromHead({ headers, rawQuery: q === -1 ? '' : target.slice(q + 1) });
  return decided === 'aliyun' ? 'aliyun' : 'tencent';
}
