import { randomBytes } from 'node:crypto';
import { PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

// KEYS[1] profiles HASH; ARGV[1] address, ARGV[2] JSON of the fields to set. Returns the merged JSON.
const MERGE = new LuaScript(`
local current = redis.call('HGET', KEYS[1], ARGV[1])
local profile = current and cjson.decode(current) or {}
for k, v in pairs(cjson.decode(ARGV[2])) do profile[k] = v end
local merged = cjson.encode(profile)
redis.call('HSET', KEYS[1], ARGV[1], merged)
return merged`);

/** DirectMail's kind of sender address: bulk (`batch`) or transactional (`trigger`). */
export type SendType = 'batch' | 'trigger';

/**
 * What DirectMail keeps about a sender address beyond what every dialect shares (the address and
 * its sender name live in SenderAddressStore). Absent fields mean "never set".
 */
export interface SenderProfile {
  readonly sendType?: SendType;
  readonly replyAddress?: string;
  /** True once the reply-to address was confirmed with the ticket mailed to it. */
  readonly replyVerified?: boolean;
  /** scrypt hash of the SMTP password (`scrypt$N$r$p$salt$hash`, base64url), for a later SMTP ingress. */
  readonly smtpPasswordHash?: string;
  /** Where this sender's delivery events are posted in DirectMail's format (packages/webhooks), once events are fed from the event log (a later change adds that feed). */
  readonly notifyUrl?: string;
}

/** A pending reply-to verification. */
export interface ReplyTicket {
  readonly address: string;
  readonly replyAddress: string;
  /**
   * The `createdAt` of the sender address the ticket was issued for: a ticket of an address that
   * was deleted (and perhaps created again) since is not the new address's. Absent in tickets
   * issued before it was recorded.
   */
  readonly senderCreatedAt?: number;
}

function decode(raw: string | null): SenderProfile {
  if (raw === null) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as SenderProfile;
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', 'a stored sender profile is not JSON', { cause });
  }
  throw new PostmillError('Store.CorruptRecord', 'a stored sender profile is not an object', { context: { raw: raw.slice(0, 200) } });
}

/**
 * DirectMail's sender attributes, and reply-to verification tickets. Guarantees: `update` merges
 * the given fields into the stored profile atomically (one script), so concurrent updates of
 * different fields of one address both stick; a ticket is single-use (taken with GETDEL) and
 * expires after `ticketTtlMs`; every key carries the deployment tag. A profile lives and dies with
 * its sender address, whichever dialect deletes it: SenderAddressStore removes it with the address
 * and clears it when the address is created again, so there is no way to forget it here.
 */
export class SenderProfileStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

  async get(address: string): Promise<SenderProfile> {
    return decode(await this.o.redis.hget(this.o.keys.senderProfiles, address));
  }

  /** Profiles of many addresses at once, in order. */
  async getMany(addresses: readonly string[]): Promise<SenderProfile[]> {
    if (addresses.length === 0) return [];
    const raws = await this.o.redis.hmget(this.o.keys.senderProfiles, ...addresses);
    return raws.map((raw) => decode(raw));
  }

  /** Sets the given fields (undefined leaves a field as it is). */
  async update(address: string, change: SenderProfile): Promise<SenderProfile> {
    const fields = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
    // An empty object would reach Lua as an empty array; there is nothing to merge anyway.
    if (Object.keys(fields).length === 0) return this.get(address);
    return decode((await MERGE.run(this.o.redis, [this.o.keys.senderProfiles], [address, JSON.stringify(fields)])) as string);
  }

  /** Issues a single-use ticket (32 hex characters, like the vendor's) for confirming a reply-to address. */
  async issueTicket(ticket: ReplyTicket, options: { ttlMs: number }): Promise<string> {
    const id = randomBytes(16).toString('hex');
    await this.o.redis.set(this.o.keys.replyTicket(id), JSON.stringify(ticket), 'PX', Math.max(1, Math.ceil(options.ttlMs)));
    return id;
  }

  /** Takes a ticket (it cannot be used again); undefined when unknown, used or expired. */
  async takeTicket(id: string): Promise<ReplyTicket | undefined> {
    if (!/^[0-9a-f]{32}$/u.test(id)) return undefined;
    const raw = await this.o.redis.getdel(this.o.keys.replyTicket(id));
    if (raw === null) return undefined;
    const v = JSON.parse(raw) as Partial<ReplyTicket>;
    if (typeof v.address !== 'string' || typeof v.replyAddress !== 'string' || (v.senderCreatedAt !== undefined && typeof v.senderCreatedAt !== 'number')) {
      throw new PostmillError('Store.CorruptRecord', 'a stored reply ticket is malformed', { context: { raw: raw.slice(0, 200) } });
    }
    return v.senderCreatedAt === undefined
      ? { address: v.address, replyAddress: v.replyAddress }
      : { address: v.address, replyAddress: v.replyAddress, senderCreatedAt: v.senderCreatedAt };
  }
}
