import { createHash } from 'node:crypto';
import { addressKey, calendarDate } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';

/** One open or click by a person, as it is listed (SendCloud's openandclick/list). */
export interface TrackedHit {
  readonly kind: 'open' | 'click';
  readonly recipient: string;
  /** Epoch ms. */
  readonly at: number;
  /** The link a click followed. */
  readonly url?: string;
  /** The mail's tag. */
  readonly tag?: string;
}

/** Which hits to list: one kind and/or one tag (absent: all). */
export interface HitFilter {
  readonly kind?: 'open' | 'click';
  readonly tag?: string;
}

/** A page of hits and how many the whole selection holds. */
export interface HitPage {
  readonly total: number;
  readonly hits: TrackedHit[];
}

export interface TrackedHitListsOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Zone of the day a hit is listed under. */
  readonly timeZone: string;
  /** Seconds a list is kept after its last append. */
  readonly ttlSeconds: number;
}

const KIND = { open: 'o', click: 'c' } as const;

// The selections a hit is appended to: all, its kind, its tag, its tag and kind. A tag as a key
// part is 16 hex digits of its SHA-1 (any text may be a tag).
function selectors(hit: { kind: 'open' | 'click'; tag?: string }): string[] {
  const k = KIND[hit.kind];
  if (hit.tag === undefined) return ['a', k];
  const t = `t:${createHash('sha1').update(hit.tag).digest('hex').slice(0, 16)}`;
  return ['a', k, t, `${t}:${k}`];
}

function selector(filter: HitFilter): string {
  const [all, kind, tag, tagKind] = selectors({ kind: filter.kind ?? 'open', ...(filter.tag === undefined ? {} : { tag: filter.tag }) });
  if (filter.tag === undefined) return (filter.kind === undefined ? all : kind) as string;
  return (filter.kind === undefined ? tag : tagKind) as string;
}

function encode(hit: TrackedHit): string {
  return JSON.stringify([hit.kind, hit.at, hit.recipient, hit.url ?? '', hit.tag ?? '']);
}

function decode(entry: string): TrackedHit {
  const [kind, at, recipient, url, tag] = JSON.parse(entry) as [TrackedHit['kind'], number, string, string, string];
  return { kind, at, recipient, ...(url === '' ? {} : { url }), ...(tag === '' ? {} : { tag }) };
}

/**
 * People's opens and clicks in the order they came, listed by day (in the zone) and by recipient,
 * each list also narrowed by kind, tag, and both. Layout: LISTs `<stats(date)>:hits:<selector>`
 * (the day's `{s:<date>}` slot) and `<prefix>:{th:<recipient>}:hits:<selector>`. Guarantees: a
 * page costs one LLEN per day of the range plus one LRANGE per day the page touches, whatever the
 * volume; lists expire `ttlSeconds` after their last append; reads never write.
 */
export class TrackedHitLists {
  constructor(private readonly o: TrackedHitListsOptions) {}

  private dayKey(date: string, sel: string): string {
    return `${this.o.keys.stats(date)}:hits:${sel}`;
  }

  private recipientKey(recipient: string, sel: string): string {
    return `${this.o.keys.prefix}:{th:${addressKey(recipient)}}:hits:${sel}`;
  }

  /**
   * Appends a hit to its day's lists and its recipient's. Plain commands, not pipelines: the
   * write-coalescing client already sends one turn's commands in one socket write, and an ioredis
   * `pipeline()` copies every script defined on the connection (bench:tracking measured it).
   * Resolves once every write is acknowledged; the first failure is thrown.
   */
  async append(hit: TrackedHit): Promise<void> {
    const date = calendarDate(hit.at, this.o.timeZone);
    const entry = encode(hit);
    const r = this.o.redis;
    const writes: Promise<unknown>[] = [];
    for (const sel of selectors(hit)) {
      for (const key of [this.dayKey(date, sel), this.recipientKey(hit.recipient, sel)]) writes.push(r.rpush(key, entry), r.expire(key, this.o.ttlSeconds));
    }
    await Promise.all(writes);
  }

  /** Hits `start` to `start + limit` of the days (oldest first), with the selection's total. */
  async ofDays(dates: readonly string[], filter: HitFilter, page: { start: number; limit: number }): Promise<HitPage> {
    const sel = selector(filter);
    const lengths = await Promise.all(dates.map((d) => this.o.redis.llen(this.dayKey(d, sel))));
    const total = lengths.reduce((a, b) => a + b, 0);
    const ranges: Promise<string[]>[] = [];
    let skip = page.start;
    let want = page.limit;
    dates.forEach((date, i) => {
      const length = lengths[i] ?? 0;
      if (want <= 0 || skip >= length) {
        skip = Math.max(0, skip - length);
        return;
      }
      const take = Math.min(want, length - skip);
      ranges.push(this.o.redis.lrange(this.dayKey(date, sel), skip, skip + take - 1));
      want -= take;
      skip = 0;
    });
    return { total, hits: (await Promise.all(ranges)).flat().map(decode) };
  }

  /** One recipient's hits `start` to `start + limit`, oldest first, with the selection's total. */
  async ofRecipient(recipient: string, filter: HitFilter, page: { start: number; limit: number }): Promise<HitPage> {
    const key = this.recipientKey(recipient, selector(filter));
    const [total, entries] = await Promise.all([
      this.o.redis.llen(key),
      page.limit === 0 ? Promise.resolve([]) : this.o.redis.lrange(key, page.start, page.start + page.limit - 1),
    ]);
    return { total, hits: entries.map(decode) };
  }
}
