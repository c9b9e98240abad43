import { hash } from 'node:crypto';
import { TencentApiError } from './tencent-api-error.ts';

/** The extension header that makes a SendEmail safe to retry (lower-case, as Node gives header names). */
export const IDEMPOTENCY_HEADER = 'x-postmill-idempotency-key';

/** The one action that honours the header. */
export const IDEMPOTENT_ACTION = 'SendEmail';

// Printable ASCII without spaces, as an HTTP header value travels unchanged; long enough for any
// UUID, ULID or "order-<id>-<attempt>" scheme.
const KEY = /^[\x21-\x7e]{1,255}$/u;

/**
 * The request's idempotency key, or undefined when it has none. Guarantees: a key is returned only
 * when the request's signature covers it (it is listed in SignedHeaders), so nobody can attach a
 * key to somebody else's captured request or strip one off it; it is 1–255 printable ASCII
 * characters; only SendEmail may carry one (anywhere else it would suggest a safety that is not
 * there). Otherwise throws the Tencent error that says what is wrong.
 */
export function readIdempotencyKey(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  signedHeaders: readonly string[],
  action: string,
): string | undefined {
  const raw = headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new TencentApiError('InvalidParameterValue', 'Send X-Postmill-Idempotency-Key once.');
  if (!signedHeaders.includes(IDEMPOTENCY_HEADER)) {
    throw new TencentApiError(
      'AuthFailure.InvalidAuthorization',
      'X-Postmill-Idempotency-Key must be signed: list x-postmill-idempotency-key in the SignedHeaders of the Authorization header.',
    );
  }
  if (action !== IDEMPOTENT_ACTION) {
    throw new TencentApiError('InvalidParameter', `X-Postmill-Idempotency-Key is honoured by ${IDEMPOTENT_ACTION} only, not by ${action}.`);
  }
  if (!KEY.test(raw))
    throw new TencentApiError('InvalidParameterValue', 'X-Postmill-Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.');
  return raw;
}

/**
 * A digest of a request's parameters. Guarantees: two parameter objects with the same content
 * give the same digest whatever the order of their keys (objects are read with sorted keys);
 * arrays keep their order, since order matters there (Destination, Attachments).
 */
export function requestFingerprint(params: unknown): string {
  return hash('sha256', canonicalJson(params), 'hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
