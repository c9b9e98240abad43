import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/** Things Postmill keys by name that a dialect (DirectMail) addresses by a number. */
export type NumberedKind = 'domain' | 'mail-address';

// KEYS[1] name → id, KEYS[2] id → name, KEYS[3] counter; ARGV names. Returns the ids in order.
// One script: two processes numbering the same new name agree on one id.
const ASSIGN = new LuaScript(`
local out = {}
for i, name in ipairs(ARGV) do
  local id = redis.call('HGET', KEYS[1], name)
  if not id then
    id = redis.call('INCR', KEYS[3])
    redis.call('HSET', KEYS[1], name, id)
    redis.call('HSET', KEYS[2], id, name)
  end
  out[i] = tonumber(id)
end
return out`);

/**
 * Stable numeric ids for things stored by name, assigned the first time any dialect shows or
 * creates one. Guarantees: one name has one id for good (deleting and re-creating the thing keeps
 * it, and no id is reused for another name); ids count up from 1 per kind; every key carries the
 * deployment tag.
 */
export class ResourceIdStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

  /** The ids of `names` (assigning new ones), in the same order. */
  async idsFor(kind: NumberedKind, names: readonly string[]): Promise<number[]> {
    if (names.length === 0) return [];
    const k = this.o.keys;
    const ids = await ASSIGN.run(this.o.redis, [k.resourceIds(kind), k.resourceNames(kind), k.resourceSeq(kind)], names);
    return (ids as number[]).map(Number);
  }

  async idFor(kind: NumberedKind, name: string): Promise<number> {
    const [id] = await this.idsFor(kind, [name]);
    return id ?? 0;
  }

  /** The name an id was given to, or undefined when no name ever had it. */
  async nameOf(kind: NumberedKind, id: number): Promise<string | undefined> {
    const name = await this.o.redis.hget(this.o.keys.resourceNames(kind), String(id));
    return name ?? undefined;
  }
}
