import { type Clock, randomId } from '@postmill/core';
import type { Keys, RedisClient } from '@postmill/store';

/** What the outbox knows about one stored message (the MIME body is fetched separately). */
export interface OutboxEntry {
  readonly id: string;
  readonly postmillMessageId: string;
  /** Envelope sender address. */
  readonly from: string;
  /** Envelope recipients of the request this copy was made for. */
  readonly recipients: string[];
  readonly subject: string;
  /** When the copy was stored, epoch ms (from the injected clock). */
  readonly storedAt: number;
  readonly sizeBytes: number;
}

/** Construction options; every field documents its default. */
export interface OutboxStoreOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** How many messages are kept; older ones are evicted with their bodies. Default 1 000. */
  readonly maxMessages?: number;
  readonly clock: Clock;
}

// KEYS[1] index LIST (newest first), KEYS[2] new message HASH; ARGV: id, meta JSON, MIME, max,
// key prefix of message hashes. Evicted hashes are addressed by prefix..id: they are not in KEYS,
// which Redis Cluster tolerates only because every outbox key shares the `{prefix}` hash tag.
const ADD_SCRIPT = `
redis.call('HSET', KEYS[2], 'meta', ARGV[2], 'mime', ARGV[3])
redis.call('LPUSH', KEYS[1], ARGV[1])
local max = tonumber(ARGV[4])
local evicted = redis.call('LRANGE', KEYS[1], max, -1)
for _, id in ipairs(evicted) do redis.call('DEL', ARGV[5] .. id) end
redis.call('LTRIM', KEYS[1], 0, max - 1)
return #evicted
`;

// KEYS[1] index; ARGV: offset, limit, key prefix of message hashes. One snapshot of total + page.
const LIST_SCRIPT = `
local total = redis.call('LLEN', KEYS[1])
local ids = redis.call('LRANGE', KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1)
local metas = {}
for i, id in ipairs(ids) do metas[i] = redis.call('HGET', ARGV[3] .. id, 'meta') or '' end
return { total, metas }
`;

const ID_PATTERN = /^[A-Za-z0-9]{1,64}$/u;
/** Entries read per script while searching: bounds how long one script holds Redis. */
const SEARCH_SLICE = 200;

function parseEntry(json: string): OutboxEntry {
  return JSON.parse(json) as OutboxEntry;
}

/**
 * A bounded Redis store of sent messages (the `outbox` transport's mailbox). Guarantees: `add`
 * is atomic (one Lua script: body, metadata, index and eviction together), the outbox never holds
 * more than `maxMessages` messages, an evicted message's body is deleted with it, and `list` is
 * newest first in insertion order (no ties, whatever the clock says).
 */
export class OutboxStore {
  private readonly redis: RedisClient;
  private readonly keys: Keys;
  private readonly maxMessages: number;
  private readonly clock: Clock;
  /** `keys.outboxMessage(id)` is `messagePrefix + id`; the scripts need the prefix to find evicted bodies. */
  private readonly messagePrefix: string;

  constructor(options: OutboxStoreOptions) {
    const maxMessages = options.maxMessages ?? 1_000;
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 1) {
      throw new RangeError(`maxMessages must be a positive integer, got ${maxMessages}`);
    }
    this.redis = options.redis;
    this.keys = options.keys;
    this.maxMessages = maxMessages;
    this.clock = options.clock;
    this.messagePrefix = options.keys.outboxMessage('');
    if (options.keys.outboxMessage('x') !== `${this.messagePrefix}x`) {
      throw new RangeError('keys.outboxMessage(id) must be a fixed prefix followed by the id');
    }
  }

  /** Stores one copy and evicts beyond `maxMessages`; resolves with the new outbox id. */
  async add(meta: { postmillMessageId: string; from: string; recipients: readonly string[]; subject: string }, mime: Buffer): Promise<string> {
    const id = randomId(20);
    const entry: OutboxEntry = {
      id,
      postmillMessageId: meta.postmillMessageId,
      from: meta.from,
      recipients: [...meta.recipients],
      subject: meta.subject,
      storedAt: this.clock.now(),
      sizeBytes: mime.length,
    };
    await this.redis.eval(
      ADD_SCRIPT,
      2,
      this.keys.outboxIndex,
      this.keys.outboxMessage(id),
      id,
      JSON.stringify(entry),
      mime,
      this.maxMessages,
      this.messagePrefix,
    );
    return id;
  }

  /** A page of entries, newest first, with the total count at the same instant. */
  async list(offset: number, limit: number): Promise<{ total: number; items: OutboxEntry[] }> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    if (limit === 0) return { total: await this.redis.llen(this.keys.outboxIndex), items: [] };
    const [total, metas] = (await this.redis.eval(LIST_SCRIPT, 1, this.keys.outboxIndex, offset, limit, this.messagePrefix)) as [number, string[]];
    return { total, items: metas.filter((m) => m !== '').map(parseEntry) };
  }

  /**
   * Entries whose recipients or subject contain `query` (any case), newest first, with the number
   * of matches, paged by `offset`/`limit` over the matches. Scales with the outbox, not the page:
   * it reads every entry's metadata in slices of 200 (one short script each), which the bound of
   * `maxMessages` (default 1 000) keeps cheap. Guarantees each message at most once even when mail
   * arrives during the scan (it shifts the index); mail stored after the scan began may be missed.
   */
  async search(query: string, offset: number, limit: number): Promise<{ total: number; items: OutboxEntry[] }> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    const needle = query.trim().toLowerCase();
    const seen = new Set<string>();
    const matches: OutboxEntry[] = [];
    let total = Number.POSITIVE_INFINITY;
    // The index never exceeds maxMessages, so neither does the scan (plus what arrives meanwhile).
    for (let at = 0; at < Math.min(total, this.maxMessages + SEARCH_SLICE); at += SEARCH_SLICE) {
      const [length, metas] = (await this.redis.eval(LIST_SCRIPT, 1, this.keys.outboxIndex, at, SEARCH_SLICE, this.messagePrefix)) as [number, string[]];
      total = length;
      for (const meta of metas) {
        if (meta === '') continue;
        const entry = parseEntry(meta);
        if (seen.has(entry.id)) continue;
        seen.add(entry.id);
        if (entry.subject.toLowerCase().includes(needle) || entry.recipients.some((r) => r.toLowerCase().includes(needle))) matches.push(entry);
      }
    }
    return { total: matches.length, items: matches.slice(offset, offset + limit) };
  }

  /** One stored message with its exact MIME bytes, or undefined when unknown or evicted. */
  async get(id: string): Promise<{ entry: OutboxEntry; mime: Buffer } | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    const [meta, mime] = await this.redis.hmgetBuffer(this.keys.outboxMessage(id), 'meta', 'mime');
    if (!meta || !mime) return undefined;
    return { entry: parseEntry(meta.toString('utf8')), mime };
  }
}
