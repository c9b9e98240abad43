import { type Clock, type MailEvent, systemClock } from '@postmill/core';
import { EVENT_BUCKET_MS, EVENT_INDEX_DAY_MS, type EventLogKeys, eventBucketOf, eventLogKeys, indexNameOf, indexShardOf } from './event-log-keys.ts';
import type { RedisClient } from './redis-client.ts';

export interface EventLogStoreOptions {
  readonly redis: RedisClient;
  /** The deployment's key prefix (Keys.prefix). */
  readonly prefix: string;
  /** Days an event stays queryable (EVENT_LOG_RETENTION_DAYS). Default 30. */
  readonly retentionDays?: number;
  /** The default end of message and recipient queries (now) and their default start (now minus the retention). Default the system clock. */
  readonly clock?: Clock;
}

/** Which index a page reads. `time` reads the hour buckets between `fromMs` and `toMs`. */
export type EventQuery =
  | { readonly by: 'message'; readonly messageId: string }
  | { readonly by: 'recipient'; readonly recipient: string }
  | { readonly by: 'task'; readonly taskId: number }
  | { readonly by: 'time' };

export interface EventPageRequest {
  readonly query: EventQuery;
  /** Earliest `at` (ms, inclusive). Default: the retention's start (`time` queries: required). */
  readonly fromMs?: number;
  /** Latest `at` (ms, inclusive). Default: no bound (`time` queries: required). */
  readonly toMs?: number;
  /** Events per page, 1..1000. */
  readonly limit: number;
  /** The `next` of the previous page. */
  readonly cursor?: string;
}

export interface EventPage {
  /** In time order (ties in id order). */
  readonly events: readonly MailEvent[];
  /** Present when more events may follow: pass it as `cursor`. */
  readonly next?: string;
}

/** An invalid cursor, limit or time range. */
export class EventQueryError extends Error {
  override readonly name = 'EventQueryError';
  readonly code = 'EventLog.InvalidQuery';
}

const DAY_MS = 86_400_000;

/**
 * The one recipient-level event log. Guarantees:
 * - each event id is stored at most once: the body is a field of its hour's HASH, the hour's time
 *   index and the task index are ZSETs whose member is the id (ZADD NX keeps the first score), and
 *   the message and recipient indexes hold `<name>\0<at>\0<id>` members, the same member for the
 *   same event (ids and times derive from the ledger state), so a retried or replayed append with
 *   the same events changes nothing;
 * - an event stays queryable for `retentionDays` after its hour: hour keys expire at the hour's end
 *   plus the retention, message and recipient index shards (one per day and shard, see
 *   EVENT_INDEX_SHARDS) at their day's end plus the retention, a task index `retentionDays` after
 *   its last write; nothing needs a sweeper, and an index entry whose body expired is skipped;
 * - a page costs one range read per key it crosses (an index, or one shard per day of a message or
 *   recipient query, or one hour bucket per hour of a time query) plus one HMGET per hour its events
 *   fall in: never a whole day or index;
 * - a campaign adds members to existing shard keys: no key per recipient or per message;
 * - every command of an append is issued in the same turn (one socket write on a single node;
 *   ioredis routes each to its slot's node in a Cluster), none is a multi-key command across slots.
 */
export class EventLogStore {
  private readonly keys: EventLogKeys;
  private readonly retentionMs: number;

  constructor(private readonly o: EventLogStoreOptions) {
    this.keys = eventLogKeys(o.prefix);
    this.retentionMs = (o.retentionDays ?? 30) * DAY_MS;
  }

