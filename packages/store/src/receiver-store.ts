import { randomBytes } from 'node:crypto';
import {
  bucketBitsFor,
  type Clock,
  decodeEntry,
  EngineError,
  emailFingerprint,
  encodeEntry,
  fingerprintBucket,
  PostmillError,
  type ReceiverRefusal,
  validateReceiverEntry,
} from '@postmill/core';
import type { Keys } from './keys.ts';
import { type ReceiverDetailPage, type ReceiverDetailQuery, readReceiverDetails } from './receiver-details.ts';
import { KEYS_CHANGED, type ReceiverReplacement, type ReplacementOutcome, replaceReceiverEntries } from './receiver-replace.ts';
import {
  ACQUIRE,
  CLAIM_NAME,
  COUNT_EXISTING,
  INSERT_SLICE,
  MARK_DELETING,
  PUSH_INVALID,
  RELEASE,
  RELEASE_NAME,
  REMOVE_ENTRY,
  REMOVED_SLOT,
  SCRIPT_BUSY,
  SCRIPT_NOT_EXIST,
  SCRIPT_OVER_CAP,
} from './receiver-scripts.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * Tencent's ReceiversStatus values Postmill gives: 1 "pending upload" while the list is empty,
 * 3 "upload complete" once it holds an entry. Uploads are synchronous here (the call returns when
 * every entry is stored), so 2 "uploading" is never reported; a second upload to a list while one
 * runs is refused with `OperationDenied.ReceiverIsOperating` instead.
 */
export const RECEIVER_STATUS = { empty: 1, uploading: 2, complete: 3 } as const;

/** A receiver list. Guarantees `count` = live entries in the list (removed ones not counted), `status` 1 ⇔ `count` 0. */
export interface ReceiverRecord {
  /** Tencent uint64 ReceiverId: from a counter starting at 1, never reused. */
  readonly id: number;
  readonly name: string;
  /** "" when none was given. */
  readonly desc: string;
  readonly count: number;
  /** Entries refused over the list's life (the refused-entry log itself keeps only the newest 100 000). */
  readonly invalidCount: number;
  readonly status: typeof RECEIVER_STATUS.empty | typeof RECEIVER_STATUS.complete;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** The variable names every entry carries ([] for plain addresses), or undefined while the list is empty. */
  readonly templateKeys: string[] | undefined;
  /** A dialect's second name for the list (DirectMail's ReceiversAlias); absent when none was set. */
  readonly alias?: string;
}

/** What one append did. Guarantees `total` = `valid` + `repeat` + `invalid.length`. */
export interface AppendResult {
  /** Entries in this call. */
  readonly total: number;
  /** Entries newly added to the list. */
  readonly valid: number;
  /** Entries already in the list, or repeating an earlier entry of this call (case-insensitive). */
  readonly repeat: number;
  /** Refused entries whose address was over 254 characters (also in `invalid`). */
  readonly tooLong: number;
  /** Refused entries whose address was empty (also in `invalid`). */
  readonly empty: number;
  /** Every refused entry with its 0-based index in the call; `email` cut to 320 characters. */
  readonly invalid: readonly { index: number; email: string; reason: ReceiverRefusal; message: string }[];
}

/** One entry as a sender reads it. */
export interface ReceiverEntry {
  /** 0-based position, fixed forever. */
  readonly index: number;
  readonly email: string;
  readonly templateData?: Record<string, string>;
}

/** A position whose entry was removed (DeleteReceiverDetail): its address is gone, the position stays. */
export interface RemovedSlot {
  readonly index: number;
  readonly removed: true;
}

/** One position of a list: its entry, or the mark of a removed one. */
export type ReceiverSlot = ReceiverEntry | RemovedSlot;

/** True when the slot's entry was removed. */
export function isRemovedSlot(slot: ReceiverSlot): slot is RemovedSlot {
  return 'removed' in slot;
}

/** Options of ReceiverStore; every field documents its default. */
export interface ReceiverStoreOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly clock: Clock;
  /**
   * The list size setting in force; fingerprint buckets of lists created from now on are sized
   * for max(this, 1 000 000) entries, so raising the cap up to 1 000 000 later costs nothing.
   * Default 50 000.
   */
  readonly maxListSize?: number;
}

