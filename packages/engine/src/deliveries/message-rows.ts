import type { MessageStore, RecipientStatusRow, StatusDayIndex } from '@postmill/store';

/** Rows read per command when a recipient and a tag narrow a day together. */
const RECIPIENT_BATCH = 100;

interface Deps {
  readonly messages: MessageStore;
  /** The day index read per tag (StatusDayIndex.countTagged / queryTagged). */
  readonly tagged: StatusDayIndex;
}

/** A day's single-message query (the engine validated it). */
export interface MessageDayQuery {
  readonly date: string;
  readonly messageId?: string | undefined;
  readonly recipient?: string | undefined;
  readonly tag?: string | undefined;
}

/**
 * Every row of one recipient on the day that belongs to mail sent with `tag`: the recipient's rows
 * of the day (RECIPIENT_BATCH per command) narrowed by each message's tag (one metadata read per
 * message). A recipient gets few mails a day, so this reads little; neither index holds the pair.
 */
async function recipientTagRows(deps: Deps, date: string, recipient: string, tag: string): Promise<RecipientStatusRow[]> {
  const rows: RecipientStatusRow[] = [];
  for (let offset = 0; ; offset += RECIPIENT_BATCH) {
    const batch = await deps.messages.queryStatus({ date, recipient, offset, limit: RECIPIENT_BATCH });
    const tags = new Map(
      await Promise.all([...new Set(batch.map((r) => r.messageId))].map(async (id) => [id, (await deps.messages.getMeta(id))?.tag] as const)),
    );
    for (const r of batch) if (tags.get(r.messageId) === tag) rows.push(r);
    if (batch.length < RECIPIENT_BATCH) return rows;
  }
}

/** A page of the day's single-message rows with the query's filters: the message store's day index, or the tag's (exact either way). */
export async function messageDayRows(deps: Deps, q: MessageDayQuery & { offset: number; limit: number }): Promise<RecipientStatusRow[]> {
  if (q.tag === undefined) {
    return deps.messages.queryStatus({
      date: q.date,
      offset: q.offset,
      limit: q.limit,
      ...(q.messageId === undefined ? {} : { messageId: q.messageId }),
      ...(q.recipient === undefined ? {} : { recipient: q.recipient }),
    });
  }
  if (q.messageId !== undefined) {
    const meta = await deps.messages.getMeta(q.messageId);
    if (meta?.tag !== q.tag) return [];
    return deps.messages.queryStatus({
      date: q.date,
      messageId: q.messageId,
      offset: q.offset,
      limit: q.limit,
      ...(q.recipient === undefined ? {} : { recipient: q.recipient }),
    });
  }
  if (q.recipient !== undefined) return (await recipientTagRows(deps, q.date, q.recipient, q.tag)).slice(q.offset, q.offset + q.limit);
  return deps.tagged.queryTagged(q.date, q.tag, q.offset, q.limit);
}

/** How many rows messageDayRows lists without offset and limit: counters, but for a recipient and a tag together (recipientTagRows). */
export async function messageDayCount(deps: Deps, q: MessageDayQuery): Promise<number> {
  if (q.tag === undefined) {
    return deps.messages.countStatus({
      date: q.date,
      ...(q.messageId === undefined ? {} : { messageId: q.messageId }),
      ...(q.recipient === undefined ? {} : { recipient: q.recipient }),
    });
  }
  if (q.messageId !== undefined) return (await messageDayRows(deps, { ...q, offset: 0, limit: Number.MAX_SAFE_INTEGER })).length;
  if (q.recipient !== undefined) return (await recipientTagRows(deps, q.date, q.recipient, q.tag)).length;
  return deps.tagged.countTagged(q.date, q.tag);
}
