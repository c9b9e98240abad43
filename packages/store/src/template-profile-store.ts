import { randomUUID } from 'node:crypto';
import { PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * What DirectMail keeps about a template beyond its name and content (TemplateStore): the subject
 * and sender name a batch send uses, and its template type (0 = mail). Absent: never set (a
 * template made through another dialect).
 */
export interface TemplateProfile {
  readonly subject?: string;
  readonly fromAlias?: string;
  readonly templateType?: number;
  /** SendCloud's display `name` (the template's name proper is SendCloud's invokeName). */
  readonly displayName?: string;
  /** SendCloud's templateType: 0 trigger (transactional), 1 batch (marketing). */
  readonly mailClass?: 0 | 1;
}

function decode(raw: string | null): TemplateProfile {
  if (raw === null) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as TemplateProfile;
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', 'a stored template profile is not JSON', { cause });
  }
  throw new PostmillError('Store.CorruptRecord', 'a stored template profile is not an object', { context: { raw: raw.slice(0, 200) } });
}

// Name claims: HASH `<templateProfiles>:names`, name → holder, beside the templates HASH under the
// deployment tag (one slot: the scripts read both). A holder is either a template id (live while
// that template exists and still has that name: a delete or rename made through any dialect frees
// it without touching the claim) or `p:<until ms>:<token>`, a pending claim taken before the
// template is written (live until `until`, so a process that dies mid-create frees the name).
const LIVE = `
local function live(holder, name, now)
  if not holder then return false end
  local untilMs = string.match(holder, '^p:(%d+):')
  if untilMs then return tonumber(untilMs) > now end
  local raw = redis.call('HGET', KEYS[2], holder)
  if not raw then return false end
  local ok, record = pcall(cjson.decode, raw)
  return ok and type(record) == 'table' and record.name == name
end`;

// KEYS[1] claims, KEYS[2] templates. ARGV[1] name, ARGV[2] pending holder, ARGV[3] now ms,
// ARGV[4] the template id that may hold the name already ('' for a new template).
// Returns 1 (claimed: the pending holder is written) or 0 (another live holder has it).
const CLAIM = new LuaScript(`${LIVE}
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if holder and holder ~= ARGV[4] and live(holder, ARGV[1], tonumber(ARGV[3])) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`);

// KEYS[1] claims. ARGV[1] name, ARGV[2] expected holder, ARGV[3] new holder ('' = release).
// Compare-and-set: only the holder that took a claim settles or releases it.
const SETTLE = new LuaScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1`);

/** How long a pending name claim holds before the template it was taken for must exist. Default of `claimLeaseMs`. */
const DEFAULT_CLAIM_LEASE_MS = 60_000;

/** A name claimed for a template being created or renamed; settle or release it. */
export interface TemplateNameClaim {
  readonly name: string;
  /** The pending holder written by the claim. */
  readonly holder: string;
}

/**
 * DirectMail's template attributes, by template id (one HASH under the deployment tag), and the
 * claims that make DirectMail's template names unique. Guarantees: `set` replaces the whole
 * profile; `getMany` answers in the order asked; `claimName` is atomic, so of any number of
 * concurrent claims of one free name exactly one succeeds; a claim never outlives its template
 * (nor its lease, while pending). Templates named through a dialect that allows duplicate names
 * (Tencent) hold no claim: callers still look such a template up by name after claiming.
 */
export class TemplateProfileStore {
  private readonly claimLeaseMs: number;

  constructor(private readonly o: { redis: RedisClient; keys: Keys; clock: { now(): number }; claimLeaseMs?: number }) {
    this.claimLeaseMs = o.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  }

  private get claimsKey(): string {
    return `${this.o.keys.templateProfiles}:names`;
  }

  /**
   * Claims `name` for a new template (no `templateId`) or for a rename of `templateId` (which may
   * hold it already). Undefined when another template, or another pending create or rename, holds it.
   */
  async claimName(name: string, options: { templateId?: number } = {}): Promise<TemplateNameClaim | undefined> {
    const now = this.o.clock.now();
    const holder = `p:${now + this.claimLeaseMs}:${randomUUID()}`;
    const keys = [this.claimsKey, this.o.keys.templates];
    const claimed = Number(await CLAIM.run(this.o.redis, keys, [name, holder, now, options.templateId === undefined ? '' : String(options.templateId)]));
    return claimed === 1 ? { name, holder } : undefined;
  }

  /** Makes a claim the template's own (after the template with that name was written). */
  async settleName(claim: TemplateNameClaim, templateId: number): Promise<void> {
    await SETTLE.run(this.o.redis, [this.claimsKey], [claim.name, claim.holder, String(templateId)]);
  }

  /** Gives a pending claim back (the create or rename did not happen). */
  async releaseClaim(claim: TemplateNameClaim): Promise<void> {
    await SETTLE.run(this.o.redis, [this.claimsKey], [claim.name, claim.holder, '']);
  }

  /** Frees `name` if `templateId` holds it (after a delete or a rename away from it). */
  async releaseName(name: string, templateId: number): Promise<void> {
    await SETTLE.run(this.o.redis, [this.claimsKey], [name, String(templateId), '']);
  }

  /** The template id holding a settled claim of `name` (it may since have been renamed: check its name), or undefined. */
  async claimedTemplateId(name: string): Promise<number | undefined> {
    const holder = await this.o.redis.hget(this.claimsKey, name);
    return holder !== null && /^\d+$/u.test(holder) ? Number(holder) : undefined;
  }

  async get(templateId: number): Promise<TemplateProfile> {
    return decode(await this.o.redis.hget(this.o.keys.templateProfiles, String(templateId)));
  }

  async getMany(templateIds: readonly number[]): Promise<TemplateProfile[]> {
    if (templateIds.length === 0) return [];
    const raws = await this.o.redis.hmget(this.o.keys.templateProfiles, ...templateIds.map(String));
    return raws.map((raw) => decode(raw));
  }

  async set(templateId: number, profile: TemplateProfile): Promise<void> {
    await this.o.redis.hset(this.o.keys.templateProfiles, String(templateId), JSON.stringify(profile));
  }

  async delete(templateId: number): Promise<void> {
    await this.o.redis.hdel(this.o.keys.templateProfiles, String(templateId));
  }
}
