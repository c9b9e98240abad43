import { createHash, timingSafeEqual } from 'node:crypto';
import { PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/** What mail an API user may send: SendCloud's `emailType` (0 trigger, 1 batch). */
export type ApiUserMailType = 'trigger' | 'batch';

/** One SendCloud API user (`apiuser/add`), without its key. */
export interface ApiUserRecord {
  readonly name: string;
  readonly mailType: ApiUserMailType;
  /** SendCloud's `cType`: a test user (0) or a normal one (1). Recorded; Postmill sends the same for both. */
  readonly testUser: boolean;
  readonly domainName: string;
  readonly open: boolean;
  readonly click: boolean;
  readonly unsubscribe: boolean;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/** A stored user: the record and the SHA-256 of its key (the key itself is never stored). */
interface StoredApiUser extends ApiUserRecord {
  readonly keyHash: string;
}

// KEYS[1] name → JSON. ARGV[1] name, ARGV[2] JSON, ARGV[3] most users.
// Returns 1 (created), 0 (the name is taken) or -1 (at the cap). One script: two concurrent adds
// can never both pass the cap or both take one name.
const CREATE = new LuaScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`);

function hashKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

function decode(raw: string): StoredApiUser {
  let v: Partial<StoredApiUser>;
  try {
    v = JSON.parse(raw) as Partial<StoredApiUser>;
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', 'a stored SendCloud API user is not JSON', { cause });
  }
  if (typeof v.name !== 'string' || typeof v.keyHash !== 'string' || (v.mailType !== 'trigger' && v.mailType !== 'batch')) {
    throw new PostmillError('Store.CorruptRecord', 'a stored SendCloud API user is malformed', { context: { raw: raw.slice(0, 200) } });
  }
  return {
    name: v.name,
    keyHash: v.keyHash,
    mailType: v.mailType,
    testUser: v.testUser === true,
    domainName: typeof v.domainName === 'string' ? v.domainName : '',
    open: v.open !== false,
    click: v.click === true,
    unsubscribe: v.unsubscribe !== false,
    createdAt: typeof v.createdAt === 'number' ? v.createdAt : 0,
  };
}

function publicRecord(u: StoredApiUser): ApiUserRecord {
  const { keyHash: _keyHash, ...record } = u;
  return record;
}

/**
 * The SendCloud dialect's API users (`apiuser/add`, `apiuser/list`) and their keys. Guarantees:
 * names are unique and at most `maxUsers` exist (checked and written in one script); a key is
 * stored only as its SHA-256 (keys are 256 random bits, so a hash without salt is enough) and
 * compared in constant time; one HASH under the deployment tag, read whole only by `list`, which
 * holds at most `maxUsers` entries.
 */
export class ApiUserStore {
  constructor(private readonly o: { readonly redis: RedisClient; readonly keys: Keys }) {}

  /** Stores a user with its key; `taken` when the name exists, `full` at `maxUsers`. */
  async create(user: ApiUserRecord, apiKey: string, options: { readonly maxUsers: number }): Promise<'created' | 'taken' | 'full'> {
    const stored: StoredApiUser = { ...user, keyHash: hashKey(apiKey) };
    const result = Number(
      await CREATE.run(this.o.redis, [this.o.keys.sendCloudApiUsers], [user.name, JSON.stringify(stored), String(Math.max(0, Math.floor(options.maxUsers)))]),
    );
    return result === 1 ? 'created' : result === 0 ? 'taken' : 'full';
  }

  /** The user when `name` exists and `apiKey` is its key; undefined otherwise. */
  async authenticate(name: string, apiKey: string): Promise<ApiUserRecord | undefined> {
    const raw = await this.o.redis.hget(this.o.keys.sendCloudApiUsers, name);
    if (raw === null) return undefined;
    const user = decode(raw);
    const given = Buffer.from(hashKey(apiKey), 'hex');
    const stored = Buffer.from(user.keyHash, 'hex');
    return stored.length === given.length && timingSafeEqual(stored, given) ? publicRecord(user) : undefined;
  }

  /** Every user, oldest first (at most the cap the store was filled under). */
  async list(): Promise<ApiUserRecord[]> {
    const all = await this.o.redis.hvals(this.o.keys.sendCloudApiUsers);
    return all.map((raw) => publicRecord(decode(raw))).sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** How many users exist. */
  async count(): Promise<number> {
    return this.o.redis.hlen(this.o.keys.sendCloudApiUsers);
  }
}
