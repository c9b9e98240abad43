import { type Clock, ConflictError, NotFoundError, PostmillError, ValidationError, calendarDate, formatTencentDateTime, isCalendarDate, isValidEmail, normalizeEmail } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/** Tencent's BlackAddressDetail.Status: 0 expired, 1 active. */
export type BlacklistStatus = 0 | 1;

/** ListCustomBlacklist's Status filter: 0 expired, 1 active, 2 all. */
export type BlacklistStatusFilter = BlacklistStatus | 2;

/**
 * One custom blacklist entry (Tencent BlackAddressDetail). Guarantees: `email` is normalised (domain
 * lower-cased); `status` is computed at read time against today's date in the store's zone, so an
 * entry expires without any write.
 */
export interface BlacklistEntry {
  /** From a counter starting at 1, never reused; kept when the entry's email or date changes. */
  readonly id: number;
  readonly email: string;
  /** "YYYY-MM-DD hh:mm:ss" in the store's time zone. */
  readonly createTime: string;
  /** Last day (inclusive, YYYY-MM-DD, store's zone) the entry blocks; "" when it never expires. */
  readonly expireDate: string;
  readonly status: BlacklistStatus;
}

export interface BlacklistAddResult {
  /** Addresses newly blacklisted. */
  readonly added: number;
  /** Valid addresses not added: repeated within the call, or already in the blacklist (left unchanged). */
  readonly repeat: number;
  /** Entries refused as not an email address, as given (trimmed). */
  readonly invalid: string[];
}

export interface BlacklistQuery {
  readonly offset: number;
  readonly limit: number;
  /** Default 2 (all). */
  readonly status?: BlacklistStatusFilter;
  /** Case-insensitive substring of the address; empty or absent = no filter. */
  readonly email?: string;
}

export interface BlacklistStoreOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly clock: Clock;
  /** Zone of `createTime` and of the expiry day (IANA). Postmill's default is Asia/Shanghai. */
  readonly timeZone: string;
}

// Layout, all under the deployment hash tag (one slot, so every script below is Cluster-safe):
//   keys.blacklist     HASH  normalised email → {"id","createdAt","expireDate"} (the send-time check reads only this)
//   keys.blacklistIds  ZSET  email scored by id: id → email lookups and list order (= creation order)
//   keys.blacklistSeq  STRING counter
// The hash and the index only change together inside one script.
// Values are written by the scripts only, always in the exact shape of ENCODE, which PAGE relies on.

const ENCODE = `
local function encode(id, createdAt, expireDate)
  return string.format('{"id":%.0f,"createdAt":%.0f,"expireDate":"%s"}', id, createdAt, expireDate)
end`;

// ARGV: createdAt, expireDate, emails... (normalised, unique). Returns how many were added.
const ADD = `${ENCODE}
local added = 0
for i = 3, #ARGV do
  local email = ARGV[i]
  if redis.call('HEXISTS', KEYS[1], email) == 0 then
    local id = redis.call('INCR', KEYS[3])
    redis.call('HSET', KEYS[1], email, encode(id, tonumber(ARGV[1]), ARGV[2]))
    redis.call('ZADD', KEYS[2], id, email)
    added = added + 1
  end
end
return added`;

// ARGV: id, new email ("" = keep), "1" to set the date else "0", expireDate.
// Returns {0} not found, {-1} the new email is another entry's, {1, email, value} updated.
const UPDATE = `${ENCODE}
local old = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], ARGV[1], 'LIMIT', 0, 1)[1]
if not old then return {0} end
local raw = redis.call('HGET', KEYS[1], old)
if not raw then return {0} end
local rec = cjson.decode(raw)
local email = old
if ARGV[2] ~= '' then email = ARGV[2] end
if email ~= old and redis.call('HEXISTS', KEYS[1], email) == 1 then return {-1} end
local expireDate = rec.expireDate
if ARGV[3] == '1' then expireDate = ARGV[4] end
local value = encode(tonumber(ARGV[1]), rec.createdAt, expireDate)
if email ~= old then
  redis.call('HDEL', KEYS[1], old)
  redis.call('ZREM', KEYS[2], old)
  redis.call('ZADD', KEYS[2], ARGV[1], email)
end
redis.call('HSET', KEYS[1], email, value)
return {1, email, value}`;

const REMOVE = `
local removed = 0
for i = 1, #ARGV do
  if redis.call('HDEL', KEYS[1], ARGV[i]) == 1 then removed = removed + 1 end
  redis.call('ZREM', KEYS[2], ARGV[i])
end
return removed`;

