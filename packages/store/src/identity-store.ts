import { type Clock, EngineError, PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';
import { sendContextVersionKey } from './send-context-version.ts';

/** A tag on a sender domain, in the caller's order. */
export interface IdentityTag {
  readonly key: string;
  readonly value: string;
}

/**
 * A sender domain (Tencent's "email identity") as Postmill keeps it. Guarantees `name` is
 * lower-cased. There is no verification state on purpose: until DNS checks and DKIM signing
 * land, a domain is trusted from the moment it is created, and the API reports its DNS records
 * as not checked rather than inventing a result.
 */
export interface EmailIdentityRecord {
  readonly name: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Tencent's DKIMOption (0 = 1024-bit, 1 = 2048-bit, 2 = both). Recorded, not yet acted on. */
  readonly dkimOption: number;
  readonly tags: readonly IdentityTag[];
}

// Layout, all under the deployment tag so every script below touches one slot:
//   keys.identities            HASH  name → JSON record
//   keys.identities + ':order' LIST  names in creation order (the only source of list order)
// The two are only ever changed together inside one script, so they never disagree.

// CREATE and DELETE: KEYS[3] is the send-context version (sendContextVersionKey), counted up with each change.
const CREATE = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('INCR', KEYS[3])
return 1`;

const DELETE = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('LREM', KEYS[2], 0, ARGV[1])
redis.call('INCR', KEYS[3])
return 1`;

// Compare-and-set so a concurrent delete (or delete + re-create) is never overwritten by a stale copy.
const REPLACE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;

// One consistent snapshot: the total and the page come from the same moment.
const PAGE = `
local out = { redis.call('LLEN', KEYS[2]) }
for _, name in ipairs(redis.call('LRANGE', KEYS[2], ARGV[1], ARGV[2])) do
  local value = redis.call('HGET', KEYS[1], name)
  if value then out[#out + 1] = value end
end
return out`;

function corrupt(raw: string): PostmillError {
  return new PostmillError('Store.CorruptRecord', 'a stored email identity could not be read', { context: { raw: raw.slice(0, 200) } });
}

function decode(raw: string): EmailIdentityRecord {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', 'a stored email identity is not JSON', { cause });
  }
  if (typeof v !== 'object' || v === null) throw corrupt(raw);
  const r = v as Record<string, unknown>;
  if (typeof r.name !== 'string' || typeof r.createdAt !== 'number' || typeof r.dkimOption !== 'number' || !Array.isArray(r.tags)) throw corrupt(raw);
  const tags = r.tags.map((t: unknown) => {
    const tag = t as Record<string, unknown> | null;
    if (typeof tag?.key !== 'string' || typeof tag.value !== 'string') throw corrupt(raw);
    return { key: tag.key, value: tag.value };
  });
  return { name: r.name, createdAt: r.createdAt, dkimOption: r.dkimOption, tags };
}

function encode(record: EmailIdentityRecord): string {
  return JSON.stringify({ name: record.name, createdAt: record.createdAt, dkimOption: record.dkimOption, tags: record.tags });
}

/**
 * Sender domains in Redis. Guarantees: names are case-insensitive (stored lower-cased); create is
 * atomic and never overwrites; list order is creation order and stable across calls; every
 * multi-key change runs in one Lua script on keys sharing the deployment hash tag (Cluster-safe).
 * Callers validate domain syntax first.
 */
export class IdentityStore {
  private readonly redis: RedisClient;
  private readonly hashKey: string;
  private readonly orderKey: string;
  private readonly versionKey: string;
  private readonly clock: Clock;

  constructor(options: { redis: RedisClient; keys: Keys; clock: Clock }) {
    this.redis = options.redis;
    this.clock = options.clock;
    this.hashKey = options.keys.identities;
    this.orderKey = `${options.keys.identities}:order`;
    this.versionKey = sendContextVersionKey(options.keys);
  }

  /** Creates a domain. Throws EngineError `already-exists` when it already exists. */
  async create(input: { name: string; dkimOption: number; tags: readonly IdentityTag[] }): Promise<EmailIdentityRecord> {
    const record: EmailIdentityRecord = {
      name: input.name.toLowerCase(),
      createdAt: this.clock.now(),
      dkimOption: input.dkimOption,
      tags: input.tags.map((t) => ({ key: t.key, value: t.value })),
    };
    const created = await this.redis.eval(CREATE, 3, this.hashKey, this.orderKey, this.versionKey, record.name, encode(record));
    if (created !== 1) {
      throw new EngineError('already-exists', `the email identity "${record.name}" already exists`, {
        context: { resource: 'domain', name: record.name },
      });
    }
    return record;
  }

  /** The domain, or undefined when it does not exist (case-insensitive). */
  async get(name: string): Promise<EmailIdentityRecord | undefined> {
    const raw = await this.redis.hget(this.hashKey, name.toLowerCase());
    return raw === null ? undefined : decode(raw);
  }

  /**
   * One page in creation order, oldest first, plus the total count, read atomically.
   * `limit` may be `Infinity` for everything from `offset` on; `limit` 0 gives only the total.
   */
  async list(offset: number, limit: number): Promise<{ total: number; items: EmailIdentityRecord[] }> {
    if (limit <= 0) return { total: await this.redis.llen(this.orderKey), items: [] };
    const stop = Number.isFinite(limit) ? offset + limit - 1 : -1;
    const reply = (await this.redis.eval(PAGE, 2, this.hashKey, this.orderKey, offset, stop)) as [number, ...string[]];
    const [total, ...raws] = reply;
    return { total, items: raws.map(decode) };
  }

  /**
   * Records a new DKIMOption. Returns the updated domain, or undefined when it does not exist.
   * Guarantees no lost write against a concurrent delete: the change applies only to the copy read.
   */
  async setDkimOption(name: string, dkimOption: number): Promise<EmailIdentityRecord | undefined> {
    const key = name.toLowerCase();
    for (;;) {
      const raw = await this.redis.hget(this.hashKey, key);
      if (raw === null) return undefined;
      const updated: EmailIdentityRecord = { ...decode(raw), dkimOption };
      if ((await this.redis.eval(REPLACE, 1, this.hashKey, key, raw, encode(updated))) === 1) return updated;
    }
  }

  /** Deletes the domain; true when it existed. */
  async delete(name: string): Promise<boolean> {
    return (await this.redis.eval(DELETE, 3, this.hashKey, this.orderKey, this.versionKey, name.toLowerCase())) === 1;
  }
}
