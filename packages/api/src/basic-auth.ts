import { timingSafeEqual } from 'node:crypto';

/**
 * Checks an HTTP Basic `Authorization` header against the API credentials (user = SecretId,
 * password = SecretKey). Guarantees a constant-time comparison of the secret.
 */
export function checkBasicAuth(header: string | undefined, lookupSecret: (secretId: string) => string | undefined): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return false;
  const expected = lookupSecret(decoded.slice(0, colon));
  if (expected === undefined) return false;
  const a = Buffer.from(decoded.slice(colon + 1));
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
