import type { MailEvent } from '@postmill/core';
import type { Keys, RedisClient } from '@postmill/store';
import type { WebhookEndpoint } from './webhook-request.ts';

/** One delivery that ran out of retries (or whose target is refused), kept to be inspected and replayed. */
export interface DeadLetter {
  readonly deliveryId: string;
  readonly event: MailEvent;
  readonly endpoint: WebhookEndpoint;
  /** Tries made in the run that ended here. */
  readonly attempts: number;
  /** Why the last try failed (`HTTP 500`, `timeout`, a refusal). */
  readonly lastError: string;
  /** Epoch milliseconds, from the worker's clock. */
  readonly failedAt: number;
  /** How often this delivery was replayed before (0 the first time it lands here). */
  readonly replays: number;
}

// KEYS[1] index ZSET (deliveryId → failedAt), KEYS[2] items HASH. ARGV[1] id, ARGV[2] failedAt,
// ARGV[3] JSON, ARGV[4] cutoff (letters failed before it are dropped, at most 100 per call).
const ADD = `
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4], 'LIMIT', 0, 100)
for _, id in ipairs(old) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
return #old`;

// KEYS as above; ARGV[1] id. Returns the JSON and removes the letter, or nil.
const TAKE = `
local v = redis.call('HGET', KEYS[2], ARGV[1])
if not v then return false end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
return v`;

/** Options of the dead-letter list; every field documents its default. */
export interface DeadLetterStoreOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** How long a letter is kept (WEBHOOK_DEAD_LETTER_RETENTION_DAYS). Default 30 days. */
  readonly retentionMs?: number;
}

/**
 * The dead-letter list of webhook deliveries. Guarantees: one letter per delivery id (a delivery
 * that dies again replaces its letter); `take` hands a letter to exactly one caller (one script), so
 * two concurrent replays never both queue it; letters older than the retention are dropped as new
 * ones arrive; both keys carry the deployment tag (one slot); `list` reads one page, never all.
 */
export class DeadLetterStore {
  private readonly index: string;
  private readonly items: string;
  private readonly retentionMs: number;

  constructor(private readonly o: DeadLetterStoreOptions) {
    this.index = `${o.keys.bullPrefix}:webhooks:dead`;
    this.items = `${o.keys.bullPrefix}:webhooks:dead:items`;
    this.retentionMs = o.retentionMs ?? 30 * 86_400_000;
  }

  async add(letter: DeadLetter): Promise<void> {
    await this.o.redis.eval(ADD, 2, this.index, this.items, letter.deliveryId, letter.failedAt, JSON.stringify(letter), letter.failedAt - this.retentionMs);
  }

  /** One page, newest first, and the total. */
  async list(page: { offset?: number; limit?: number } = {}): Promise<{ total: number; letters: DeadLetter[] }> {
    const offset = page.offset ?? 0;
    const limit = Math.min(page.limit ?? 50, 1000);
    const [total, ids] = await Promise.all([this.o.redis.zcard(this.index), this.o.redis.zrevrange(this.index, offset, offset + limit - 1)]);
    if (ids.length === 0) return { total, letters: [] };
    const raws = await this.o.redis.hmget(this.items, ...ids);
    return { total, letters: raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as DeadLetter) };
  }

  async get(deliveryId: string): Promise<DeadLetter | undefined> {
    const raw = await this.o.redis.hget(this.items, deliveryId);
    return raw === null ? undefined : (JSON.parse(raw) as DeadLetter);
  }

  /** Removes and returns the letter, or undefined when there is none (already taken, expired or never there). */
  async take(deliveryId: string): Promise<DeadLetter | undefined> {
    const raw = (await this.o.redis.eval(TAKE, 2, this.index, this.items, deliveryId)) as string | null;
    return raw === null ? undefined : (JSON.parse(raw) as DeadLetter);
  }
}
