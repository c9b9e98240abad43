import { PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/** A mail tag (DirectMail's TagName), which sends may carry for statistics. */
export interface TagRecord {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

// KEYS[1] id → JSON, KEYS[2] name → id, KEYS[3] counter. ARGV[1] name, ARGV[2] JSON without id.
// Returns the new id, or 0 when the name is taken.
const CREATE = new LuaScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
local id = redis.call('INCR', KEYS[3])
local record = cjson.decode(ARGV[2])
record.id = id
redis.call('HSET', KEYS[1], id, cjson.encode(record))
redis.call('HSET', KEYS[2], ARGV[1], id)
return id`);

// KEYS as CREATE. ARGV[1] id, ARGV[2] new name, ARGV[3] new description (or '\\0' to keep).
// Returns 1, 0 (no such id) or -1 (the new name belongs to another tag).
const RENAME = new LuaScript(`
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local record = cjson.decode(current)
local owner = redis.call('HGET', KEYS[2], ARGV[2])
if owner and owner ~= ARGV[1] then return -1 end
redis.call('HDEL', KEYS[2], record.name)
record.name = ARGV[2]
if ARGV[3] ~= '\\0' then record.description = ARGV[3] end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(record))
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
return 1`);

const DELETE = new LuaScript(`
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
redis.call('HDEL', KEYS[2], cjson.decode(current).name)
redis.call('HDEL', KEYS[1], ARGV[1])
return 1`);

function decode(raw: string): TagRecord {
  let v: Partial<TagRecord>;
  try {
    v = JSON.parse(raw) as Partial<TagRecord>;
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', 'a stored tag is not JSON', { cause });
  }
  if (typeof v.id !== 'number' || typeof v.name !== 'string' || typeof v.createdAt !== 'number') {
    throw new PostmillError('Store.CorruptRecord', 'a stored tag is malformed', { context: { raw: raw.slice(0, 200) } });
  }
  return { id: v.id, name: v.name, description: typeof v.description === 'string' ? v.description : '', createdAt: v.createdAt };
}

/**
 * Mail tags. Guarantees: names are unique (checked and written in one script); ids count up from
 * 1 and are never reused; renaming keeps the id; every key carries the deployment tag.
 */
export class TagStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys; clock: { now(): number } }) {}

  private get scriptKeys(): string[] {
    return [this.o.keys.tags, this.o.keys.tagNames, this.o.keys.tagSeq];
  }

  /** The new tag, or undefined when the name is taken. */
  async create(input: { name: string; description: string }): Promise<TagRecord | undefined> {
    const createdAt = this.o.clock.now();
    const id = Number(
      await CREATE.run(this.o.redis, this.scriptKeys, [input.name, JSON.stringify({ name: input.name, description: input.description, createdAt })]),
    );
    return id === 0 ? undefined : { id, name: input.name, description: input.description, createdAt };
  }

  async get(id: number): Promise<TagRecord | undefined> {
    const raw = await this.o.redis.hget(this.o.keys.tags, String(id));
    return raw === null ? undefined : decode(raw);
  }

  async getByName(name: string): Promise<TagRecord | undefined> {
    const id = await this.o.redis.hget(this.o.keys.tagNames, name);
    return id === null ? undefined : this.get(Number(id));
  }

  /** Every tag, by id (tags are few: an account has at most a few hundred). */
  async list(): Promise<TagRecord[]> {
    const all = await this.o.redis.hvals(this.o.keys.tags);
    return all.map(decode).sort((a, b) => a.id - b.id);
  }

  /** 'ok', 'not-found', or 'name-taken' (by another tag). */
  async update(id: number, change: { name: string; description?: string }): Promise<'ok' | 'not-found' | 'name-taken'> {
    const r = Number(await RENAME.run(this.o.redis, this.scriptKeys, [String(id), change.name, change.description ?? '\0']));
    return r === 1 ? 'ok' : r === 0 ? 'not-found' : 'name-taken';
  }

  async delete(id: number): Promise<boolean> {
    return Number(await DELETE.run(this.o.redis, this.scriptKeys, [String(id)])) === 1;
  }
}
