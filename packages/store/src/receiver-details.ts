import { decodeEntry, isValidEmail, PostmillError } from '@postmill/core';
import type { Keys } from './keys.ts';
import { READ_LIVE_PAGE, REMOVED_SLOT } from './receiver-scripts.ts';
import type { RedisClient } from './redis-client.ts';

/** ListReceiverDetails filters; every one optional except the page. */
export interface ReceiverDetailQuery {
  readonly offset: number;
  readonly limit: number;
  /** Case-insensitive "contains" match; a complete valid address is matched exactly instead. */
  readonly email?: string;
  /** 1 valid entries only, 2 refused entries only; both (valid first) when absent. */
  readonly status?: 1 | 2;
  /** Inclusive bounds on the entry's upload time, epoch ms. */
  readonly createTimeBegin?: number;
  readonly createTimeEnd?: number;
  /**
   * Rows of valid entries start at this position (then `offset` skips matches from there): a paging
   * cursor (the last row's index + 1) that, unlike `offset`, removals of earlier entries between two
   * pages cannot shift. `total` still counts every match. Meant for status 1 queries. Default 0.
   */
  readonly fromIndex?: number;
}

/** One row of ListReceiverDetails. */
export interface ReceiverDetailRow {
  readonly status: 1 | 2;
  /** Index in the list (valid entries only). */
  readonly index?: number;
  readonly email: string;
  /** Canonical TemplateData JSON (valid entries with data only). */
  readonly templateData?: string;
  /** Why it was refused (refused entries only): a ReceiverRefusal. */
  readonly reason?: string;
  /** Upload time, epoch ms. */
  readonly createdAt: number;
}

/** A page of details plus the number of matches and the list's own counters. */
export interface ReceiverDetailPage {
  /** Rows matching the filters (over both statuses when no status is given). */
  readonly total: number;
  /** The list's live entry count (removed entries not counted), whatever the filters. */
  readonly validCount: number;
  /** Entries refused over the list's life, whatever the filters. */
  readonly invalidCount: number;
  readonly items: ReceiverDetailRow[];
}

const SCAN_PAGE = 5000;

/**
 * Upload markers: the meta field `u:<first index>` = upload time (ms), one per upload second,
 * times non-decreasing along the list. An entry's time is that of the last marker at or before it,
 * so per-entry times cost nothing per entry.
 */
interface Markers {
  readonly starts: number[];
  readonly times: number[];
}

function markersOf(meta: Record<string, string>, createdAt: number): Markers {
  const pairs = Object.entries(meta)
    .filter(([k]) => k.startsWith('u:'))
    .map(([k, v]) => [Number(k.slice(2)), Number(v)] as const)
    .sort((a, b) => a[0] - b[0]);
  if (pairs.length === 0 || pairs[0]?.[0] !== 0) pairs.unshift([0, createdAt]);
  return { starts: pairs.map((p) => p[0]), times: pairs.map((p) => p[1]) };
}

