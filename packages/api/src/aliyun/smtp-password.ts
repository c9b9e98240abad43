import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const N = 16_384;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, params: { n: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, { N: params.n, r: params.r, p: params.p, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Why DirectMail would refuse `password` as an SMTP password, or undefined when it is acceptable:
 * 10 to 20 characters, at least two digits, two upper-case and two lower-case letters, and not one
 * character repeated.
 */
export function smtpPasswordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < 10 || length > 20) return 'it must be 10 to 20 characters long.';
  const count = (re: RegExp) => (password.match(re) ?? []).length;
  if (count(/\d/gu) < 2 || count(/[A-Z]/gu) < 2 || count(/[a-z]/gu) < 2) return 'it needs at least two digits, two upper-case and two lower-case letters.';
  if (new Set(password).size === 1) return 'it must not be one character repeated.';
  return undefined;
}

/**
 * An scrypt hash of an SMTP password (`scrypt$N$r$p$salt$key`, base64url), for the SMTP ingress
 * to check later. Guarantees: the password itself is never stored; a fresh 16-byte salt each time.
 */
export async function hashSmtpPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { n: N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` is the one `hash` was made from (constant-time comparison). */
export async function verifySmtpPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { n: Number(n), r: Number(r), p: Number(p) });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
