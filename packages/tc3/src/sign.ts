import { createHmac, hash } from 'node:crypto';
import { SigningKeyCache } from './signing-key-cache.ts';

/** The inputs TC3-HMAC-SHA256 signs. Header names are matched case-insensitively. */
export interface SignInput {
  readonly secretId: string;
  readonly secretKey: string;
  /** Unix seconds (the X-TC-Timestamp value). */
  readonly timestamp: number;
  /** Service name placed in the credential scope, e.g. `ses`. */
  readonly service: string;
  readonly method?: string;
  readonly canonicalQuery?: string;
  /** Headers to sign: lower-case name → value (values are used trimmed, as given). */
  readonly signedHeaders: Readonly<Record<string, string>>;
  /** Raw request body bytes, exactly as sent. */
  readonly body: Buffer | string;
}

export function sha256Hex(data: Buffer | string): string {
  // One-shot crypto.hash (Node >= 20.12): no Hash object per call; the API hashes twice per request.
  return hash('sha256', data, 'hex');
}

// The last timestamp scopeDate formatted: requests in the same second share it.
let lastScope = { timestamp: Number.NaN, date: '' };

/** The UTC date (YYYY-MM-DD) of a Unix-seconds timestamp, as used in the credential scope. */
export function scopeDate(timestamp: number): string {
  if (timestamp !== lastScope.timestamp) lastScope = { timestamp, date: new Date(timestamp * 1000).toISOString().slice(0, 10) };
  return lastScope.date;
}

/**
 * Derived signing keys shared by every signature this process computes (the API verifies every
 * request with one). Bounded and keyed as `SigningKeyCache` documents; holds no timer or handle.
 */
const signingKeys = new SigningKeyCache({ maxEntries: 64 });

/** Guarantees the exact signature the official SDKs compute for the same inputs (reference §4.3). */
export function tc3Signature(input: SignInput): { signature: string; signedHeaderNames: string; credentialScope: string } {
  const names = Object.keys(input.signedHeaders)
    .map((n) => n.toLowerCase())
    .sort();
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.signedHeaders)) lower[k.toLowerCase()] = v;
  const canonicalHeaders = names.map((n) => `${n}:${(lower[n] ?? '').trim()}\n`).join('');
  const signedHeaderNames = names.join(';');
  const canonicalRequest = [input.method ?? 'POST', '/', input.canonicalQuery ?? '', canonicalHeaders, signedHeaderNames, sha256Hex(input.body)].join('\n');
  const date = scopeDate(input.timestamp);
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(input.timestamp), credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKeys.get(input.secretId, input.secretKey, date, input.service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  return { signature, signedHeaderNames, credentialScope };
}

/** The full `Authorization` header value for a request. */
export function tc3Authorization(input: SignInput): string {
  const { signature, signedHeaderNames, credentialScope } = tc3Signature(input);
  return `TC3-HMAC-SHA256 Credential=${input.secretId}/${credentialScope}, SignedHeaders=${signedHeaderNames}, Signature=${signature}`;
}

/** Headers (besides Authorization) a Tencent Cloud API 3.0 JSON POST carries, as the SDKs send them. */
export interface TencentRequestHeaders {
  readonly host: string;
  readonly action: string;
  readonly version: string;
  readonly region?: string;
  readonly timestamp: number;
  /**
   * When set, sent as `X-TC-TraceId` and signed too, so two otherwise identical requests made in
   * the same second carry different signatures (Postmill refuses a signature it already accepted).
   * Default: unset (only `content-type;host` signed, as the SDKs do).
   */
  readonly traceId?: string;
}

/**
 * Signs a JSON POST the way the Go/Python SDKs do (service from the caller, `content-type;host`
 * signed, host as given; plus `x-tc-traceid` when a trace id is given). Returns every header to send.
 */
export function signTencentRequest(
  creds: { secretId: string; secretKey: string },
  h: TencentRequestHeaders & { service: string },
  body: string,
): Record<string, string> {
  const contentType = 'application/json';
  const authorization = tc3Authorization({
    ...creds,
    timestamp: h.timestamp,
    service: h.service,
    signedHeaders: { 'content-type': contentType, host: h.host, ...(h.traceId ? { 'x-tc-traceid': h.traceId } : {}) },
    body,
  });
  return {
    Authorization: authorization,
    'Content-Type': contentType,
    Host: h.host,
    'X-TC-Action': h.action,
    'X-TC-Version': h.version,
    'X-TC-Timestamp': String(h.timestamp),
    ...(h.region ? { 'X-TC-Region': h.region } : {}),
    ...(h.traceId ? { 'X-TC-TraceId': h.traceId } : {}),
  };
}
