import { type AcsVerified, DEFAULT_MAX_SKEW_SECONDS, verifyV1, verifyV3 } from '@postmill/acs';
import type { RequestAdmissionStore } from '@postmill/store';
import type { FastifyRequest } from 'fastify';
import { AliyunApiError } from './aliyun-api-error.ts';
import type { AliyunRequest } from './request.ts';

// API processes' clocks differ a little: a nonce is remembered this much longer than its request
// could pass the freshness check anywhere.
const CLOCK_MARGIN_MS = 30_000;

/**
 * How long an accepted nonce is remembered: never less than the whole 15-minute window, and until
 * its timestamp can no longer pass the freshness check (timestamp + 15 min), plus a clock margin.
 */
export function rememberNonceMs(timestampMs: number, nowMs: number): number {
  const windowMs = DEFAULT_MAX_SKEW_SECONDS * 1000;
  return Math.max(windowMs, timestampMs + windowMs - nowMs) + CLOCK_MARGIN_MS;
}

/**
 * Checks the request's signature (V1 or V3, as it was signed) against the Postmill credential.
 * Guarantees: throws `auth-refused` with the gateway's code when it does not verify; the nonce
 * is not looked at here (see `admitNonce`), so a forged request cannot burn a real one.
 */
export function verifyAliyunSignature(
  req: FastifyRequest,
  request: AliyunRequest,
  options: { readonly lookupSecret: (accessKeyId: string) => string | undefined; readonly nowMs: number },
): AcsVerified {
  const verifyOptions = { lookupSecret: options.lookupSecret, nowMs: options.nowMs, maxSkewSeconds: DEFAULT_MAX_SKEW_SECONDS };
  const result =
    request.signing === 'v3'
      ? verifyV3({ method: request.method, query: request.query, headers: req.headers, body: request.body }, verifyOptions)
      : verifyV1({ method: request.method, params: request.params }, verifyOptions);
  if (!result.ok) throw new AliyunApiError('auth-refused', { code: result.code, message: result.message });
  return result;
}

/**
 * Lets a verified request through once per nonce, or throws `nonce-used` / `throttled`.
 * Guarantees: with `refuseReplays` (on unless API_REPLAY_PROTECTION is off: Alibaba signs a nonce),
 * a (AccessKeyId, nonce) reaches an action at most once while it could pass the freshness check,
 * across every API process (the memory is the Tencent dialect's accepted-signature store in
 * Redis: one hash-tagged key per nonce, with a TTL of at least the 15-minute window); one
 * (AccessKeyId, action) of this dialect gets at most `limitPerSecond` requests per second. Redis errors propagate
 * (answered 503: fail closed).
 */
export async function admitNonce(
  admissions: RequestAdmissionStore,
  r: {
    readonly verified: AcsVerified;
    readonly action: string;
    readonly refuseReplays: boolean;
    readonly limitPerSecond: number;
    readonly nowMs: number;
  },
): Promise<void> {
  const admission = await admissions.admit({
    // Only a hash of this is stored. The `acs-nonce` prefix keeps it apart from TC3 signatures.
    signature: `acs-nonce:${r.verified.accessKeyId}:${r.verified.nonce}`,
    refuseReplays: r.refuseReplays,
    rememberMs: rememberNonceMs(r.verified.timestampMs, r.nowMs),
    secretId: r.verified.accessKeyId,
    action: r.action,
    // Counted apart from Tencent's action of the same name (both dialects have CreateReceiver…).
    dialect: 'acs',
    limitPerWindow: r.limitPerSecond,
    nowMs: r.nowMs,
  });
  if (admission === 'replayed') throw new AliyunApiError('nonce-used', { nonce: r.verified.nonce });
  if (admission === 'throttled') throw new AliyunApiError('throttled', { limitPerSecond: r.limitPerSecond });
}