// ARGV: offset, limit, status filter (0/1/2), today, lower-cased needle ("" = none).
// Returns {total, email1, value1, email2, value2, ...} in id order.
// Unfiltered pages cost O(log N + limit). A Status 0/1 or Email filter walks the whole index in
// batches of 1000, O(N) inside one script: Redis is busy ~0.1 s (Email) to ~0.25 s (Status) for
// 200 000 entries on a laptop, so this suits blacklists up to a few hundred thousand addresses.
const PAGE = `
local offset, limit, status, today, needle = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local out = {0}
if status == 2 and needle == '' then
  out[1] = redis.call('ZCARD', KEYS[2])
  if limit > 0 then
    for _, email in ipairs(redis.call('ZRANGE', KEYS[2], offset, offset + limit - 1)) do
      local v = redis.call('HGET', KEYS[1], email)
      if v then out[#out + 1] = email; out[#out + 1] = v end
    end
  end
  return out
end
local total, start = 0, 0
while true do
  local emails = redis.call('ZRANGE', KEYS[2], start, start + 999)
  if #emails == 0 then break end
  local matched = emails
  if needle ~= '' then
    matched = {}
    for _, email in ipairs(emails) do
      if string.find(string.lower(email), needle, 1, true) then matched[#matched + 1] = email end
    end
  end
  if #matched > 0 then
    local values = redis.call('HMGET', KEYS[1], unpack(matched))
    for i, email in ipairs(matched) do
      local v = values[i]
      if v then
        local keep = true
        if status ~= 2 then
          local expireDate = string.match(v, '"expireDate":"([^"]*)"') or ''
          keep = (status == 1) == (expireDate == '' or expireDate >= today)
        end
        if keep then
          if total >= offset and total < offset + limit then out[#out + 1] = email; out[#out + 1] = v end
          total = total + 1
        end
      end
    end
  end
  start = start + 1000
end
out[1] = total
return out`;

interface StoredEntry {
  readonly id: number;
  readonly createdAt: number;
  readonly expireDate: string;
}

function decode(raw: string): StoredEntry {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', 'a stored blacklist entry is not JSON', { cause });
  }
  const r = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (typeof r.id !== 'number' || typeof r.createdAt !== 'number' || typeof r.expireDate !== 'string') {
    throw new PostmillError('Store.CorruptRecord', 'a stored blacklist entry could not be read', { context: { raw: raw.slice(0, 200) } });
  }
  return { id: r.id, createdAt: r.createdAt, expireDate: r.expireDate };
}

function isActive(expireDate: string, today: string): boolean {
  return expireDate === '' || expireDate >= today;
}

/**
 * The custom blacklist (CreateCustomBlacklist & co.) and its send-time check. Guarantees:
 * - addresses are compared after `normalizeEmail` (domain case-insensitive, local part exact);
 * - an address is in the blacklist at most once; ids are unique, in creation order, never reused;
 * - an entry blocks through its `expireDate` (inclusive, in the store's zone) and not after; an
 *   expired entry stays listed (status 0) until deleted or updated to a later date;
 * - the hash and the id index never disagree (every change is one script on one hash tag).
 */
export class BlacklistStore {
  private readonly redis: RedisClient;
  private readonly hashKey: string;
  private readonly indexKey: string;
  private readonly seqKey: string;
  private readonly clock: Clock;
  private readonly timeZone: string;

  constructor(options: BlacklistStoreOptions) {
    this.redis = options.redis;
    this.hashKey = options.keys.blacklist;
    this.indexKey = options.keys.blacklistIds;
    this.seqKey = options.keys.blacklistSeq;
    this.clock = options.clock;
    this.timeZone = options.timeZone;
  }

  /** Today's date in the store's zone: entries with an expireDate before it are expired. */
  today(): string {
    return calendarDate(this.clock.now(), this.timeZone);
  }

  /**
   * Blacklists every valid address not already present (existing entries keep their id, date and
   * expiry). `expireDate` is the last day the entries block; absent = never expire. Throws
   * ValidationError `InvalidParameterValue.WrongDate` for a malformed date or one before today.
   */
  async add(emails: readonly string[], expireDate?: string): Promise<BlacklistAddResult> {
    const expire = this.checkExpireDate(expireDate ?? '');
    const invalid: string[] = [];
    const unique = new Set<string>();
    let valid = 0;
    for (const given of emails) {
      const email = given.trim();
      if (!isValidEmail(email)) {
        invalid.push(email);
        continue;
      }
      valid += 1;
      unique.add(normalizeEmail(email));
    }
    if (unique.size === 0) return { added: 0, repeat: valid, invalid };
    const added = Number(await this.redis.eval(ADD, 3, this.hashKey, this.indexKey, this.seqKey, String(this.clock.now()), expire, ...unique));
    return { added, repeat: valid - added, invalid };
  }

