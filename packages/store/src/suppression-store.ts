import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * Who must not get mail from whom. Guarantees: an unsubscribe is recorded per (sender address,
 * recipient), compared case-insensitively, and checked at send time by the worker.
 */
export class SuppressionStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

  async unsubscribe(sender: string, recipient: string): Promise<void> {
    await this.o.redis.sadd(this.o.keys.unsubscribed(sender), recipient.toLowerCase());
  }

  async isUnsubscribed(sender: string, recipient: string): Promise<boolean> {
    return (await this.o.redis.sismember(this.o.keys.unsubscribed(sender), recipient.toLowerCase())) === 1;
  }

  /** The subset of `recipients` that unsubscribed from `sender` (one round trip). */
  async unsubscribedAmong(sender: string, recipients: readonly string[]): Promise<Set<string>> {
    if (recipients.length === 0) return new Set();
    const flags = await this.o.redis.smismember(this.o.keys.unsubscribed(sender), ...recipients.map((r) => r.toLowerCase()));
    return new Set(recipients.filter((_, i) => flags[i] === 1));
  }
}
