import { addressKey } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';
import { sendContextVersionKey } from './send-context-version.ts';

/**
 * Who must not get mail from whom. Guarantees: an unsubscribe is recorded per (sender address,
 * recipient), both compared by addressKey (an unsubscribe of `bob@x.com` stops `BOB@X.com`), and
 * checked at send time by the worker. The set holds recipients' keys: for every address Postmill
 * accepts, the address lower-cased, as it always has.
 */
export class SuppressionStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

  /** Records the unsubscribe and counts up the send-context version with it (SendContextReader reads unsubscribes behind it). */
  async unsubscribe(sender: string, recipient: string): Promise<void> {
    const replies = await this.o.redis.multi().sadd(this.o.keys.unsubscribed(sender), addressKey(recipient)).incr(sendContextVersionKey(this.o.keys)).exec();
    const failed = replies?.find(([err]) => err !== null)?.[0];
    if (failed) throw failed;
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
