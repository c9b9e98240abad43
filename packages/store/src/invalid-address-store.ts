import { addressKey } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * Which hard-failed recipients were dismissed from DirectMail's invalid-address list, and when.
 * Guarantees: a failure at or before the dismissal time no longer counts as invalid; a later one
 * does again. Addresses are compared by addressKey (case of the domain ignored). One HASH under the
 * deployment tag; entries are few (one per address a user dismissed).
 */
export class InvalidAddressStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys; clock: { now(): number } }) {}

  async dismiss(address: string): Promise<void> {
    await this.o.redis.hset(this.o.keys.dismissedInvalid, addressKey(address), String(this.o.clock.now()));
  }

  /** When each address was dismissed (absent: never). */
  async dismissedAt(addresses: readonly string[]): Promise<Map<string, number>> {
    const keys = [...new Set(addresses.map(addressKey))];
    if (keys.length === 0) return new Map();
    const values = await this.o.redis.hmget(this.o.keys.dismissedInvalid, ...keys);
    const out = new Map<string, number>();
    keys.forEach((k, i) => {
      const v = values[i];
      if (v !== null && v !== undefined) out.set(k, Number(v));
    });
    return out;
  }
}