/** Fingerprint buckets are sized for at least this many entries (see ReceiverStoreOptions.maxListSize). */
export const MIN_BUCKET_CAPACITY = 1_000_000;
/** Candidates per insert script: bounds how long one script blocks Redis (~5 ms, ~12 ms once a list nears 1,000,000). */
export const APPEND_SLICE_SIZE = 2500;
/** Newest refused entries kept per list for ListReceiverDetails Status 2. */
export const INVALID_LOG_CAP = 100_000;
/** An upload's lock lease, renewed by every slice; a crashed upload frees the list after this. */
export const UPLOAD_LEASE_MS = 60_000;
const STORED_EMAIL_MAX = 320;
const UNLINK_BATCH = 1000;
// KEYS[1] names. ARGV[1] old name, ARGV[2] id: frees the name if it still points at the list (not the index entry).
const RELEASE_OLD_NAME = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

const META_FIELDS = ['name', 'desc', 'createdAt', 'count', 'invalidCount', 'templateKeys', 'deleting', 'alias', 'removed'] as const;

type Candidate = { fp: Buffer; bucket: number; encoded: string };
type Refused = AppendResult['invalid'][number];

function cut(email: string): string {
  return email.length > STORED_EMAIL_MAX ? email.slice(0, STORED_EMAIL_MAX) : email;
}

function corrupt(what: string, context: Record<string, unknown>): PostmillError {
  return new PostmillError('Store.CorruptRecord', `a stored receiver list ${what} could not be read`, { context });
}

function notExist(id: number): EngineError {
  return new EngineError('receiver-list-not-found', `The receiver list ${id} does not exist.`, { context: { receiverId: id } });
}

function busy(id: number): EngineError {
  return new EngineError('receiver-list-busy', `The receiver list ${id} is being uploaded to; retry later.`, {
    context: { receiverId: id },
  });
}

function parseKeys(raw: string | null | undefined, id: number): string[] | undefined {
  if (!raw) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    if (Array.isArray(v) && v.every((k) => typeof k === 'string')) return v;
  } catch {
    // reported below
  }
  throw corrupt('templateKeys', { receiverId: id });
}

function parseData(json: string, index: number): Record<string, string> {
  try {
    return JSON.parse(json) as Record<string, string>;
  } catch (cause) {
    throw new PostmillError('Store.CorruptRecord', `receiver entry ${index} has unreadable TemplateData`, { cause, context: { index } });
  }
}

/**
 * Receiver lists in Redis, sized for millions of entries. Guarantees:
 * - an entry's index never changes; removing an entry (`remove`) leaves a removed mark at its
 *   position (so a running campaign's positions stay valid) and readers skip it;
 * - no address appears twice among a list's live entries (the whole address compared
 *   case-insensitively, via an 8-byte SHA-1 fingerprint in hash buckets that stay listpack-encoded:
 *   ~15 bytes per entry); a removed address may be added again, at a new position;
 * - a list never holds more than `maxListSize` live entries, and an append that would pass it adds nothing;
 * - all entries of a list carry the same TemplateData variable names (fixed by the first entry);
 * - one upload at a time per list (a lease-based lock, fenced in every script), so appends never
 *   interleave; no script handles more than APPEND_SLICE_SIZE entries, and no read loads a whole list.
 * Every key of one list carries the `{r:<id>}` tag; names and the index share the deployment tag.
 */
export class ReceiverStore {
  private readonly redis: RedisClient;
  private readonly keys: Keys;
  private readonly clock: Clock;
  private readonly bucketBits: number;
  // bucketBits never changes for a list and ids are never reused, so this cache cannot go stale.
  private readonly bucketBitsById = new Map<number, number>();

  constructor(options: ReceiverStoreOptions) {
    this.redis = options.redis;
    this.keys = options.keys;
    this.clock = options.clock;
    this.bucketBits = bucketBitsFor(Math.max(options.maxListSize ?? 50_000, MIN_BUCKET_CAPACITY));
  }