  /** One page in id (creation) order plus the total matching the filters, read atomically. */
  async list(query: BlacklistQuery): Promise<{ total: number; items: BlacklistEntry[] }> {
    const today = this.today();
    const needle = (query.email ?? '').trim().toLowerCase();
    const reply = (await this.redis.eval(
      PAGE,
      2,
      this.hashKey,
      this.indexKey,
      query.offset,
      Math.max(0, query.limit),
      query.status ?? 2,
      today,
      needle,
    )) as [number, ...string[]];
    const [total, ...flat] = reply;
    const items: BlacklistEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) items.push(this.entry(flat[i] ?? '', flat[i + 1] ?? '', today));
    return { total, items };
  }

  /**
   * Changes an entry's address and/or expiry, keeping its id and createTime. `expireDate` ""
   * makes it permanent; an absent field is left as it is. Throws NotFoundError `ResourceNotFound`
   * for an unknown id, ValidationError `InvalidParameterValue.IllegalEmailAddress` /
   * `InvalidParameterValue.WrongDate` for a bad value, and ConflictError
   * `FailedOperation.EmailAddrInBlacklist` when the new address is another entry's.
   */
  async update(id: number, change: { readonly email?: string; readonly expireDate?: string }): Promise<BlacklistEntry> {
    let email = '';
    if (change.email !== undefined) {
      const given = change.email.trim();
      if (!isValidEmail(given)) {
        throw new ValidationError('InvalidParameterValue.IllegalEmailAddress', `"${change.email}" is not a valid email address`, {
          context: { email: change.email },
        });
      }
      email = normalizeEmail(given);
    }
    const expire = change.expireDate === undefined ? '' : this.checkExpireDate(change.expireDate);
    const reply = (await this.redis.eval(
      UPDATE,
      2,
      this.hashKey,
      this.indexKey,
      id,
      email,
      change.expireDate === undefined ? '0' : '1',
      expire,
    )) as [number, string?, string?];
    if (reply[0] === 0) throw new NotFoundError('ResourceNotFound', `the blacklist entry ${id} does not exist`, { context: { id } });
    if (reply[0] === -1) {
      throw new ConflictError('FailedOperation.EmailAddrInBlacklist', `${email} is already in the blacklist as another entry`, { context: { id, email } });
    }
    return this.entry(reply[1] ?? '', reply[2] ?? '', this.today());
  }

  /** Removes the given addresses (unknown or invalid ones are ignored); returns how many were removed. */
  async remove(emails: readonly string[]): Promise<number> {
    const unique = [...new Set(emails.map((e) => normalizeEmail(e.trim())).filter((e) => e !== ''))];
    if (unique.length === 0) return 0;
    return Number(await this.redis.eval(REMOVE, 2, this.hashKey, this.indexKey, ...unique));
  }

  /**
   * The send-time check: the subset of `recipients` (as given) blocked today. One round trip
   * (HMGET on the blacklist hash); expired entries do not block.
   */
  async blockedAmong(recipients: readonly string[]): Promise<Set<string>> {
    if (recipients.length === 0) return new Set();
    const values = await this.redis.hmget(this.hashKey, ...recipients.map(normalizeEmail));
    const today = this.today();
    const blocked = new Set<string>();
    recipients.forEach((r, i) => {
      const raw = values[i];
      if (raw && isActive(decode(raw).expireDate, today)) blocked.add(r);
    });
    return blocked;
  }

  private entry(email: string, raw: string, today: string): BlacklistEntry {
    const e = decode(raw);
    return { id: e.id, email, createTime: formatTencentDateTime(e.createdAt, this.timeZone), expireDate: e.expireDate, status: isActive(e.expireDate, today) ? 1 : 0 };
  }

  // "" (never expires) passes; otherwise a real date, today or later.
  private checkExpireDate(value: string): string {
    if (value === '') return '';
    if (!isCalendarDate(value)) {
      throw new ValidationError('InvalidParameterValue.WrongDate', `ExpireDate "${value}" is not a date as YYYY-MM-DD`, { context: { expireDate: value } });
    }
    const today = this.today();
    if (value < today) {
      throw new ValidationError('InvalidParameterValue.WrongDate', `ExpireDate ${value} is before today (${today})`, { context: { expireDate: value, today } });
    }
    return value;
  }
}
