import { type MessageSpec, newMessageId } from '@postmill/core';
import type { MessageStore } from '@postmill/store';
import type { IdList } from './packed-ids.ts';

/** The recipient every 20th message also goes to (for ToEmailAddress pages deep into the day). */
export const WATCHED = 'watched@example.org';
/** One message in WATCHED_EVERY is also addressed to WATCHED. */
export const WATCHED_EVERY = 20;
/** Distinct other addresses the messages go to. */
const POOL = 200_000;

/** A 32-bit mix of `i` (deterministic: the same message gets the same recipients in the fill and the checks). */
function mix(i: number): number {
  let x = (i + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Recipients of message `i`: 1 (60 %), 2 (30 %) or 3 (10 %) from the pool, WATCHED last on every 20th. */
export function recipientsOf(i: number): string[] {
  const h = mix(i);
  const share = h % 10;
  const count = share < 6 ? 1 : share < 9 ? 2 : 3;
  const out: string[] = [];
  for (let k = 0; k < count; k++) out.push(`user${mix(i * 3 + k + 1) % POOL}@example.org`);
  if (i % WATCHED_EVERY === 0) out.push(WATCHED);
  return [...new Set(out)];
}

/** The day as filled: ids in index order and where each message's rows start. */
export interface FilledDay {
  readonly ids: IdList;
  /** firstRow[i] is message i's first row; firstRow[n] the day's row count. */
  readonly firstRow: Float64Array;
  readonly acceptedAt: number;
}

/** The expected [messageId, recipient] rows [offset, offset + limit) of the whole day. */
export function expectedDayRows(day: FilledDay, offset: number, limit: number): [string, string][] {
  const n = day.ids.length;
  let lo = 0;
  let hi = n; // the message holding row `offset`: the last i with firstRow[i] ≤ offset
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((day.firstRow[mid] as number) <= offset) lo = mid;
    else hi = mid;
  }
  const rows: [string, string][] = [];
  for (let i = lo; i < n && rows.length < limit; i++) {
    const skip = Math.max(0, offset - (day.firstRow[i] as number));
    for (const r of recipientsOf(i).slice(skip)) if (rows.length < limit) rows.push([day.ids.at(i) as string, r]);
  }
  return rows;
}

/** The expected rows of WATCHED [offset, offset + limit): one per 20th message. */
export function expectedWatchedRows(day: FilledDay, offset: number, limit: number): [string, string][] {
  const rows: [string, string][] = [];
  for (let k = offset; k < offset + limit; k++) {
    const id = day.ids.at(k * WATCHED_EVERY);
    if (id === undefined) break;
    rows.push([id, WATCHED]);
  }
  return rows;
}

/** Rows of WATCHED in a day of `messages` messages. */
export const watchedRows = (messages: number) => Math.ceil(messages / WATCHED_EVERY);

/**
 * Writes `messages` SendEmail messages under one day straight through MessageStore.accept (its two
 * scripts per message, `inFlight` messages at a time: the client pipelines them), the first alone
 * so the scripts are loaded and the index order is the order of the calls.
 */
export async function fillDay(
  store: MessageStore,
  o: { messages: number; acceptedAt: number; inFlight?: number; progress?: (done: number) => void },
): Promise<FilledDay> {
  const inFlight = o.inFlight ?? 2000;
  const ids: string[] = [];
  const firstRow = new Float64Array(o.messages + 1);
  const spec = (i: number): MessageSpec => {
    const id = newMessageId(o.acceptedAt);
    ids.push(id);
    const to = recipientsOf(i);
    firstRow[i + 1] = (firstRow[i] as number) + to.length;
    return {
      messageId: id,
      acceptedAt: o.acceptedAt,
      from: { address: 'news@mail.example.com', name: 'News' },
      to,
      cc: [],
      bcc: [],
      subject: 'Status bench',
      html: '<p>Hello</p>',
      attachments: [],
      headers: {},
      unsubscribe: '0',
      triggerType: 1,
    };
  };
  await store.accept(spec(0));
  for (let i = 1; i < o.messages; i += inFlight) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(o.messages, i + inFlight); j++) batch.push(store.accept(spec(j)));
    await Promise.all(batch);
    o.progress?.(Math.min(o.messages, i + inFlight));
  }
  return { ids, firstRow, acceptedAt: o.acceptedAt };
}
