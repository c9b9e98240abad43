import { addressKey } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/** The field of the account-level URL; never an address key (those all hold an `@`). */
const ACCOUNT_FIELD = '*';

/**
 * Tencent callback addresses of the deployment: HASH under the deployment tag, built from
 * `keys.bullPrefix` (the tag `{prefix}`) so it shares the slot of the other small global
 * collections. Kept here rather than in keys.ts to leave that shared file alone; move it there
 * when convenient.
 */
export function tencentCallbackKey(keys: Keys): string {
  return `${keys.bullPrefix}:webhooks:tencent`;
}

/** Tencent's callback addresses: one account-level URL and at most one URL per sender address. */
export interface TencentCallbacks {
  readonly accountUrl?: string;
  /** Sender address (as its key: lower-cased) → URL. */
  readonly senders: ReadonlyArray<{ readonly address: string; readonly url: string }>;
}

/**
 * Where Tencent-format events go (Tencent configures these in its console; Postmill through
 * extension actions). Guarantees: at most one account-level URL and one URL per sender address
 * (addresses compared by addressKey); setting an empty URL removes it; `urlFor` reads both in one
 * round trip and applies Tencent's rule (the sender's URL wins for its address, the account's
 * applies to every other). Entries are few (one per sender address at most), so `list` reads all.
 */
export class WebhookEndpointStore {
  private readonly key: string;
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {
    this.key = tencentCallbackKey(o.keys);
  }

  /** Sets (or with `''` removes) the account-level callback URL. */
  async setAccountUrl(url: string): Promise<void> {
    await this.write(ACCOUNT_FIELD, url);
  }

  /** Sets (or with `''` removes) the callback URL of one sender address. */
  async setSenderUrl(address: string, url: string): Promise<void> {
    await this.write(addressKey(address), url);
  }

  /** The URL events of mail from `sender` go to: the sender's own, else the account's, else undefined. */
  async urlFor(sender: string): Promise<string | undefined> {
    const [own, account] = await this.o.redis.hmget(this.key, addressKey(sender), ACCOUNT_FIELD);
    return own ?? account ?? undefined;
  }

  /** Every configured URL. */
  async list(): Promise<TencentCallbacks> {
    const all = await this.o.redis.hgetall(this.key);
    const senders = Object.entries(all)
      .filter(([field]) => field !== ACCOUNT_FIELD)
      .map(([address, url]) => ({ address, url }))
      .sort((a, b) => a.address.localeCompare(b.address));
    const accountUrl = all[ACCOUNT_FIELD];
    return accountUrl === undefined ? { senders } : { accountUrl, senders };
  }

  private async write(field: string, url: string): Promise<void> {
    if (url === '') await this.o.redis.hdel(this.key, field);
    else await this.o.redis.hset(this.key, field, url);
  }
}