// Index of the last element ≤ x in an ascending array (or -1).
function lastAtMost(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function timeOf(markers: Markers, index: number): number {
  return markers.times[Math.max(0, lastAtMost(markers.starts, index))] ?? 0;
}

// First index uploaded at or after `time`.
function firstIndexFrom(markers: Markers, time: number, count: number): number {
  const i = markers.times.findIndex((t) => t >= time);
  return i < 0 ? count : Math.min(count, markers.starts[i] ?? count);
}

function validRow(markers: Markers, index: number, raw: string): ReceiverDetailRow {
  const e = decodeEntry(raw);
  const row = { status: 1 as const, index, email: e.email, createdAt: timeOf(markers, index) };
  return e.templateData === undefined ? row : { ...row, templateData: e.templateData };
}

function refusedRow(raw: string, id: number): ReceiverDetailRow {
  let r: { Email?: unknown; Reason?: unknown; CreateTime?: unknown } | undefined;
  try {
    r = JSON.parse(raw) as typeof r;
  } catch {
    r = undefined;
  }
  if (typeof r?.Email !== 'string' || typeof r.Reason !== 'string' || typeof r.CreateTime !== 'number') {
    throw new PostmillError('Store.CorruptRecord', 'a refused receiver entry could not be read', { context: { receiverId: id } });
  }
  return { status: 2, email: r.Email, reason: r.Reason, createdAt: r.CreateTime };
}

type Part = { total: number; items: ReceiverDetailRow[] };

/** What reading details needs from the store. */
export interface DetailSource {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** The store's fingerprint lookup for this list. */
  indexOf(email: string): Promise<number | undefined>;
}

/**
 * Valid entries (list order, removed ones left out) then refused ones (oldest first), filtered and
 * paged; undefined when the list does not exist. Costs: a time filter maps to an index range
 * through the markers (no scan); without an `email` filter a page costs O(page · log² n) however
 * many entries were removed (READ_LIVE_PAGE; a plain LRANGE while none was); an `email` that is a
 * complete address is one fingerprint lookup (exact, not "contains"); any other `email` is a
 * "contains" scan in pages of 5000 entries, O(list length) per call. Refused entries are at most
 * the log's cap and scanned only when filtered.
 */
export async function readReceiverDetails(source: DetailSource, id: number, query: ReceiverDetailQuery): Promise<ReceiverDetailPage | undefined> {
  const meta = await source.redis.hgetall(source.keys.receiverMeta(id));
  if (meta.createdAt === undefined || meta.deleting) return undefined;
  const count = Number(meta.count ?? 0);
  const removed = Number(meta.removed ?? 0);
  const markers = markersOf(meta, Number(meta.createdAt));
  const begin = query.createTimeBegin ?? Number.NEGATIVE_INFINITY;
  const end = query.createTimeEnd ?? Number.POSITIVE_INFINITY;
  const needle = query.email?.trim().toLowerCase() ?? '';
  const limit = Math.max(0, query.limit);
  const items: ReceiverDetailRow[] = [];
  let total = 0;
  if (query.status !== 2) {
    const lo = Number.isFinite(begin) ? firstIndexFrom(markers, begin, count) : 0;
    const hi = Number.isFinite(end) ? firstIndexFrom(markers, end + 1, count) : count;
    const from = Math.max(lo, Math.min(hi, query.fromIndex ?? 0));
    const valid = await validPart(source, id, markers, { lo, hi, from, needle, offset: query.offset, limit, anyRemoved: removed > 0 });
    total += valid.total;
    items.push(...valid.items);
  }
  if (query.status !== 1) {
    const refused = await refusedPart(source, id, { begin, end, needle, offset: Math.max(0, query.offset - total), limit: limit - items.length });
    total += refused.total;
    items.push(...refused.items);
  }
  return { total, validCount: count - removed, invalidCount: Number(meta.invalidCount ?? 0), items };
}

async function validPart(
  source: DetailSource,
  id: number,
  markers: Markers,
  // Matches are counted over [lo, hi); rows start at `from` (lo ≤ from ≤ hi), then `offset` skips matches.
  q: { lo: number; hi: number; from: number; needle: string; offset: number; limit: number; anyRemoved: boolean },
): Promise<Part> {
  const key = source.keys.receiverEntries(id);
  if (q.needle === '' && !q.anyRemoved) {
    const from = q.from + q.offset;
    const to = Math.min(q.hi, from + q.limit);
    const raws = to > from ? await source.redis.lrange(key, from, to - 1) : [];
    return { total: Math.max(0, q.hi - q.lo), items: raws.map((raw, k) => validRow(markers, from + k, raw)) };
  }
  if (q.needle === '') {
    if (q.hi <= q.lo) return { total: 0, items: [] };
    const flat = (await source.redis.eval(READ_LIVE_PAGE, 2, key, source.keys.receiverRemoved(id), q.lo, q.hi, q.from, q.offset, q.limit)) as (
      | number
      | string
    )[];
    const items: ReceiverDetailRow[] = [];
    for (let k = 1; k + 1 < flat.length; k += 2) items.push(validRow(markers, Number(flat[k]), String(flat[k + 1])));
    return { total: Number(flat[0] ?? 0), items };
  }
  if (isValidEmail(q.needle)) {
    const index = await source.indexOf(q.needle);
    if (index === undefined || index < q.lo || index >= q.hi) return { total: 0, items: [] };
    const raw = q.offset === 0 && q.limit > 0 && index >= q.from ? await source.redis.lindex(key, index) : null;
    return { total: 1, items: raw === null ? [] : [validRow(markers, index, raw)] };
  }
  const items: ReceiverDetailRow[] = [];
  let total = 0;
  let fromOn = 0;
  for (let start = q.lo; start < q.hi; start += SCAN_PAGE) {
    const raws = await source.redis.lrange(key, start, Math.min(q.hi, start + SCAN_PAGE) - 1);
    raws.forEach((raw, k) => {
      if (raw === REMOVED_SLOT || !decodeEntry(raw).email.toLowerCase().includes(q.needle)) return;
      total++;
      if (start + k < q.from) return;
      if (fromOn >= q.offset && items.length < q.limit) items.push(validRow(markers, start + k, raw));
      fromOn++;
    });
  }
  return { total, items };
}

async function refusedPart(source: DetailSource, id: number, q: { begin: number; end: number; needle: string; offset: number; limit: number }): Promise<Part> {
  const key = source.keys.receiverInvalid(id);
  if (q.needle === '' && !Number.isFinite(q.begin) && !Number.isFinite(q.end)) {
    const total = await source.redis.llen(key);
    const raws = q.limit > 0 && q.offset < total ? await source.redis.lrange(key, q.offset, q.offset + q.limit - 1) : [];
    return { total, items: raws.map((raw) => refusedRow(raw, id)) };
  }
  const items: ReceiverDetailRow[] = [];
  let total = 0;
  for (let start = 0; ; start += SCAN_PAGE) {
    const raws = await source.redis.lrange(key, start, start + SCAN_PAGE - 1);
    for (const raw of raws) {
      const r = refusedRow(raw, id);
      if (r.createdAt < q.begin || r.createdAt > q.end || !r.email.toLowerCase().includes(q.needle)) continue;
      if (total >= q.offset && items.length < q.limit) items.push(r);
      total++;
    }
    if (raws.length < SCAN_PAGE) return { total, items };
  }
}
