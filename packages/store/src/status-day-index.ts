import type { MessageSpec, RecipientState } from '@postmill/core';
import { calendarDate, specRecipients } from '@postmill/core';
import { firstTrue } from './first-true.ts';
import type { Keys } from './keys.ts';
import type { RecipientStatusRow, StatusQuery } from './message-store.ts';
import type { RedisClient } from './redis-client.ts';
import { DAY_HEAD, DAY_PAGE, DISCARD_MESSAGE, INDEX_MESSAGE, MESSAGES_AT_RANKS, MESSAGES_FROM_ROW, RECIPIENT_PAGE } from './status-day-scripts.ts';

/** Ranks probed per round trip when looking for the day's first unexpired message. */
const PROBE_WIDTH = 16;
/** Days whose live head is remembered (the oldest queryable days; a few more after a clock change). */
const REMEMBERED_HEADS = 64;

/** What the index needs of a stored message: its metadata and recipient states (undefined meta: expired or unknown). */
export interface IndexedMessage {
  readonly meta: Pick<MessageSpec, 'messageId' | 'from' | 'to' | 'cc' | 'bcc' | 'acceptedAt' | 'subject'> | undefined;
  /** Recipient → state (the recipients' hash as one object: one JSON parse per message). */
  readonly states: Readonly<Record<string, RecipientState>>;
}

export interface StatusDayIndexOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Seconds every index key is kept after its last write (the status retention). */
  readonly ttlSeconds: number;
  /** Zone in which a message's calendar day is counted. */
  readonly timeZone: string;
  /** Reads one message (metadata and states); the index itself holds ids and row numbers only. */
  readonly readMessage: (messageId: string) => Promise<IndexedMessage>;
}

/** One row index of a day: the day's own (every message), or one tag's (the messages sent with it). */
interface RowIndex {
  /** ZSET messageId → its first row. */
  readonly rows: string;
  /** Rows handed out (counter). */
  readonly count: string;
  /** Tombstones (HASH messageId → "<first row>:<rows>"). */
  readonly discarded: string;
}

/** The day's rows as a page sees them: rows handed out, the first live row, and tombstones after it. */
interface DayView {
  readonly count: number;
  readonly liveStart: number;
  /** Discarded messages' row ranges at or after liveStart, by start. */
  readonly discarded: readonly { readonly start: number; readonly rows: number }[];
}

/**
 * The day index of SendEmail mail behind GetSendEmailStatus. Guarantees:
 * - every message of a day holds a contiguous range of row numbers, handed out atomically in the
 *   order messages are indexed (a day counter INCRBY and the ZADD in one script), so a page at any
 *   Offset is found with one ZREVRANGEBYSCORE: O(log n + page), whatever the filter; counts are the
 *   counter, never a recount;
 * - a discarded message leaves a tombstone: its rows are skipped and not counted (exact). Every
 *   page by date reads the day's tombstones (one per SendEmail whose intake write failed after
 *   acceptance, so normally none);
 * - messages whose keys expired (the start of the oldest queryable day) are skipped and not
 *   counted: found by a search over the index (about log_17 n round trips) when the first live
 *   message the store knows of for that day (the day's first, or the one a search found before)
 *   turns out expired, which every page checks alongside its reads;
 * - every key carries `{d:<date>}` (one slot) and expires with the status retention.
 */
export class StatusDayIndex {
  /**
   * Per day whose first messages expired: the first message found live then (its id and first row).
   * Only where a page starts looking: every page checks that this message still exists, alongside
   * its reads, and searches on from it when it does not (expiry only grows the expired prefix).
   */
  private readonly liveHeads = new Map<string, { readonly id: string; readonly row: number }>();

  constructor(private readonly o: StatusDayIndexOptions) {}

  /** Indexes an accepted message under its day; indexing it again changes nothing. */
  async add(spec: MessageSpec): Promise<void> {
    const { keys, args } = this.scriptInput(spec);
    await INDEX_MESSAGE.run(this.o.redis, keys, args);
  }

  /** Removes a message from its day's pages and counts (a tombstone; exact), also if it was never indexed. */
  async discard(spec: MessageSpec): Promise<void> {
    const { keys, args } = this.scriptInput(spec);
    await DISCARD_MESSAGE.run(this.o.redis, keys, args);
  }

  /** How many rows `query` lists without offset and limit. */
  async count(q: Omit<StatusQuery, 'offset' | 'limit'>): Promise<number> {
    if (q.messageId !== undefined) return (await this.messageRows(q.date, q.messageId, q.recipient)).length;
    const view = await this.view(this.dayIndex(q.date));
    if (q.recipient !== undefined) return (await this.recipientPage(q.date, q.recipient, view.liveStart, 0, 0)).live;
    return view.count - view.liveStart - view.discarded.reduce((sum, d) => sum + d.rows, 0);
  }

