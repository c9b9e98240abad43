import type { ReplayProtection } from '@postmill/core';
import type { RequestAdmissionStore } from '@postmill/store';
import { TencentApiError } from './tencent-api-error.ts';

/** Largest accepted |server time − X-TC-Timestamp|, in seconds: Tencent's 5 minutes (reference §4.2). */
export const MAX_TIMESTAMP_SKEW_SECONDS = 300;

// API processes' clocks differ a little; an accepted signature is remembered this much longer than
// its own timestamp could pass the freshness check, so no process can admit it a second time.
const CLOCK_MARGIN_MS = 30_000;

/**
 * How long an accepted signature must be remembered: until `timestamp + 5 min` (after which every
 * process refuses it as expired), plus a margin for clock differences. At most about 10.5 minutes,
 * for a timestamp 5 minutes in the future.
 */
export function rememberSignatureMs(timestampSeconds: number, nowMs: number): number {
  return Math.max(1, (timestampSeconds + MAX_TIMESTAMP_SKEW_SECONDS) * 1000 - nowMs + CLOCK_MARGIN_MS);
}

/**
 * TC3's own replay behaviour: off. TC3-HMAC-SHA256 signs no nonce and the official SDKs sign only
 * `content-type;host`, so the same call made twice in one second (a status poll, a list call, an
 * application resending a SendEmail) carries the same signature, and Tencent serves both. A dialect
 * whose vendor signs a nonce (Alibaba's SignatureNonce) defaults to on.
 */
export const TC3_REFUSES_REPLAYS_BY_DEFAULT = false;

/**
 * Whether a dialect refuses replays: the `API_REPLAY_PROTECTION` setting when it says on or off,
 * else the dialect's own default. Guarantees: the setting, when given, wins for every dialect.
 */
export function refusesReplays(setting: ReplayProtection, dialectDefault: boolean): boolean {
  return setting === 'dialect-default' ? dialectDefault : setting === 'on';
}

/** A verified request about to reach its action. */
export interface AdmissionInput {
  readonly signature: string;
  readonly timestamp: number;
  readonly secretId: string;
  readonly action: string;
  /** Refuse a signature that was already accepted (see `refusesReplays`). */
  readonly refuseReplays: boolean;
  /** Most requests per SecretId and action per second; 0 = no limit. */
  readonly limitPerSecond: number;
  readonly nowMs: number;
}

/**
 * Lets a verified request through, or throws the Tencent error that refuses it. Guarantees: with
 * `refuseReplays`, a signature reaches an action at most once (any number of API processes: the
 * memory is in Redis); without it identical requests all reach it, as at Tencent; one (SecretId, action) reaches its action at most `limitPerSecond` times per second. Only
 * verified requests get here, so an unsigned flood can neither fill the replay memory nor spend a
 * credential's budget (anyone can read a SecretId off a request). Redis errors propagate: the
 * dialect answers `FailedOperation.ServiceNotAvailable` (fail closed: an unchecked request could be
 * a replay or over the limit, and every action needs Redis anyway). With neither check on, nothing
 * is asked of Redis.
 */
export async function admitRequest(store: RequestAdmissionStore, r: AdmissionInput): Promise<void> {
  const admission = await store.admit({
    signature: r.signature,
    refuseReplays: r.refuseReplays,
    rememberMs: rememberSignatureMs(r.timestamp, r.nowMs),
    secretId: r.secretId,
    action: r.action,
    dialect: 'tencent',
    limitPerWindow: r.limitPerSecond,
    nowMs: r.nowMs,
  });
  if (admission === 'replayed') {
    // Tencent documents no replay code. A replayed signature is a signature that no longer
    // validates a new request, so AuthFailure.SignatureFailure: SDK retryers do not retry it
    // (resending the same bytes can never succeed) and callers already read it as "sign again".
    // SignatureExpire would send them looking at their clock instead.
    throw new TencentApiError(
      'AuthFailure.SignatureFailure',
      'The request was replayed: a request with this signature was already accepted. Sign each request anew; identical requests signed in the same second carry the same signature, so wait for the next second or sign a unique header such as X-TC-TraceId.',
    );
  }
  if (admission === 'throttled') {
    throw new TencentApiError(
      'RequestLimitExceeded',
      `Request rate limit exceeded: at most ${r.limitPerSecond} ${r.action} requests per second per SecretId. Retry after a second.`,
    );
  }
}
