import { PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/** One SendCloud webhook configuration: which events of which category (an API_USER or `all`) go to which URL. */
export interface SendCloudWebhook {
  readonly categoryName: string;
  readonly url: string;
  /** SendCloud's event ids (1 deliver, 3 report_spam, 4 invalid, 5 soft_bounce, 10 click, 11 open, 12 unsubscribe, 18 request), ascending, never empty. */
  readonly events: readonly number[];
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds; equals createdAt until the first change. */
  readonly updatedAt: number;
}

// KEYS[1] the configurations HASH. ARGV[1] old field, ARGV[2] new field, ARGV[3] new JSON.
// Returns 1 (replaced), 0 (no old configuration) or -1 (the new field belongs to another configuration).
const REPLACE = new LuaScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
if ARGV[2] ~= ARGV[1] and redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return -1 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1`);

// A category name never holds a newline (the dialect checks it), so the pair is unambiguous.
function field(categoryName: string, url: string): string {
  return `${categoryName}\n${url}`;
}

function decode(raw: string): SendCloudWebhook {
  let v: Partial<SendCloudWebhook>;
  try {
    v = JSON.parse(raw) as Partial<SendCloudWebhook>;
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', 'a stored SendCloud webhook is not JSON', { cause });
  }
  if (typeof v.categoryName !== 'string' || typeof v.url !== 'string' || !Array.isArray(v.events) || typeof v.createdAt !== 'number') {
    throw new PostmillError('Store.CorruptRecord', 'a stored SendCloud webhook is malformed', { context: { raw: raw.slice(0, 200) } });
  }
  return {
    categoryName: v.categoryName,
    url: v.url,
    events: v.events,
    createdAt: v.createdAt,
    updatedAt: typeof v.updatedAt === 'number' ? v.updatedAt : v.createdAt,
  };
}

/**
 * SendCloud's webhook configurations, one HASH under the deployment tag keyed by (category, url).
 * Guarantees: at most one configuration per (category, url) pair, enforced by Redis (HSETNX, and a
 * script for changes of the pair), so concurrent adds of one pair leave exactly one; a change
 * keeps `createdAt`. Configurations are few (a handful per API_USER), so `list` reads them all.
 */
export class SendCloudWebhookStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys; clock: { now(): number } }) {}

  /** The new configuration, or undefined when one for that (category, url) exists. */
  async add(input: { categoryName: string; url: string; events: readonly number[] }): Promise<SendCloudWebhook | undefined> {
    const now = this.o.clock.now();
    const record: SendCloudWebhook = { ...input, events: [...input.events], createdAt: now, updatedAt: now };
    const added = await this.o.redis.hsetnx(this.o.keys.sendCloudWebhooks, field(input.categoryName, input.url), JSON.stringify(record));
    return added === 1 ? record : undefined;
  }

  async get(categoryName: string, url: string): Promise<SendCloudWebhook | undefined> {
    const raw = await this.o.redis.hget(this.o.keys.sendCloudWebhooks, field(categoryName, url));
    return raw === null ? undefined : decode(raw);
  }

  /** Every configuration, oldest first. */
  async list(): Promise<SendCloudWebhook[]> {
    const all = await this.o.redis.hvals(this.o.keys.sendCloudWebhooks);
    return all.map(decode).sort((a, b) => a.createdAt - b.createdAt || a.url.localeCompare(b.url));
  }

  /**
   * Replaces the configuration of (categoryName, url) with `change` applied: 'ok', 'not-found', or
   * 'exists' when the changed pair already belongs to another configuration.
   */
  async update(
    categoryName: string,
    url: string,
    change: { categoryName?: string; url?: string; events?: readonly number[] },
  ): Promise<'ok' | 'not-found' | 'exists'> {
    const current = await this.get(categoryName, url);
    if (!current) return 'not-found';
    const next: SendCloudWebhook = {
      categoryName: change.categoryName ?? current.categoryName,
      url: change.url ?? current.url,
      events: change.events === undefined ? current.events : [...change.events],
      createdAt: current.createdAt,
      updatedAt: this.o.clock.now(),
    };
    const r = Number(
      await REPLACE.run(this.o.redis, [this.o.keys.sendCloudWebhooks], [field(categoryName, url), field(next.categoryName, next.url), JSON.stringify(next)]),
    );
    return r === 1 ? 'ok' : r === 0 ? 'not-found' : 'exists';
  }

  async delete(categoryName: string, url: string): Promise<boolean> {
    return (await this.o.redis.hdel(this.o.keys.sendCloudWebhooks, field(categoryName, url))) === 1;
  }
}
