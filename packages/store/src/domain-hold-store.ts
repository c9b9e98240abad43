import type { Clock } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

// KEYS[1] the holds HASH (domain → until ms). ARGV: domain, until ms, now ms (the injected clock).
// Keeps the later of the stored and the new deadline, drops every hold that has ended, and lets the
// hash expire when its latest hold ends: it never holds more than the domains on hold right now,
// and a deployment with no hold left has no key. One key, so one slot.
const HOLD = new LuaScript(`
local now = tonumber(ARGV[3])
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
local all = redis.call('HGETALL', KEYS[1])
local latest = 0
for i = 1, #all, 2 do
  local u = tonumber(all[i + 1]) or 0
  if u <= now then redis.call('HDEL', KEYS[1], all[i]) elseif u > latest then latest = u end
end
if latest > now then redis.call('PEXPIRE', KEYS[1], math.ceil(latest - now)) end
return 1`);

/**
 * Recipient domains on hold after `FailedOperation.TemporaryBlocked`, shared by all workers.
 * Guarantees: a hold only ever extends (a later, shorter hold never shortens it); expired holds
 * read as absent; the store is bounded: each write drops the holds that have ended, and the key
 * expires when its latest hold ends (TEMPORARY_BLOCK_HOLD_SECONDS after the last block at most).
 * Holds are rare (one per TemporaryBlocked answer), so pruning on write costs nothing that matters;
 * `holdsFor`, on every delivery, stays one HMGET.
 */
export class DomainHoldStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys; clock: Clock }) {}

  /** Holds `domain` until `untilMs` (epoch ms), or longer when it is already held longer. */
  async hold(domain: string, untilMs: number): Promise<void> {
    await HOLD.run(this.o.redis, [this.o.keys.domainHolds], [domain.toLowerCase(), String(untilMs), String(this.o.clock.now())]);
  }

  /** Domains among `domains` still on hold, with their deadline (one round trip). */
  async holdsFor(domains: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(domains.map((d) => d.toLowerCase()))];
    if (unique.length === 0) return new Map();
    const values = await this.o.redis.hmget(this.o.keys.domainHolds, ...unique);
    const now = this.o.clock.now();
    const out = new Map<string, number>();
    unique.forEach((d, i) => {
      const until = Number(values[i] ?? 0);
      if (until > now) out.set(d, until);
    });
    return out;
  }
}