  /** Stores `events` (see the class guarantees); resolves once Redis has every write. */
  async append(events: readonly MailEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { redis } = this.o;
    const buckets = new Map<number, MailEvent[]>();
    const indexes = new Map<string, (string | number)[]>();
    const named = new Map<string, { day: number; members: (string | number)[] }>();
    const index = (key: string, e: MailEvent) => {
      const list = indexes.get(key);
      if (list) list.push(e.at, e.id);
      else indexes.set(key, [e.at, e.id]);
    };
    for (const e of events) {
      const hour = eventBucketOf(e.at);
      const list = buckets.get(hour);
      if (list) list.push(e);
      else buckets.set(hour, [e]);
      const day = Math.floor(e.at / EVENT_INDEX_DAY_MS);
      for (const [kind, value] of [['m', e.messageId] as const, ['r', e.recipient] as const]) {
        const name = indexNameOf(kind, value);
        const key = this.keys.nameIndex(kind, day, indexShardOf(name));
        const member = nameMember(name, e.at, e.id);
        const list = named.get(key);
        if (list) list.members.push(0, member);
        else named.set(key, { day, members: [0, member] });
      }
      if (e.taskId !== undefined) index(this.keys.byTask(e.taskId), e);
    }
    const writes: Promise<unknown>[] = [];
    for (const [hour, list] of buckets) {
      const expireAt = (hour + 1) * EVENT_BUCKET_MS + this.retentionMs;
      const bodies = this.keys.bucketBodies(hour);
      const times = this.keys.bucketTimes(hour);
      // HSETNX is not variadic; HSET of the same id writes the same event (its fields derive from the id's identity), so the count stays one.
      writes.push(redis.hset(bodies, ...list.flatMap((e) => [e.id, JSON.stringify(e)])));
      writes.push(redis.zadd(times, 'NX', ...list.flatMap((e) => [e.at, e.id])));
      writes.push(redis.pexpireat(bodies, expireAt), redis.pexpireat(times, expireAt));
    }
    for (const [key, { day, members }] of named) {
      writes.push(redis.zadd(key, ...members));
      writes.push(redis.pexpireat(key, (day + 1) * EVENT_INDEX_DAY_MS + this.retentionMs));
    }
    for (const [key, args] of indexes) {
      writes.push(redis.zadd(key, 'NX', ...args));
      writes.push(redis.pexpire(key, this.retentionMs));
    }
    await Promise.all(writes);
  }

  /** One page of events in time order (see the class guarantees for its cost). */
  async page(request: EventPageRequest): Promise<EventPage> {
    const { limit } = request;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new EventQueryError(`limit must be 1..1000, got ${limit}`);
    const cursor = parseCursor(request.cursor);
    const from = Math.max(request.fromMs ?? 0, cursor?.at ?? 0);
    const to = request.toMs ?? Number.MAX_SAFE_INTEGER;
    if (request.query.by === 'time') {
      if (request.fromMs === undefined || request.toMs === undefined) throw new EventQueryError('a time query needs fromMs and toMs');
      return this.timePage(from, to, limit, cursor);
    }
    if (request.query.by === 'task') {
      const skip = cursor && cursor.at === from ? cursor.skip : 0;
      const found = await this.range(this.keys.byTask(request.query.taskId), from, to, skip, limit + 1);
      return this.pageOf(found, limit, cursor, from);
    }
    const kind = request.query.by === 'message' ? 'm' : 'r';
    const name = indexNameOf(kind, request.query.by === 'message' ? request.query.messageId : request.query.recipient);
    const now = (this.o.clock ?? systemClock).now();
    const start = Math.max(from, request.fromMs === undefined ? now - this.retentionMs - EVENT_INDEX_DAY_MS : 0);
    const end = request.toMs === undefined ? now + EVENT_INDEX_DAY_MS : to;
    const entries: Entry[] = [];
    let skip = cursor && cursor.at === start ? cursor.skip : 0;
    const shard = indexShardOf(name);
    for (let day = Math.floor(start / EVENT_INDEX_DAY_MS); day <= Math.floor(end / EVENT_INDEX_DAY_MS) && entries.length <= limit; day++) {
      const key = this.keys.nameIndex(kind, day, shard);
      const members = await this.o.redis.zrangebylex(
        key,
        `[${name}\0${pad(start)}`,
        `[${name}\0${pad(end)}\0\u{10FFFF}`,
        'LIMIT',
        skip,
        limit + 1 - entries.length,
      );
      for (const m of members) entries.push(entryOfMember(m));
      skip = 0;
    }
    return this.pageOf(entries, limit, cursor, start);
  }

