import type { Clock } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * Recipient domains on hold after `FailedOperation.TemporaryBlocked`, shared by all workers.
 * Guarantees: a hold only ever extends (a later, shorter hold never shortens it), expired holds
 * read as absent.
 */
export class DomainHoldStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys; clock: Clock }) {}

  async hold(domain: string, untilMs: number): Promise<void> {
    // Single-key script: keep the later of the stored and the new deadline.
    await this.o.redis.eval(
      "local c = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') if tonumber(ARGV[2]) > c then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 1",
      1,
      this.o.keys.domainHolds,
      domain.toLowerCase(),
      String(untilMs),
    );
  }

  /** Domains among `domains` still on hold, with their deadline. */
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
