import { createHmac } from 'node:crypto';
import { type AcsParams, byName, paramEntries, paramValue } from './params.ts';
import { pct } from './percent-encode.ts';
import { type AcsVerifyOptions, type AcsVerifyResult, checkSkew, fail, parseAcsTimestamp, sameSignature } from './verify-result.ts';

/**
 * The V1 ("RPC", HMAC-SHA1) StringToSign: every parameter but `Signature`, sorted by name,
 * `pct(name)=pct(value)` joined by `&`, then `METHOD&%2F&` + pct(that). Values are the decoded
 * ones; the canonical text is rebuilt here, never taken from the wire.
 */
export function v1StringToSign(params: AcsParams, method: string): string {
  const canonical = paramEntries(params)
    .filter(([name]) => name !== 'Signature')
    .sort(byName)
    .map(([name, value]) => `${pct(name)}=${pct(value)}`)
    .join('&');
  return `${method}&%2F&${pct(canonical)}`;
}

/** Guarantees the `Signature` the official SDKs (darabonba `getRPCSignature`, pop-core) compute. */
export function signV1(params: AcsParams, options: { readonly method: string; readonly secret: string }): string {
  return createHmac('sha1', `${options.secret}&`).update(v1StringToSign(params, options.method), 'utf8').digest('base64');
}

/** A V1 request as received: the real HTTP method and query ∪ form-body parameters, decoded. */
export interface V1Request {
  readonly method: string;
  readonly params: AcsParams;
}

/**
 * Verifies a V1 request as the gateway does: the common parameters are present and well formed,
 * the AccessKeyId is known, the Timestamp is within the skew window, and the signature matches
 * (compared in constant time). Nonce replay is the caller's check, after this one succeeds, so a
 * forged request cannot burn a real client's nonce.
 */
export function verifyV1(request: V1Request, options: AcsVerifyOptions): AcsVerifyResult {
  const get = (name: string): string | undefined => paramValue(request.params, name);
  const signature = get('Signature');
  if (!signature) return fail('MissingSignature', 'Signature is mandatory for this action.');
  const accessKeyId = get('AccessKeyId');
  if (!accessKeyId) return fail('MissingAccessKeyId', 'AccessKeyId is mandatory for this action.');
  const method = get('SignatureMethod');
  if (!method) return fail('MissingSignatureMethod', 'SignatureMethod is mandatory for this action.');
  if (method !== 'HMAC-SHA1') return fail('InvalidSignatureMethod', `Specified signature method is not valid: ${method} (only HMAC-SHA1).`);
  const version = get('SignatureVersion');
  if (version !== undefined && version !== '1.0') return fail('InvalidSignatureVersion', `Specified signature version is not valid: ${version} (only 1.0).`);
  const nonce = get('SignatureNonce');
  if (!nonce) return fail('MissingSignatureNonce', 'SignatureNonce is mandatory for this action.');
  const timestampText = get('Timestamp');
  if (!timestampText) return fail('MissingTimestamp', 'Timestamp is mandatory for this action.');
  const timestampMs = parseAcsTimestamp(timestampText);
  if (timestampMs === undefined) {
    return fail('InvalidTimeStamp.Format', `Specified time stamp or date value is not well formatted: ${timestampText} (expected YYYY-MM-DDThh:mm:ssZ).`);
  }
  const secret = options.lookupSecret(accessKeyId);
  if (secret === undefined) return fail('InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const stale = checkSkew(timestampMs, options);
  if (stale) return stale;
  const stringToSign = v1StringToSign(request.params, request.method.toUpperCase());
  const expected = createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
  if (!sameSignature(expected, signature)) {
    // As the gateway does, the answer shows the StringToSign (never the secret) so a client can diff it.
    return fail('SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
  }
  return { ok: true, algorithm: 'v1', accessKeyId, nonce, timestampMs };
}
