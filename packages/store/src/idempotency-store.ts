import { createHash, randomBytes } from 'node:crypto';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/** One use of an idempotency key: who sent it, the key, and a fingerprint of the request it came with. */
export interface IdempotencyUse {
  readonly secretId: string;
  readonly key: string;
  /** A digest of the request's parameters: the same request, the same fingerprint. */
  readonly fingerprint: string;
}

/**
 * What a key holds when a request arrives with it:
 * - `claimed`: nobody used it; this request now owns it (`token`) and must `complete` or `release` it;
 * - `done`: a request with the same fingerprint was accepted as `messageId`;
 * - `pending`: a request with the same fingerprint is being accepted right now;
 * - `mismatch`: the key was used for a request with another fingerprint.
 */
export type IdempotencyClaim =
  | { readonly state: 'claimed'; readonly token: string }
  | { readonly state: 'done'; readonly messageId: string }
  | { readonly state: 'pending' }
  | { readonly state: 'mismatch' };

// The record is one string: `p|<fingerprint>|<token>` while pending, `d|<fingerprint>|<messageId>` once done.
// KEYS[1] the record. ARGV[1] the pending value, ARGV[2] its lifetime ms.
const CLAIM = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`);

// KEYS[1] the record. ARGV[1] the pending value this request wrote, ARGV[2] the done value, ARGV[3] its lifetime ms.
const COMPLETE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`);

// KEYS[1] the record. ARGV[1] the pending value this request wrote.
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`);

/**
 * The memory of SendEmail idempotency keys, shared by every API process. Guarantees: of any number
 * of requests that claim one key at once (any processes), exactly one gets `claimed` (one atomic
 * script on one key, so it runs unchanged on Redis Cluster); a completed key answers `done` with
 * its MessageId for `windowMs`; a pending claim lapses after `pendingMs` when its owner never
 * completes or releases it (a crashed process), so the key becomes usable again; a request with
 * another fingerprint always gets `mismatch`. Keys are stored by a hash of (SecretId, key), never
 * in the clear, and one SecretId's key never answers another's request.
 */
export class IdempotencyStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

  private record(use: IdempotencyUse): string {
    const hash = createHash('sha256').update(`${use.secretId}\n${use.key}`).digest('base64url').slice(0, 22);
    return this.o.keys.idempotency(hash);
  }

  /** Claims the key for this request, or says what it already holds (then nothing is written). */
  async claim(use: IdempotencyUse, o: { pendingMs: number }): Promise<IdempotencyClaim> {
    const token = randomBytes(9).toString('base64url');
    const held = await CLAIM.run(this.o.redis, [this.record(use)], [`p|${use.fingerprint}|${token}`, Math.max(1, Math.ceil(o.pendingMs))]);
    if (typeof held !== 'string') return { state: 'claimed', token };
    return readRecord(held, use.fingerprint);
  }

  /**
   * Records the accepted MessageId for `windowMs`. Returns false when this claim no longer holds
   * the key (it lapsed and another request took it): nothing is written then.
   */
  async complete(use: IdempotencyUse, token: string, o: { messageId: string; windowMs: number }): Promise<boolean> {
    const done = await COMPLETE.run(
      this.o.redis,
      [this.record(use)],
      [`p|${use.fingerprint}|${token}`, `d|${use.fingerprint}|${o.messageId}`, Math.max(1, Math.ceil(o.windowMs))],
    );
    return done === 1;
  }

  /** Gives the key up after the request failed, so a retry may claim it; only the claim's owner can. */
  async release(use: IdempotencyUse, token: string): Promise<void> {
    await RELEASE.run(this.o.redis, [this.record(use)], [`p|${use.fingerprint}|${token}`]);
  }
}

function readRecord(held: string, fingerprint: string): Exclude<IdempotencyClaim, { state: 'claimed' }> {
  const [state, heldFingerprint, rest = ''] = splitRecord(held);
  if (heldFingerprint !== fingerprint) return { state: 'mismatch' };
  return state === 'd' ? { state: 'done', messageId: rest } : { state: 'pending' };
}

// `<state>|<fingerprint>|<rest>`: neither state nor fingerprint (hex) contains `|`.
function splitRecord(held: string): [string, string, string] {
  const first = held.indexOf('|');
  const second = held.indexOf('|', first + 1);
  return [held.slice(0, first), held.slice(first + 1, second), held.slice(second + 1)];
}