  /**
   * Rows for GetSendEmailStatus, in index order then recipient order; reads only the page. A page by
   * date or recipient takes two round trips: one script on the day's slot finds the page, then one
   * command per message of the page (each its own slot), sent together with the check that the
   * day's first message has not expired (a third round, and a second page read, only when it has).
   */
  async query(q: StatusQuery): Promise<RecipientStatusRow[]> {
    if (q.limit <= 0) return [];
    if (q.messageId !== undefined) return (await this.messageRows(q.date, q.messageId, q.recipient)).slice(q.offset, q.offset + q.limit);
    if (q.recipient !== undefined) return this.recipientRows(q.date, q.recipient, q.offset, q.limit);
    return this.dayRows(this.dayIndex(q.date), q.offset, q.limit);
  }

  /**
   * How many rows the day's messages sent with `tag` hold: exact (the tag's own row counter, its
   * tombstones and expired messages left out, as `count` does for the day), O(1) commands but for
   * the search of expired messages on the oldest day. Messages indexed before tags were indexed are
   * in no tag's rows.
   */
  async countTagged(date: string, tag: string): Promise<number> {
    const view = await this.view(this.tagIndex(date, tag));
    return view.count - view.liveStart - view.discarded.reduce((sum, d) => sum + d.rows, 0);
  }

  /** A page of the day's rows of messages sent with `tag`, in index order then recipient order: O(log n + page), as a page by date. */
  async queryTagged(date: string, tag: string, offset: number, limit: number): Promise<RecipientStatusRow[]> {
    if (limit <= 0) return [];
    return this.dayRows(this.tagIndex(date, tag), offset, limit);
  }

  private dayIndex(date: string): RowIndex {
    const { keys } = this.o;
    return { rows: keys.statusDayRows(date), count: keys.statusDayRowCount(date), discarded: keys.statusDayDiscarded(date) };
  }

  private tagIndex(date: string, tag: string): RowIndex {
    const { keys } = this.o;
    return { rows: keys.statusDayTagRows(date, tag), count: keys.statusDayTagRowCount(date, tag), discarded: keys.statusDayTagDiscarded(date, tag) };
  }

  private scriptInput(spec: MessageSpec): { keys: string[]; args: string[] } {
    const { keys } = this.o;
    const date = calendarDate(spec.acceptedAt, this.o.timeZone);
    const recipients = specRecipients(spec);
    // Recipients that differ only in case share one per-recipient key (the filter ignores case).
    const positions = new Map<string, number[]>();
    recipients.forEach((r, pos) => {
      const key = keys.statusDayRecipientRows(date, r);
      positions.set(key, [...(positions.get(key) ?? []), pos]);
    });
    const tagKeys =
      spec.tag === undefined
        ? []
        : [keys.statusDayTagRows(date, spec.tag), keys.statusDayTagRowCount(date, spec.tag), keys.statusDayTagDiscarded(date, spec.tag)];
    return {
      keys: [keys.statusDayRows(date), keys.statusDayRowCount(date), keys.statusDayDiscarded(date), ...tagKeys, ...positions.keys()],
      args: [String(this.o.ttlSeconds), spec.messageId, String(recipients.length), String(tagKeys.length), ...[...positions.values()].map((p) => p.join(','))],
    };
  }

  /** Rows handed out, the first row of the first unexpired message, and the tombstones after it. */
  private async view(ix: RowIndex): Promise<DayView> {
    const { redis } = this.o;
    const dayKeys = [ix.rows, ix.count, ix.discarded];
    const [count, indexed, firstId, firstStart, ...dead] = (await DAY_HEAD.run(redis, dayKeys, [])) as [number, number, string, string, ...string[]];
    let liveStart = count;
    if (indexed > 0) {
      const head = this.assumedHead(ix, firstId, Number(firstStart));
      liveStart = (await this.headExpired(head.id)) ? await this.searchLiveStart(ix, indexed, count) : head.row;
    }
    const discarded = dead
      .filter((d) => d !== '')
      .map((d) => {
        const [start, rows] = d.split(':');
        return { start: Number(start), rows: Number(rows) };
      })
      .filter((d) => d.start >= liveStart)
      .sort((a, b) => a.start - b.start);
    return { count, liveStart, discarded };
  }

