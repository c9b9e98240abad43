import { type Clock, domainOf, EngineError, normalizeEmail, PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';
import { sendContextVersionKey } from './send-context-version.ts';

/**
 * A sender address. Guarantees `address` is in canonical form (domain part lower-cased, local
 * part as created); `senderName` is absent when none was given.
 */
export interface SenderAddressRecord {
  readonly address: string;
  readonly senderName?: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

// Layout: keys.addresses, a HASH canonical address → JSON record; keys.senderProfiles, a HASH
// canonical address → a dialect's further attributes of the sender (DirectMail's SenderProfile).
// Both carry the deployment hash tag, so one script reaches both.
// The duplicate check, the cap check and the insert run in one script, so two concurrent creates
// can never both pass a cap of N with N-1 addresses stored. The insert also drops any profile left
// under the address: a new sender starts with no attributes, whatever a racing write (a profile
// update that read the sender just before it was deleted) or an older deployment left behind.
// KEYS[1] addresses, KEYS[2] profiles, KEYS[3] the send-context version; ARGV[1] address, ARGV[2] record JSON, ARGV[3] cap.
const CREATE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return -1 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -2 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('INCR', KEYS[3])
return 1`;

// KEYS[1] addresses, KEYS[2] profiles, KEYS[3] the send-context version; ARGV[1] address. The record and the profile go together.
const DELETE = `
local existed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if existed == 1 then redis.call('INCR', KEYS[3]) end
return existed`;

/** Reads a stored record; throws `Store.CorruptRecord` when it is not one. */
export function decodeSenderAddress(raw: string): SenderAddressRecord {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', 'a stored sender address is not JSON', { cause });
  }
  const r = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (typeof r.address !== 'string' || typeof r.createdAt !== 'number' || (r.senderName !== undefined && typeof r.senderName !== 'string')) {
    throw new PostmillError('Store.CorruptRecord', 'a stored sender address could not be read', { context: { raw: raw.slice(0, 200) } });
  }
  return typeof r.senderName === 'string'
    ? { address: r.address, senderName: r.senderName, createdAt: r.createdAt }
    : { address: r.address, createdAt: r.createdAt };
}

/**
 * Sender addresses in Redis. Guarantees: lookups ignore the case of the domain part (never of the
 * local part); create is atomic, refuses duplicates (`already-exists`) and never lets the total
 * exceed `maxAddresses` (`limit-exceeded`); a sender's profile (SenderProfileStore) never outlives
 * it: delete removes the record and the profile in one step, and create starts the address with no
 * profile. Callers validate address syntax and that the domain exists.
 */
export class SenderAddressStore {
  private readonly redis: RedisClient;
  private readonly key: string;
  private readonly versionKey: string;
  private readonly profilesKey: string;
  private readonly clock: Clock;
  private readonly maxAddresses: number;

  constructor(options: {
    redis: RedisClient;
    keys: Keys;
    clock: Clock;
    /** Most sender addresses in total (Tencent's per-account cap). Default 10. */
    maxAddresses?: number;
  }) {
    this.redis = options.redis;
    this.key = options.keys.addresses;
    this.versionKey = sendContextVersionKey(options.keys);
    this.profilesKey = options.keys.senderProfiles;
    this.clock = options.clock;
    this.maxAddresses = options.maxAddresses ?? 10;
  }

  /** Creates a sender address with no profile; `senderName` "" counts as no name. */
  async create(input: { address: string; senderName?: string }): Promise<SenderAddressRecord> {
    const address = normalizeEmail(input.address);
    const record: SenderAddressRecord = input.senderName
      ? { address, senderName: input.senderName, createdAt: this.clock.now() }
      : { address, createdAt: this.clock.now() };
    const outcome = await this.redis.eval(CREATE, 3, this.key, this.profilesKey, this.versionKey, address, JSON.stringify(record), this.maxAddresses);
    if (outcome === -1) {
      throw new EngineError('already-exists', `the sender address "${address}" already exists`, { context: { resource: 'sender', name: address } });
    }
    if (outcome === -2) {
      throw new EngineError('limit-exceeded', `at most ${this.maxAddresses} sender addresses may exist`, {
        context: { limit: 'sender-addresses', max: this.maxAddresses },
      });
    }
    return record;
  }

  /** The sender address, or undefined when it does not exist. */
  async get(address: string): Promise<SenderAddressRecord | undefined> {
    const raw = await this.redis.hget(this.key, normalizeEmail(address));
    return raw === null ? undefined : decodeSenderAddress(raw);
  }

  /** Every sender address, oldest first (ties by address), so the order is stable across calls. */
  async list(): Promise<SenderAddressRecord[]> {
    const all = Object.values(await this.redis.hgetall(this.key)).map(decodeSenderAddress);
    return all.sort((a, b) => a.createdAt - b.createdAt || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  /** Deletes the sender address and its profile, in one step; true when the address existed. */
  async delete(address: string): Promise<boolean> {
    return (await this.redis.eval(DELETE, 3, this.key, this.profilesKey, this.versionKey, normalizeEmail(address))) === 1;
  }

  /** How many sender addresses are on `domain` (case-insensitive, exact domain: subdomains do not count). */
  async countForDomain(domain: string): Promise<number> {
    const wanted = domain.toLowerCase();
    return (await this.redis.hkeys(this.key)).filter((address) => domainOf(address) === wanted).length;
  }
}
