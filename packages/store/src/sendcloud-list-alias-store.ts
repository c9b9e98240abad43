import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

// KEYS[1] aliases HASH. ARGV[1] alias, ARGV[2] expected holder ('' = none), ARGV[3] new holder.
// Compare-and-set: 1 written, 0 the alias is held by another list.
const TAKE = new LuaScript(`
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if holder and holder ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`);

// KEYS[1] aliases HASH. ARGV[1] alias, ARGV[2] holder. Frees the alias only if that list holds it.
const RELEASE = new LuaScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1`);

/**
 * SendCloud addresses address lists by alias (`news@maillist.sendcloud.org`) and requires aliases
 * to be unique; the alias itself is stored with the list (ReceiverStore, DirectMail's
 * ReceiversAlias). This index maps each alias (lower-cased) to the list holding it, one HASH under
 * the deployment tag. Guarantees: `take` and `release` are compare-and-set, so of concurrent takes
 * of one free alias exactly one succeeds; an entry whose list is gone or carries another alias is
 * stale, and callers treat it as free (the holder is passed back as `expected` to take it over).
 */
export class SendCloudListAliasStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

  /** The list id indexed for `alias`, or undefined. */
  async holder(alias: string): Promise<number | undefined> {
    const raw = await this.o.redis.hget(this.o.keys.sendCloudListAliases, alias.toLowerCase());
    return raw === null ? undefined : Number(raw);
  }

  /** Points `alias` at `listId` if it is free or held by `expected` (a stale holder); false otherwise. */
  async take(alias: string, listId: number, expected?: number): Promise<boolean> {
    const args = [alias.toLowerCase(), expected === undefined ? '' : String(expected), String(listId)];
    return Number(await TAKE.run(this.o.redis, [this.o.keys.sendCloudListAliases], args)) === 1;
  }

  /** Frees `alias` if `listId` holds it. */
  async release(alias: string, listId: number): Promise<void> {
    await RELEASE.run(this.o.redis, [this.o.keys.sendCloudListAliases], [alias.toLowerCase(), String(listId)]);
  }
}