  /**
   * The first row of the first message whose keys still exist (count when none does), once the head
   * a page assumed (assumedHead) turned out expired: searched from that head on, and remembered.
   */
  private async searchLiveStart(ix: RowIndex, indexed: number, count: number): Promise<number> {
    const { redis, keys } = this.o;
    const rowsKey = ix.rows;
    const known = this.liveHeads.get(rowsKey);
    // Every message before the remembered head expired (it was the first live one); a head no
    // longer indexed (discarded since) gives no such start.
    const from = known ? ((await redis.zrank(rowsKey, known.id)) ?? 0) : 0;
    const found = new Map<number, { id: string; row: number }>();
    const rank =
      from +
      (await firstTrue(Math.max(0, indexed - from), PROBE_WIDTH, async (offsets) => {
        const ranks = offsets.map((k) => from + k);
        const flat = (await MESSAGES_AT_RANKS.run(redis, [rowsKey], ranks)) as string[];
        return Promise.all(
          ranks.map(async (r, i) => {
            const id = flat[2 * i] ?? '';
            found.set(r, { id, row: Number(flat[2 * i + 1]) });
            // A rank past the end (the index shrank meanwhile) reads as live: the search ends there.
            return id === '' || (await redis.exists(keys.messageSpec(id))) === 1;
          }),
        );
      }));
    const head = found.get(rank);
    if (rank >= indexed || !head || head.id === '') {
      this.liveHeads.delete(rowsKey);
      return count;
    }
    this.liveHeads.delete(rowsKey); // re-inserted last: the map drops the least recently searched day
    this.liveHeads.set(rowsKey, head);
    if (this.liveHeads.size > REMEMBERED_HEADS) this.liveHeads.delete(this.liveHeads.keys().next().value as string);
    return head.row;
  }

  /** The message a page assumes to be the day's first live one: the remembered head, else the day's first message. */
  private assumedHead(ix: RowIndex, firstId: string, firstRow: number): { id: string; row: number } {
    return this.liveHeads.get(ix.rows) ?? { id: firstId, row: firstRow };
  }

  /**
   * Whether the message a page assumed to be the day's first live one expired. Messages expire in
   * the order they were indexed (same retention), so the expired ones are a prefix of the index:
   * usually empty, which this shows.
   */
  private async headExpired(headId: string): Promise<boolean> {
    return headId !== '' && (await this.o.redis.exists(this.o.keys.messageSpec(headId))) === 0;
  }

  /**
   * A page by date. `liveStart` undefined: assume the head (assumedHead) is the first live message
   * and check that alongside the page's reads; when it is not, read the page again from the first
   * live row.
   */
  private async dayRows(ix: RowIndex, offset: number, limit: number, liveStart?: number): Promise<RecipientStatusRow[]> {
    const { redis } = this.o;
    const dayKeys = [ix.rows, ix.count, ix.discarded];
    const known = liveStart === undefined ? this.liveHeads.get(ix.rows) : undefined;
    const [count, indexed, firstId, row, ...flat] = (await DAY_PAGE.run(redis, dayKeys, [offset, limit, liveStart ?? known?.row ?? ''])) as [
      number,
      number,
      string,
      number,
      ...string[],
    ];
    let found = messagesOf(flat);
    // An empty page stays empty from any later first live row: no check then.
    const check = liveStart === undefined && found.length > 0;
    const [expired, first] = await Promise.all([check && this.headExpired(known?.id ?? firstId), Promise.all(found.map((f) => this.o.readMessage(f.id)))]);
    if (expired) return this.dayRows(ix, offset, limit, await this.searchLiveStart(ix, indexed, count));
    let messages = first;
    const rows: RecipientStatusRow[] = [];
    let from = Math.max(0, row - (found[0]?.start ?? row)); // rows of the first message before the page
    let want = limit;
    // One round unless a message of the page expired meanwhile, or the page runs into a tombstone
    // or the end of the day: then it continues after the last message read.
    for (let continuing = false; ; continuing = true) {
      for (let i = 0; i < found.length; i++) {
        pushStatusRows(rows, (found[i] as { id: string }).id, messages[i] as IndexedMessage, { fromPosition: from, limit });
        from = 0;
      }
      const last = found[found.length - 1];
      if (rows.length >= limit || !last || (continuing && found.length < want)) return rows; // full, or the day has no more messages
      want = limit - rows.length;
      found = messagesOf((await MESSAGES_FROM_ROW.run(redis, [ix.rows], [last.start, want, '1'])) as string[]);
      messages = await Promise.all(found.map((f) => this.o.readMessage(f.id)));
    }
  }

  private async recipientPage(
    date: string,
    recipient: string,
    liveStart: number | undefined,
    offset: number,
    limit: number,
  ): Promise<{ live: number; firstId: string; members: string[] }> {
    const { keys } = this.o;
    const [live, firstId, ...members] = (await RECIPIENT_PAGE.run(
      this.o.redis,
      [keys.statusDayRecipientRows(date, recipient), keys.statusDayRows(date)],
      [liveStart ?? '', offset, limit],
    )) as [number, string, ...string[]];
    return { live, firstId, members };
  }

