import { createHash, createHmac } from 'node:crypto';
import { type AcsParams, byName, paramEntries } from './params.ts';
import { pct } from './percent-encode.ts';
import { type AcsVerifyOptions, type AcsVerifyResult, checkSkew, fail, parseAcsTimestamp, sameSignature } from './verify-result.ts';

export const V3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** SHA-256 of the empty body, the `x-acs-content-sha256` of a request without one. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The V3 canonical query: sorted by name, `name=pct(value)` joined by `&`. Names go in as they
 * are, as the SDK (`getAuthorizationQueryString`) writes them; Alibaba's names are plain ASCII.
 */
export function v3CanonicalQuery(query: AcsParams): string {
  return paramEntries(query)
    .sort(byName)
    .map(([name, value]) => `${name}=${pct(value)}`)
    .join('&');
}

export interface V3CanonicalInput {
  readonly method: string;
  /** Default `/`. */
  readonly path?: string;
  readonly query: AcsParams;
  /** The signed headers: lower-case name → value as received. */
  readonly signedHeaders: ReadonlyMap<string, string>;
  /** hex SHA-256 of the body bytes. */
  readonly hashedPayload: string;
}

/** The canonical request both sides hash: method, URI, query, headers, header names, payload hash. */
export function v3CanonicalRequest(input: V3CanonicalInput): string {
  const names = [...input.signedHeaders.keys()].sort();
  const headerLines = names.map((n) => `${n}:${(input.signedHeaders.get(n) ?? '').trim()}\n`).join('');
  return [input.method, input.path ?? '/', v3CanonicalQuery(input.query), headerLines, names.join(';'), input.hashedPayload].join('\n');
}

