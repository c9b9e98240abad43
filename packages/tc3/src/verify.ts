import { timingSafeEqual } from 'node:crypto';
import { scopeDate, tc3Signature } from './sign.ts';

/** Why a signed request was refused; `code` is the Tencent AuthFailure code to answer with. */
export type VerifyFailure = {
  readonly ok: false;
  readonly code:
    | 'AuthFailure.InvalidAuthorization'
    | 'AuthFailure.SecretIdNotFound'
    | 'AuthFailure.SignatureExpire'
    | 'AuthFailure.SignatureFailure'
    | 'AuthFailure.InvalidSecretId';
  readonly message: string;
};

/**
 * A verified request: who signed it, and the signature and X-TC-Timestamp it carries (callers key
 * replay protection on the signature and keep it for as long as the timestamp stays fresh), and
 * the lower-case names of the headers the signature covers (an extension header is trusted only
 * when it is one of them).
 */
export type VerifyResult =
  | {
      readonly ok: true;
      readonly secretId: string;
      readonly service: string;
      readonly signature: string;
      readonly timestamp: number;
      readonly signedHeaders: readonly string[];
    }
  | VerifyFailure;

/** The request as received: lower-case header names, raw body bytes. */
export interface ReceivedRequest {
  readonly method: string;
  readonly canonicalQuery?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface VerifyOptions {
  /** Returns the secret key of a SecretId, or undefined when it is unknown. */
  readonly lookupSecret: (secretId: string) => string | undefined;
  /** Server time, Unix seconds. */
  readonly nowSeconds: number;
  /** Largest accepted |now − X-TC-Timestamp|. Default 300 (Tencent's 5 minutes). */
  readonly maxSkewSeconds?: number;
}

const AUTH_RE =
  /^TC3-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s,]+)\/tc3_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/u;

function header(req: ReceivedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies a TC3-HMAC-SHA256 request the way every official SDK signs it (reference §4.3):
 * the service comes from the credential scope (the Node SDK signs `127` for `127.0.0.1:port`),
 * the canonical headers are rebuilt from the SignedHeaders list, the raw body is hashed as
 * received, and the `host` line is tried with and then without its port (the Node SDK signs the
 * host without the port but sends it with one). Signatures compare in constant time.
 */
export function verifyTc3(req: ReceivedRequest, options: VerifyOptions): VerifyResult {
  const auth = header(req, 'authorization');
  if (!auth) return { ok: false, code: 'AuthFailure.InvalidAuthorization', message: 'The Authorization header is missing.' };
  const m = AUTH_RE.exec(auth.trim());
  if (!m) {
    return {
      ok: false,
      code: 'AuthFailure.InvalidAuthorization',
      message:
        'The Authorization header is not a TC3-HMAC-SHA256 authorization (Credential=<SecretId>/<date>/<service>/tc3_request, SignedHeaders=..., Signature=...).',
    };
  }
  const [, secretId = '', date = '', service = '', signedHeaderList = '', signature = ''] = m;
  const tsRaw = header(req, 'x-tc-timestamp');
  if (!tsRaw || !/^\d{1,12}$/u.test(tsRaw)) {
    return { ok: false, code: 'AuthFailure.InvalidAuthorization', message: 'X-TC-Timestamp must be the Unix time in seconds.' };
  }
  const timestamp = Number(tsRaw);
  const secretKey = options.lookupSecret(secretId);
  if (secretKey === undefined) return { ok: false, code: 'AuthFailure.SecretIdNotFound', message: `The SecretId ${secretId} does not exist.` };
  if (Math.abs(options.nowSeconds - timestamp) > (options.maxSkewSeconds ?? 300)) {
    return {
      ok: false,
      code: 'AuthFailure.SignatureExpire',
      message: `The signature expired: X-TC-Timestamp ${timestamp} differs from server time ${options.nowSeconds} by more than ${options.maxSkewSeconds ?? 300} seconds.`,
    };
  }
  if (date !== scopeDate(timestamp)) {
    return { ok: false, code: 'AuthFailure.SignatureFailure', message: 'The credential scope date is not the UTC date of X-TC-Timestamp.' };
  }
  const names = signedHeaderList.split(';').filter(Boolean);
  if (!names.includes('host') || !names.includes('content-type')) {
    return { ok: false, code: 'AuthFailure.SignatureFailure', message: 'SignedHeaders must include content-type and host.' };
  }
  const signed: Record<string, string> = {};
  for (const n of names) signed[n] = header(req, n) ?? '';
  const host = signed.host ?? '';
  const hostCandidates = [host];
  const noPort = host.replace(/:\d+$/u, '');
  if (noPort !== host) hostCandidates.push(noPort);
  for (const h of hostCandidates) {
    const { signature: expected } = tc3Signature({
      secretId,
      secretKey,
      timestamp,
      service,
      method: req.method.toUpperCase(),
      canonicalQuery: req.canonicalQuery ?? '',
      signedHeaders: { ...signed, host: h },
      body: req.body,
    });
    if (safeEqualHex(expected, signature)) return { ok: true, secretId, service, signature, timestamp, signedHeaders: names };
  }
  return {
    ok: false,
    code: 'AuthFailure.SignatureFailure',
    message: 'The provided credentials could not be validated. Please check your signature is correct.',
  };
}