  /** A page of one recipient's rows; `liveStart` as in dayRows. */
  private async recipientRows(date: string, recipient: string, offset: number, limit: number, liveStart?: number): Promise<RecipientStatusRow[]> {
    const known = liveStart === undefined ? this.liveHeads.get(this.o.keys.statusDayRows(date)) : undefined;
    const { firstId, members } = await this.recipientPage(date, recipient, liveStart ?? known?.row, offset, limit);
    const refs = members.map((m) => {
      const colon = m.indexOf(':');
      return { position: Number(m.slice(0, colon)), id: m.slice(colon + 1) };
    });
    const check = liveStart === undefined && refs.length > 0;
    const [expired, messages] = await Promise.all([check && this.headExpired(known?.id ?? firstId), Promise.all(refs.map((r) => this.o.readMessage(r.id)))]);
    if (expired) return this.recipientRows(date, recipient, offset, limit, (await this.view(this.dayIndex(date))).liveStart);
    const rows: RecipientStatusRow[] = [];
    for (let i = 0; i < refs.length; i++) {
      const r = refs[i] as { position: number; id: string };
      pushStatusRows(rows, r.id, messages[i] as IndexedMessage, { fromPosition: r.position, toPosition: r.position + 1 });
    }
    return rows;
  }

  /** The rows of one message of the day (none when it is not in the day's index or expired). */
  private async messageRows(date: string, messageId: string, recipient: string | undefined): Promise<RecipientStatusRow[]> {
    // Both sent at once (one round trip); the message read is wasted only for an id not of this day.
    const [indexed, message] = await Promise.all([this.o.redis.zscore(this.o.keys.statusDayRows(date), messageId), this.o.readMessage(messageId)]);
    if (indexed === null) return [];
    return statusRowsOf(messageId, message, recipient);
  }
}

/** A message's rows in recipient order, optionally those of one recipient (any case). */
export function statusRowsOf(messageId: string, m: IndexedMessage, recipient: string | undefined): RecipientStatusRow[] {
  const rows: RecipientStatusRow[] = [];
  pushStatusRows(rows, messageId, m, recipient === undefined ? {} : { recipient });
  return rows;
}

/**
 * Appends a message's rows to `rows` in recipient order (positions as in specRecipients): those at
 * positions [fromPosition, toPosition), optionally only one recipient's (any case), until `rows`
 * holds `limit`. Written as one loop: a page calls it for every message it shows.
 */
function pushStatusRows(
  rows: RecipientStatusRow[],
  messageId: string,
  m: IndexedMessage,
  o: { readonly fromPosition?: number; readonly toPosition?: number; readonly recipient?: string; readonly limit?: number },
): void {
  const { meta, states } = m;
  if (!meta) return;
  const recipients = specRecipients(meta);
  const wanted = o.recipient?.toLowerCase();
  const end = Math.min(recipients.length, o.toPosition ?? recipients.length);
  const limit = o.limit ?? Number.POSITIVE_INFINITY;
  for (let position = o.fromPosition ?? 0; position < end && rows.length < limit; position++) {
    const r = recipients[position] as string;
    const state = Object.hasOwn(states, r) ? states[r] : undefined;
    if (!state || (wanted !== undefined && r.toLowerCase() !== wanted)) continue;
    rows.push({ messageId, from: meta.from.address, recipient: r, subject: meta.subject, acceptedAt: meta.acceptedAt, state });
  }
}

/** [id, first row, ...] as the day scripts answer it. */
function messagesOf(flat: readonly string[]): { id: string; start: number }[] {
  const found: { id: string; start: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) found.push({ id: flat[i] as string, start: Number(flat[i + 1]) });
  return found;
}

/** What a StatusDayIndex outside a MessageStore reads messages through (a MessageStore has both). */
export interface StatusMessageSource {
  getMeta(messageId: string): Promise<IndexedMessage['meta']>;
  getRecipients(messageId: string): Promise<ReadonlyMap<string, RecipientState>>;
}

/** A StatusDayIndex `readMessage` over a message source: its metadata and states, read at once (two commands, one round trip). */
export function statusMessageReader(source: StatusMessageSource): (messageId: string) => Promise<IndexedMessage> {
  return async (messageId) => {
    const [meta, states] = await Promise.all([source.getMeta(messageId), source.getRecipients(messageId)]);
    return { meta, states: Object.fromEntries(states) };
  };
}