  /**
   * Creates an empty list, with its alias when given (DirectMail's `ReceiversAlias`, written with the
   * rest of the list before its name is claimed, so a list is never reachable without it). Throws
   * EngineError `already-exists` when the name (exact) is taken.
   */
  async create(input: { name: string; desc: string; alias?: string }): Promise<ReceiverRecord> {
    const id = await this.redis.incr(this.keys.receiverSeq);
    const createdAt = this.clock.now();
    const meta = this.keys.receiverMeta(id);
    // meta first, then the name: a crash in between leaves an unreachable meta hash, never a name without a list.
    await this.redis.hset(meta, {
      name: input.name,
      desc: input.desc,
      createdAt,
      count: 0,
      invalidCount: 0,
      templateKeys: '',
      bucketBits: this.bucketBits,
      lastUploadAt: 0,
      ...(input.alias === undefined ? {} : { alias: input.alias }),
    });
    for (let attempt = 0; ; attempt++) {
      const holder = Number(await this.redis.eval(CLAIM_NAME, 2, this.keys.receiverNames, this.keys.receivers, input.name, id));
      if (holder === 0) break;
      // A name still held by a list whose delete crashed half-way is freed by finishing that delete.
      if (attempt === 0 && (await this.get(holder)) === undefined) {
        await this.delete(holder);
        await this.redis.eval(RELEASE_NAME, 2, this.keys.receiverNames, this.keys.receivers, input.name, holder);
        continue;
      }
      await this.redis.unlink(meta);
      throw new EngineError('already-exists', `A receiver list named "${input.name}" already exists.`, {
        context: { resource: 'receiver-list', name: input.name },
      });
    }
    return {
      id,
      name: input.name,
      desc: input.desc,
      count: 0,
      invalidCount: 0,
      status: RECEIVER_STATUS.empty,
      createdAt,
      templateKeys: undefined,
      ...(input.alias === undefined ? {} : { alias: input.alias }),
    };
  }

