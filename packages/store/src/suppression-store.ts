import { addressKey } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * Who must not get mail from whom. Guarantees: an unsubscribe is recorded per (sender address,
 * recipient), both compared by addressKey (an unsubscribe of `bob@x.com` stops `BOB@X.com`), and
 * checked at send time by the worker. The set holds recipients' keys: for every address Postmill
 * accepts, the address lower-cased, as it always has.
 */
export class SuppressionStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

  async unsubscribe(sender: string, recipient: string): Promise<void> {
    await this.o.redis.sadd(this.o.keys.unsubscribed(sender), addressKey(recipient));
  }

  async isUnsubscribed(sender: string, recipient: string): Promise<boolean> {
    return (await this.o.redis.sismember(this.o.keys.unsubscribed(sender), addressKey(recipient))) === 1;
  }

  /** The subset of `recipients` (as given) that unsubscribed from `sender` (one round trip). */
  async unsubscribedAmong(sender: string, recipients: readonly string[]): Promise<Set<string>> {
    if (recipients.length === 0) return new Set();
    const flags = await this.o.redis.smismember(this.o.keys.unsubscribed(sender), ...recipients.map(addressKey));
    return new Set(recipients.filter((_, i) => flags[i] === 1));
  }
}
