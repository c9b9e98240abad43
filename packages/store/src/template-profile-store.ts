import { PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
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

/**
 * DirectMail's template attributes, by template id (one HASH under the deployment tag).
 * Guarantees: `set` replaces the whole profile; `getMany` answers in the order asked.
 */
export class TemplateProfileStore {
  constructor(private readonly o: { redis: RedisClient; keys: Keys }) {}

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