  /**
   * Renames a list, or changes its description or alias (what is absent stays). Throws EngineError
   * `receiver-list-not-found`, or `already-exists` when the new name is another list's. The new name
   * is claimed first (atomic, as at creation), then written to the list, then the old name freed:
   * a crash in between leaves the old name held by its list (never a name without a list).
   */
  async update(id: number, change: { name?: string; desc?: string; alias?: string }): Promise<ReceiverRecord> {
    const current = await this.get(id);
    if (!current) throw notExist(id);
    const meta = this.keys.receiverMeta(id);
    const renamed = change.name !== undefined && change.name !== current.name;
    if (renamed && change.name !== undefined) {
      const holder = Number(await this.redis.eval(CLAIM_NAME, 2, this.keys.receiverNames, this.keys.receivers, change.name, id));
      if (holder !== 0 && holder !== id) {
        throw new EngineError('already-exists', `A receiver list named "${change.name}" already exists.`, {
          context: { resource: 'receiver-list', name: change.name },
        });
      }
    }
    await this.redis.hset(meta, {
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.desc === undefined ? {} : { desc: change.desc }),
      ...(change.alias === undefined ? {} : { alias: change.alias }),
    });
    if (renamed) await this.redis.eval(RELEASE_OLD_NAME, 1, this.keys.receiverNames, current.name, id);
    const updated = await this.get(id);
    if (!updated) throw notExist(id);
    return updated;
  }

  /** The list, or undefined when it does not exist (or is being deleted). */
  async get(id: number): Promise<ReceiverRecord | undefined> {
    const [name, desc, createdAt, count, invalidCount, templateKeys, deleting, alias, removed] = await this.redis.hmget(
      this.keys.receiverMeta(id),
      ...META_FIELDS,
    );
    if (name === null || name === undefined || createdAt === null || createdAt === undefined || deleting) return undefined;
    const n = Number(count ?? 0) - Number(removed ?? 0);
    return {
      id,
      name,
      desc: desc ?? '',
      count: n,
      invalidCount: Number(invalidCount ?? 0),
      status: n > 0 ? RECEIVER_STATUS.complete : RECEIVER_STATUS.empty,
      createdAt: Number(createdAt),
      templateKeys: parseKeys(templateKeys, id),
      ...(alias === null || alias === undefined ? {} : { alias }),
    };
  }

  /**
   * One page of lists in creation order plus the number matching. `status` 1/3 filters on
   * emptiness (2 matches nothing); `keyword` is a case-insensitive "contains" match on the name.
   * With a filter every list's meta is read (O(number of lists)); without, only the page.
   */
  async list(query: { offset: number; limit: number; status?: number; keyword?: string }): Promise<{ total: number; items: ReceiverRecord[] }> {
    const keyword = query.keyword?.toLowerCase() ?? '';
    if (query.status === undefined && keyword === '') {
      const total = await this.redis.zcard(this.keys.receivers);
      if (query.limit <= 0) return { total, items: [] };
      const ids = await this.redis.zrange(this.keys.receivers, query.offset, String(query.offset + query.limit - 1));
      const items = await Promise.all(ids.map((id) => this.get(Number(id))));
      return { total, items: items.filter((r): r is ReceiverRecord => r !== undefined) };
    }
    const ids = await this.redis.zrange(this.keys.receivers, 0, '-1');
    const matches: ReceiverRecord[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const page = await Promise.all(ids.slice(i, i + 500).map((id) => this.get(Number(id))));
      for (const r of page) {
        if (!r || (query.status !== undefined && r.status !== query.status)) continue;
        if (keyword !== '' && !r.name.toLowerCase().includes(keyword)) continue;
        matches.push(r);
      }
    }
    return { total: matches.length, items: matches.slice(query.offset, query.offset + Math.max(0, query.limit)) };
  }

  /**
   * Deletes the list and every key it has; true when it existed. The list disappears at once (it is
   * marked first); its big keys go with UNLINK (freed off the main thread) and its buckets in
   * batches, so a 1,000,000-entry list never blocks Redis. A delete that crashed half-way is
   * finished by the next delete of the same id (which then answers false).
   */
  async delete(id: number): Promise<boolean> {
    const meta = this.keys.receiverMeta(id);
    const [state, name, bits] = (await this.redis.eval(MARK_DELETING, 1, meta)) as [number, string?, string?];
    if (state === 0) return false;
    await this.redis.eval(RELEASE_NAME, 2, this.keys.receiverNames, this.keys.receivers, name ?? '', id);
    await this.redis.unlink(this.keys.receiverEntries(id), this.keys.receiverInvalid(id), this.keys.receiverRemoved(id));
    const buckets = 2 ** Number(bits ?? 0);
    for (let start = 0; start < buckets; start += UNLINK_BATCH) {
      const batch: string[] = [];
      for (let b = start; b < Math.min(buckets, start + UNLINK_BATCH); b++) batch.push(this.keys.receiverFingerprints(id, b));
      await this.redis.unlink(...batch);
    }
    await this.redis.unlink(meta);
    this.bucketBitsById.delete(id);
    return state === 1;
  }

  /**
   * Validates and appends entries in order. Refused entries are reported (and logged for
   * ListReceiverDetails) but never stop the others; repeats are skipped. Throws:
   * - EngineError `receiver-list-not-found` when the list does not exist;
   * - `receiver-list-busy` while another upload to it runs;
   * - `limit-exceeded` (`receiver-list-size`) when the new entries would take the list's live
   *   entries past `maxListSize` — then nothing of the call is stored;
   * - `receiver-entries-refused` with the first refusal's reason when every entry is refused —
   *   then nothing is stored either.
   * Slices are separate scripts: if Redis fails mid-call, earlier slices stay, and repeating the
   * call is safe (their entries then count as repeats).
   */
  async append(
    id: number,
    entries: readonly { email: string; templateData?: string }[],
    options: { maxListSize: number; maxTemplateDataBytes: number },
  ): Promise<AppendResult> {
    const meta = this.keys.receiverMeta(id);
    const token = randomBytes(12).toString('base64url');
    const acquired = (await this.redis.eval(ACQUIRE, 1, meta, token, this.clock.now(), this.clock.now() + UPLOAD_LEASE_MS)) as [
      number,
      string?,
      string?,
      string?,
    ];
    if (acquired[0] === SCRIPT_NOT_EXIST) throw notExist(id);
    if (acquired[0] === SCRIPT_BUSY) throw busy(id);
    try {
      const count = Number(acquired[1] ?? 0);
      const bits = Number(acquired[3] ?? 0);
      this.bucketBitsById.set(id, bits);
      const judged = this.judge(entries, parseKeys(acquired[2], id), options.maxTemplateDataBytes, bits);
      const first = judged.refused[0];
      if (judged.candidates.length === 0 && judged.repeatInCall === 0 && first) {
        throw new EngineError('receiver-entries-refused', `Every entry was refused; the first, at index ${first.index}: ${first.message}.`, {
          context: { receiverId: id, refusal: first.reason, refused: judged.refused.length },
        });
      }
      if (count + judged.candidates.length > options.maxListSize) {
        const fresh = judged.candidates.length - (await this.countExisting(id, judged.candidates));
        if (count + fresh > options.maxListSize) throw overCap(id, count, fresh, options.maxListSize);
      }
      let added = 0;
      for (let i = 0; i < judged.candidates.length; i += APPEND_SLICE_SIZE) {
        added += await this.insertSlice(id, token, judged.candidates.slice(i, i + APPEND_SLICE_SIZE), judged.keysJson, options.maxListSize);
      }
      if (judged.refused.length > 0) await this.logRefused(id, token, judged.refused);
      return {
        total: entries.length,
        valid: added,
        repeat: judged.repeatInCall + judged.candidates.length - added,
        tooLong: judged.refused.filter((r) => r.reason === 'TooLong').length,
        empty: judged.refused.filter((r) => r.reason === 'EmptyEmail').length,
        invalid: judged.refused,
      };
    } finally {
      await this.redis.eval(RELEASE, 1, meta, token);
    }
  }

  // Validates in call order; the first accepted entry fixes the variable names when the list has none.
  private judge(entries: readonly { email: string; templateData?: string }[], listKeys: string[] | undefined, maxTemplateDataBytes: number, bits: number) {
    let expectedKeys: readonly string[] | undefined = listKeys;
    const seen = new Set<string>();
    const candidates: Candidate[] = [];
    const refused: Refused[] = [];
    let repeatInCall = 0;
    entries.forEach((entry, index) => {
      const v = validateReceiverEntry(entry, expectedKeys === undefined ? { maxTemplateDataBytes } : { maxTemplateDataBytes, expectedKeys });
      if (!v.ok) {
        refused.push({ index, email: cut(entry.email), reason: v.reason, message: v.message });
        return;
      }
      expectedKeys ??= v.keys;
      const fp = emailFingerprint(v.email);
      const hex = fp.toString('hex');
      if (seen.has(hex)) {
        repeatInCall++;
        return;
      }
      seen.add(hex);
      candidates.push({ fp, bucket: fingerprintBucket(fp, bits), encoded: encodeEntry(v.email, v.templateData) });
    });
    return { candidates, refused, repeatInCall, keysJson: JSON.stringify(expectedKeys ?? []) };
  }

  private bucketArgs(id: number, slice: readonly Candidate[]): { keys: string[]; slot: (c: Candidate) => number } {
    const slots = new Map<number, number>();
    const keys: string[] = [];
    for (const c of slice) {
      if (!slots.has(c.bucket)) {
        keys.push(this.keys.receiverFingerprints(id, c.bucket));
        slots.set(c.bucket, keys.length);
      }
    }
    return { keys, slot: (c) => slots.get(c.bucket) ?? 0 };
  }

  private async countExisting(id: number, candidates: readonly Candidate[]): Promise<number> {
    let existing = 0;
    for (let i = 0; i < candidates.length; i += APPEND_SLICE_SIZE) {
      const slice = candidates.slice(i, i + APPEND_SLICE_SIZE);
      const { keys, slot } = this.bucketArgs(id, slice);
      const args = slice.flatMap((c) => [slot(c), c.fp]);
      existing += Number(await this.redis.eval(COUNT_EXISTING, keys.length, ...keys, ...args));
    }
    return existing;
  }

  private async insertSlice(id: number, token: string, slice: readonly Candidate[], keysJson: string, maxListSize: number): Promise<number> {
    const { keys, slot } = this.bucketArgs(id, slice);
    // Bucket numbers are offset by the two fixed keys (meta, entries) that come first in KEYS.
    const args = slice.flatMap((c) => [slot(c) + 2, c.fp, c.encoded]);
    const now = this.clock.now();
    const reply = (await this.redis.eval(
      INSERT_SLICE,
      keys.length + 2,
      this.keys.receiverMeta(id),
      this.keys.receiverEntries(id),
      ...keys,
      token,
      maxListSize,
      keysJson,
      now,
      now + UPLOAD_LEASE_MS,
      ...args,
    )) as [number, number, number?];
    if (reply[0] === SCRIPT_NOT_EXIST) throw notExist(id);
    if (reply[0] === SCRIPT_BUSY) throw busy(id);
    if (reply[0] === SCRIPT_OVER_CAP) throw overCap(id, reply[1], reply[2] ?? 0, maxListSize);
    return reply[0];
  }

  private async logRefused(id: number, token: string, refused: readonly Refused[]): Promise<void> {
    const now = this.clock.now();
    // Only the newest INVALID_LOG_CAP are kept, but invalidCount counts every refused entry.
    const tail = refused.slice(-INVALID_LOG_CAP).map((r) => JSON.stringify({ Email: r.email, Reason: r.reason, CreateTime: now }));
    const reply = Number(
      await this.redis.eval(PUSH_INVALID, 2, this.keys.receiverMeta(id), this.keys.receiverInvalid(id), token, INVALID_LOG_CAP, refused.length, ...tail),
    );
    if (reply === SCRIPT_NOT_EXIST) throw notExist(id);
    if (reply === SCRIPT_BUSY) throw busy(id);
  }

  /** Live entries with index in [start, endExclusive), in order: removed ones are left out (fewer at the end of the list). */
  async readRange(id: number, start: number, endExclusive: number): Promise<ReceiverEntry[]> {
    return (await this.readSlots(id, start, endExclusive)).filter((slot): slot is ReceiverEntry => !isRemovedSlot(slot));
  }

  /**
   * Every position in [start, endExclusive), in order, removed ones as a RemovedSlot (one LRANGE);
   * fewer at the end of the list, none for a list that does not exist.
   */
  async readSlots(id: number, start: number, endExclusive: number): Promise<ReceiverSlot[]> {
    if (endExclusive <= start) return [];
    const raws = await this.redis.lrange(this.keys.receiverEntries(id), start, endExclusive - 1);
    return raws.map((raw, k): ReceiverSlot => {
      const index = start + k;
      if (raw === REMOVED_SLOT) return { index, removed: true };
      const e = decodeEntry(raw);
      return e.templateData === undefined ? { index, email: e.email } : { index, email: e.email, templateData: parseData(e.templateData, index) };
    });
  }

  /** Number of positions, removed entries included (0 for a list that does not exist): a campaign run covers them all. */
  async length(id: number): Promise<number> {
    return this.redis.llen(this.keys.receiverEntries(id));
  }

  /**
   * Removes the address's live entry (case-insensitive, as uploads compare addresses); answers its
   * index, or undefined when the address is not in the list. One atomic script: the position stays
   * (marked removed, its address erased), the list's count drops by one, the fingerprint goes (so
   * the address may be added again, at a new position). An address is at most once among the live
   * entries, so this removes every occurrence. Throws EngineError `receiver-list-not-found`, or
   * `receiver-list-busy` while an upload to the list runs.
   */
  async remove(id: number, email: string): Promise<number | undefined> {
    const bits = await this.bucketBitsOf(id);
    if (bits === undefined) throw notExist(id);
    const fp = emailFingerprint(email.trim());
    const reply = (await this.redis.eval(
      REMOVE_ENTRY,
      4,
      this.keys.receiverMeta(id),
      this.keys.receiverEntries(id),
      this.keys.receiverRemoved(id),
      this.keys.receiverFingerprints(id, fingerprintBucket(fp, bits)),
      fp,
      this.clock.now(),
    )) as [number, number?];
    if (reply[0] === SCRIPT_NOT_EXIST) throw notExist(id);
    if (reply[0] === SCRIPT_BUSY) throw busy(id);
    return reply[0] === 1 ? reply[1] : undefined;
  }

  /**
   * Replaces members' entries in place, atomically (guarantees in receiver-replace.ts): validated
   * first, nothing changed on a refusal, each replaced entry keeps its index, no member lost or
   * doubled. One outcome per change, in order.
   */
  async replace(id: number, changes: readonly ReceiverReplacement[], options: { maxTemplateDataBytes: number }): Promise<ReplacementOutcome[]> {
    // A second pass only follows a first upload that fixed the names meanwhile; they never change after.
    for (let attempt = 0; attempt < 2; attempt++) {
      const [bits, templateKeys, deleting] = await this.redis.hmget(this.keys.receiverMeta(id), 'bucketBits', 'templateKeys', 'deleting');
      const shape = bits === null || bits === undefined || deleting ? undefined : { bits: Number(bits), templateKeys: parseKeys(templateKeys, id) };
      const outcomes = await replaceReceiverEntries({ redis: this.redis, keys: this.keys, nowMs: this.clock.now(), shape }, id, changes, options);
      if (outcomes !== KEYS_CHANGED) return outcomes;
    }
    throw corrupt('templateKeys', { receiverId: id });
  }

  /**
   * Which of `indexes` were removed from the list (one ZMSCORE). A list that does not exist has
   * none. Linearizable with `remove`: a removal acknowledged before this call is seen by it.
   */
  async removedAmong(id: number, indexes: readonly number[]): Promise<Set<number>> {
    if (indexes.length === 0) return new Set();
    const scores = await this.redis.zmscore(this.keys.receiverRemoved(id), ...indexes);
    return new Set(indexes.filter((_, k) => scores[k] !== null && scores[k] !== undefined));
  }

  /** The index of an address in the list (case-insensitive), or undefined. One bucket lookup. */
  async indexOf(id: number, email: string): Promise<number | undefined> {
    const bits = await this.bucketBitsOf(id);
    if (bits === undefined) return undefined;
    const fp = emailFingerprint(email.trim());
    const raw = await this.redis.hget(this.keys.receiverFingerprints(id, fingerprintBucket(fp, bits)), fp);
    return raw === null ? undefined : Number(raw);
  }

  private async bucketBitsOf(id: number): Promise<number | undefined> {
    const cached = this.bucketBitsById.get(id);
    if (cached !== undefined) return cached;
    const raw = await this.redis.hget(this.keys.receiverMeta(id), 'bucketBits');
    if (raw === null) return undefined;
    this.bucketBitsById.set(id, Number(raw));
    return Number(raw);
  }

  /**
   * ListReceiverDetails: valid entries (status 1, in list order) then refused ones (status 2,
   * oldest first), filtered and paged; undefined when the list does not exist. Costs are in
   * receiver-details.ts: only a fuzzy `email` filter scans the list (O(list length)).
   */
  async details(id: number, query: ReceiverDetailQuery): Promise<ReceiverDetailPage | undefined> {
    return readReceiverDetails({ redis: this.redis, keys: this.keys, indexOf: (email) => this.indexOf(id, email) }, id, query);
  }
}

function overCap(id: number, count: number, fresh: number, maxListSize: number): EngineError {
  return new EngineError(
    'limit-exceeded',
    `The receiver list ${id} holds ${count} addresses; adding ${fresh} more would pass the limit of ${maxListSize}. Nothing was added.`,
    { context: { limit: 'receiver-list-size', max: maxListSize, count: count + fresh } },
  );
}