  private async pageOf(found: readonly Entry[], limit: number, cursor: Cursor | undefined, from: number): Promise<EventPage> {
    const more = found.length > limit;
    const entries = found.slice(0, limit);
    const events = await this.bodies(entries);
    return more ? { events, next: cursorAfter(entries, cursor, from) } : { events };
  }

  private async timePage(from: number, to: number, limit: number, cursor: Cursor | undefined): Promise<EventPage> {
    const entries: Entry[] = [];
    let skip = cursor && cursor.at === from ? cursor.skip : 0;
    let start = from;
    for (let hour = eventBucketOf(from); hour <= eventBucketOf(to) && entries.length <= limit; hour++) {
      const found = await this.range(this.keys.bucketTimes(hour), start, to, skip, limit + 1 - entries.length);
      entries.push(...found);
      skip = 0;
      start = (hour + 1) * EVENT_BUCKET_MS;
    }
    const more = entries.length > limit;
    const page = entries.slice(0, limit);
    const events = await this.bodies(page);
    return more ? { events, next: cursorAfter(page, cursor, from) } : { events };
  }

  private async range(key: string, from: number, to: number, skip: number, count: number): Promise<Entry[]> {
    const flat = await this.o.redis.zrangebyscore(key, from, to, 'WITHSCORES', 'LIMIT', skip, count);
    const entries: Entry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: flat[i] as string, at: Number(flat[i + 1]) });
    return entries;
  }

  private async bodies(entries: readonly Entry[]): Promise<MailEvent[]> {
    const byHour = new Map<number, string[]>();
    for (const e of entries) {
      const hour = eventBucketOf(e.at);
      const ids = byHour.get(hour);
      if (ids) ids.push(e.id);
      else byHour.set(hour, [e.id]);
    }
    const found = new Map<string, MailEvent>();
    await Promise.all(
      [...byHour].map(async ([hour, ids]) => {
        const values = await this.o.redis.hmget(this.keys.bucketBodies(hour), ...ids);
        values.forEach((v, i) => {
          const id = ids[i];
          if (v !== null && id !== undefined) found.set(id, JSON.parse(v) as MailEvent);
        });
      }),
    );
    return entries.flatMap((e) => {
      const event = found.get(e.id);
      return event ? [event] : [];
    });
  }
}

const pad = (at: number) => String(at).padStart(13, '0');

function nameMember(name: string, at: number, id: string): string {
  return `${name}\0${pad(at)}\0${id}`;
}

function entryOfMember(member: string): Entry {
  const end = member.lastIndexOf('\0');
  const start = member.lastIndexOf('\0', end - 1);
  return { at: Number(member.slice(start + 1, end)), id: member.slice(end + 1) };
}

interface Entry {
  readonly id: string;
  readonly at: number;
}

/** Where the next page starts: the last score returned and how many entries with that score were already returned. */
interface Cursor {
  readonly at: number;
  readonly skip: number;
}

function parseCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{1,16})\.(\d{1,6})$/u.exec(text);
  if (!match) throw new EventQueryError('invalid cursor');
  return { at: Number(match[1]), skip: Number(match[2]) };
}

function cursorAfter(entries: readonly Entry[], previous: Cursor | undefined, from: number): string {
  const last = entries.at(-1);
  if (!last) return `${from}.0`;
  let skip = entries.filter((e) => e.at === last.at).length;
  // A page made only of ties continues the previous page's ties at the same score.
  if (previous && previous.at === from && last.at === from) skip += previous.skip;
  return `${last.at}.${skip}`;
}
