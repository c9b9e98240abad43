import { createHash } from 'node:crypto';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/** What the admission check decided for one signed request. */
export type Admission = 'admitted' | 'replayed' | 'throttled';

/** One signed request, after its signature was verified. */
export interface AdmissionRequest {
  /** The request's signature (hex). Only a hash of it is stored, and only when `refuseReplays`. */
  readonly signature: string;
  /**
   * Refuse a signature already admitted (and remember this one). False: identical requests are
   * all admitted and no signature is written; only the rate limit applies.
   */
  readonly refuseReplays: boolean;
  /**
   * How long the signature must be remembered once admitted: at least until its timestamp can no
   * longer pass the freshness check, on any API process.
   */
  readonly rememberMs: number;
  readonly secretId: string;
  /** The action name (a known one: it becomes part of a key). */
  readonly action: string;
  /**
   * The wire dialect the request speaks (`tencent`, `acs`…), so that one action name in two
   * dialects (both have `CreateReceiver`) is counted apart. `tencent` keeps the key the Tencent
   * dialect always used (`…:rate:<secretId>:<action>:<window>`), so API processes of the previous
   * release still share its counters during a rolling upgrade.
   */
  readonly dialect: string;
  /** Most requests per (secretId, dialect, action) in one window; 0 = no limit. */
  readonly limitPerWindow: number;
  /** Now, epoch ms (chooses the window). */
  readonly nowMs: number;
}

/** The dialect whose counters keep their original, dialect-less key. */
const TENCENT_DIALECT = 'tencent';

/** Length of one rate-limit window. */
export const ADMISSION_WINDOW_MS = 1000;

// KEYS[1] accepted-signature key, KEYS[2] request counter of the current window.
// ARGV[1] rememberMs (0 = replays are not refused: KEYS[1] is neither read nor written),
// ARGV[2] limit (0 = none), ARGV[3] counter lifetime ms.
// Order matters: a replay is refused before it is counted, so replaying a captured request can
// never spend its owner's budget; a throttled request is not remembered, so the same signed
// request may be retried once the window has passed (SDK retryers resend it unchanged).
const ADMIT = new LuaScript(`
local remember = tonumber(ARGV[1])
if remember > 0 and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local limit = tonumber(ARGV[2])
if limit > 0 then
  local n = redis.call('INCR', KEYS[2])
  if n == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
  if n > limit then return 2 end
end
if remember > 0 then redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) end
return 1`);

/**
 * Replay refusal and per-credential request counting for the API, shared by every API process.
 * Guarantees: with `refuseReplays`, a signature is admitted at most once while it is remembered
 * (without it, no signature is read or written); at most
 * `limitPerWindow` requests of one (SecretId, dialect, action) are admitted per fixed one-second window;
 * one Redis round trip per request (one script; both keys carry the deployment hash tag, so it
 * runs unchanged on Redis Cluster). When Redis is unreachable, `admit` rejects with the client's
 * connection error (callers fail closed).
 */
export class RequestAdmissionStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

  async admit(r: AdmissionRequest): Promise<Admission> {
    // Nothing to check: no round trip (and nothing can fail for want of Redis).
    if (!r.refuseReplays && Math.floor(r.limitPerWindow) <= 0) return 'admitted';
    // 128 bits of SHA-256: short keys, and a signature never sits in Redis in the clear.
    const hash = createHash('sha256').update(r.signature).digest('base64url').slice(0, 22);
    const window = Math.floor(r.nowMs / ADMISSION_WINDOW_MS);
    // Dialect names and action names are [A-Za-z0-9]: `<dialect>.<action>` can never equal a bare action.
    const counted = r.dialect === TENCENT_DIALECT ? r.action : `${r.dialect}.${r.action}`;
    // By SHA1: this runs on every API request, and sending the text each time costs more than the script.
    const result = await ADMIT.run(
      this.o.redis,
      [this.o.keys.acceptedSignature(hash), this.o.keys.apiRequestCount(r.secretId, counted, window)],
      [
        r.refuseReplays ? String(Math.max(1, Math.ceil(r.rememberMs))) : '0',
        String(Math.max(0, Math.floor(r.limitPerWindow))),
        // Two windows: a process whose clock lags slightly still finds the counter it shares.
        String(2 * ADMISSION_WINDOW_MS),
      ],
    );
    if (result === 0) return 'replayed';
    if (result === 2) return 'throttled';
    return 'admitted';
  }
}
