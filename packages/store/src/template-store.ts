import { type Clock, EngineError, PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';
import { sendContextVersionKey } from './send-context-version.ts';

/** Tencent's TemplateStatus for an approved template; the only status Postmill gives. */
export const TEMPLATE_APPROVED = 0;

/** The ReviewReason every template carries, saying why it is approved. */
export const AUTO_APPROVAL_REASON = 'approved automatically: Postmill does not review templates';

/**
 * A mail template. Guarantees: `html`/`text` hold the decoded UTF-8 content (never base64) and at
 * least one is present when created through the API; `status` is always 0 (approved) because
 * Postmill has no human review, and `reviewReason` says so.
 */
export interface TemplateRecord {
  /** Tencent uint64 TemplateID: from a counter starting at 1, never reused. */
  readonly id: number;
  readonly name: string;
  readonly html?: string;
  readonly text?: string;
  readonly status: typeof TEMPLATE_APPROVED;
  readonly reviewReason: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds; equals createdAt until the first update. */
  readonly updatedAt: number;
}

/** What a caller sets on create and replaces wholesale on update. */
export interface TemplateInput {
  readonly name: string;
  readonly html?: string;
  readonly text?: string;
}

// Layout, all under the deployment hash tag:
//   keys.templateSeq         STRING counter, INCR gives the next id (a crash after INCR only skips an id)
//   keys.templates           HASH   id → JSON record
//   keys.templates + ':ids'  ZSET   id scored by id: list order = creation order
// The hash and the index only change together inside MULTI or one script.

// Overwrite only a template that still exists, so an update racing a delete cannot resurrect it.
// KEYS[2] is the send-context version (sendContextVersionKey), counted up with the change.
const REPLACE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[2])
return 1`;

const PAGE = `
local out = { redis.call('ZCARD', KEYS[2]) }
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], ARGV[1], ARGV[2])) do
  local value = redis.call('HGET', KEYS[1], id)
  if value then out[#out + 1] = value end
end
return out`;

/** Reads a stored record; throws `Store.CorruptRecord` when it is not one. */
export function decodeTemplate(raw: string): TemplateRecord {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', 'a stored template is not JSON', { cause });
  }
  const r = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const optionalString = (x: unknown) => x === undefined || typeof x === 'string';
  if (
    typeof r.id !== 'number' ||
    typeof r.name !== 'string' ||
    typeof r.createdAt !== 'number' ||
    typeof r.updatedAt !== 'number' ||
    !optionalString(r.html) ||
    !optionalString(r.text)
  ) {
    throw new PostmillError('Store.CorruptRecord', 'a stored template could not be read', { context: { raw: raw.slice(0, 200) } });
  }
  return build(r.id, { name: r.name, ...content(r.html as string | undefined, r.text as string | undefined) }, r.createdAt, r.updatedAt);
}

function content(html: string | undefined, text: string | undefined): { html?: string; text?: string } {
  return { ...(html === undefined ? {} : { html }), ...(text === undefined ? {} : { text }) };
}

// status and reviewReason are not stored: every template is approved, so they are derived on read.
function encode(r: TemplateRecord): string {
  return JSON.stringify({ id: r.id, name: r.name, html: r.html, text: r.text, createdAt: r.createdAt, updatedAt: r.updatedAt });
}

function execFailed(replies: [error: Error | null, result: unknown][] | null): Error | undefined {
  if (replies === null) return new PostmillError('Store.TransactionAborted', 'a Redis transaction was aborted');
  return replies.find(([error]) => error !== null)?.[0] ?? undefined;
}

function build(id: number, input: TemplateInput, createdAt: number, updatedAt: number): TemplateRecord {
  return {
    id,
    name: input.name,
    ...content(input.html, input.text),
    status: TEMPLATE_APPROVED,
    reviewReason: AUTO_APPROVAL_REASON,
    createdAt,
    updatedAt,
  };
}

/**
 * Templates in Redis. Guarantees: ids are unique positive integers in creation order and never
 * reused after delete; a template is approved on create and on every update; list order is
 * creation order; the hash and its index never disagree (Cluster-safe, one hash tag).
 * Callers validate names and decode content first.
 */
export class TemplateStore {
  private readonly redis: RedisClient;
  private readonly hashKey: string;
  private readonly indexKey: string;
  private readonly versionKey: string;
  private readonly seqKey: string;
  private readonly clock: Clock;

  constructor(options: { redis: RedisClient; keys: Keys; clock: Clock }) {
    this.redis = options.redis;
    this.clock = options.clock;
    this.hashKey = options.keys.templates;
    this.indexKey = `${options.keys.templates}:ids`;
    this.versionKey = sendContextVersionKey(options.keys);
    this.seqKey = options.keys.templateSeq;
  }

  /** Creates an approved template with the next id. */
  async create(input: TemplateInput): Promise<TemplateRecord> {
    const id = await this.redis.incr(this.seqKey);
    const now = this.clock.now();
    const record = build(id, input, now, now);
    const replies = await this.redis.multi().hset(this.hashKey, String(id), encode(record)).zadd(this.indexKey, id, String(id)).incr(this.versionKey).exec();
    const failed = execFailed(replies);
    if (failed) throw new PostmillError('Store.WriteFailed', `template ${id} could not be stored`, { cause: failed });
    return record;
  }

  /** The template, or undefined when it does not exist. */
  async get(id: number): Promise<TemplateRecord | undefined> {
    const raw = await this.redis.hget(this.hashKey, String(id));
    return raw === null ? undefined : decodeTemplate(raw);
  }

  /**
   * One page in creation order (oldest first) plus the total, read atomically.
   * `limit` may be `Infinity`; `limit` 0 gives only the total.
   */
  async list(offset: number, limit: number): Promise<{ total: number; items: TemplateRecord[] }> {
    if (limit <= 0) return { total: await this.redis.zcard(this.indexKey), items: [] };
    const stop = Number.isFinite(limit) ? offset + limit - 1 : -1;
    const [total, ...raws] = (await this.redis.eval(PAGE, 2, this.hashKey, this.indexKey, offset, stop)) as [number, ...string[]];
    return { total, items: raws.map(decodeTemplate) };
  }

  /**
   * Replaces name and content (content absent from `input` is removed) and re-approves.
   * Throws EngineError `template-not-found` when the template does not exist.
   */
  async update(id: number, input: TemplateInput): Promise<TemplateRecord> {
    const current = await this.get(id);
    const record = current && build(id, input, current.createdAt, this.clock.now());
    if (!record || (await this.redis.eval(REPLACE, 2, this.hashKey, this.versionKey, String(id), encode(record))) !== 1) {
      throw new EngineError('template-not-found', `the template ${id} does not exist`, { context: { templateId: id } });
    }
    return record;
  }

  /** Deletes the template; true when it existed. Its id is never given out again. */
  async delete(id: number): Promise<boolean> {
    const replies = await this.redis.multi().hdel(this.hashKey, String(id)).zrem(this.indexKey, String(id)).incr(this.versionKey).exec();
    const failed = execFailed(replies);
    if (failed) throw new PostmillError('Store.WriteFailed', `template ${id} could not be deleted`, { cause: failed });
    return replies?.[0]?.[1] === 1;
  }
}