export function v3StringToSign(canonicalRequest: string): string {
  return `${V3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

function v3Signature(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}

/** A request to sign with V3. Business parameters go in `query` and/or a form `body`. */
export interface SignV3Request {
  /** Default `POST`. */
  readonly method?: string;
  /** The Host header as it will be sent, port included. */
  readonly host: string;
  readonly action: string;
  readonly version: string;
  /** `x-acs-date`, `YYYY-MM-DDThh:mm:ssZ`. */
  readonly date: string;
  readonly nonce: string;
  readonly query?: AcsParams;
  readonly body?: Buffer | string;
  /** Sent and signed when there is a body. Default `application/x-www-form-urlencoded`. */
  readonly contentType?: string;
}

/**
 * Guarantees the headers the official SDK (darabonba `getAuthorization`) sends for the same
 * request, `authorization` included: every `x-acs-*` header, `host` and, with a body,
 * `content-type` are signed. Header names are lower case.
 */
export function signV3(request: SignV3Request, credentials: { readonly accessKeyId: string; readonly secret: string }): Record<string, string> {
  const body = request.body ?? '';
  const headers = new Map<string, string>([
    ['host', request.host],
    ['x-acs-action', request.action],
    ['x-acs-version', request.version],
    ['x-acs-date', request.date],
    ['x-acs-signature-nonce', request.nonce],
    ['x-acs-content-sha256', sha256Hex(body)],
  ]);
  if (body.length > 0) headers.set('content-type', request.contentType ?? 'application/x-www-form-urlencoded');
  const canonical = v3CanonicalRequest({
    method: request.method ?? 'POST',
    query: request.query ?? {},
    signedHeaders: headers,
    hashedPayload: headers.get('x-acs-content-sha256') ?? '',
  });
  const signature = v3Signature(credentials.secret, v3StringToSign(canonical));
  const names = [...headers.keys()].sort().join(';');
  return {
    ...Object.fromEntries(headers),
    authorization: `${V3_ALGORITHM} Credential=${credentials.accessKeyId},SignedHeaders=${names},Signature=${signature}`,
  };
}

/** A V3 request as received: lower-case header names, decoded query, raw body bytes. */
export interface V3Request {
  readonly method: string;
  /** Default `/`. */
  readonly path?: string;
  readonly query: AcsParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

// The SDK writes no space after the commas; one is tolerated, as hand-written clients copy TC3's `, `.
const AUTHORIZATION = /^ACS3-HMAC-SHA256 Credential=([^,\s]+),\s?SignedHeaders=([a-z0-9;-]+),\s?Signature=([0-9a-f]{64})$/u;

// Headers the dialect acts on: a signature that does not cover them cannot vouch for them.
const MUST_SIGN = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'] as const;

function headerValue(headers: V3Request['headers'], name: string): string | undefined {
  const v = headers[name];
  // Repeated headers: the SDK signs their values sorted and joined by `,`.
  return Array.isArray(v) ? [...v].sort().join(',') : v;
}

/**
 * Verifies an `ACS3-HMAC-SHA256` request as the gateway does: the canonical headers are rebuilt
 * from the SignedHeaders list (which must cover host and the `x-acs-*` headers the server acts
 * on), `host` is the Host header as sent (port included), `x-acs-content-sha256` must be the
 * SHA-256 of the exact body bytes, the date must be within the skew window, and the signature
 * compares in constant time. Nonce replay is the caller's check, after this one succeeds.
 */
export function verifyV3(request: V3Request, options: AcsVerifyOptions): AcsVerifyResult {
  const authorization = headerValue(request.headers, 'authorization')?.trim() ?? '';
  const m = AUTHORIZATION.exec(authorization);
  if (!m) {
    return fail(
      'IncompleteSignature',
      'The request signature does not conform to Aliyun standards: expected Authorization "ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2>,Signature=<64 hex>".',
    );
  }
  const [, accessKeyId = '', signedList = '', signature = ''] = m;
  const names = signedList.split(';').filter(Boolean);
  const unsigned = MUST_SIGN.filter((n) => !names.includes(n));
  if (unsigned.length > 0) {
    return fail('IncompleteSignature', `The request signature does not conform to Aliyun standards: SignedHeaders must include ${unsigned.join(', ')}.`);
  }
  const nonce = headerValue(request.headers, 'x-acs-signature-nonce');
  if (!nonce) return fail('MissingSignatureNonce', 'x-acs-signature-nonce is mandatory for this action.');
  const date = headerValue(request.headers, 'x-acs-date');
  if (!date) return fail('MissingTimestamp', 'x-acs-date is mandatory for this action.');
  const timestampMs = parseAcsTimestamp(date);
  if (timestampMs === undefined) {
    return fail('InvalidTimeStamp.Format', `Specified time stamp or date value is not well formatted: ${date} (expected YYYY-MM-DDThh:mm:ssZ).`);
  }
  const claimedHash = headerValue(request.headers, 'x-acs-content-sha256');
  if (!claimedHash) return fail('IncompleteSignature', 'x-acs-content-sha256 is mandatory for this action.');
  const secret = options.lookupSecret(accessKeyId);
  if (secret === undefined) return fail('InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const stale = checkSkew(timestampMs, options);
  if (stale) return stale;
  const bodyHash = sha256Hex(request.body);
  if (!sameSignature(bodyHash, claimedHash.toLowerCase())) {
    return fail(
      'SignatureDoesNotMatch',
      `Specified signature is not matched with our calculation: x-acs-content-sha256 is not the SHA-256 of the body (${bodyHash}).`,
    );
  }
  const signed = new Map<string, string>();
  for (const n of names) signed.set(n, headerValue(request.headers, n) ?? '');
  const canonical = v3CanonicalRequest({
    method: request.method.toUpperCase(),
    ...(request.path === undefined ? {} : { path: request.path }),
    query: request.query,
    signedHeaders: signed,
    hashedPayload: bodyHash,
  });
  if (!sameSignature(v3Signature(secret, v3StringToSign(canonical)), signature)) {
    // The canonical request (never the secret) lets a client diff what it signed against what we read.
    return fail('SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server canonical request is:${canonical}`);
  }
  return { ok: true, algorithm: 'v3', accessKeyId, nonce, timestampMs };
}
