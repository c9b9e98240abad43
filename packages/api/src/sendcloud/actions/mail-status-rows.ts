import { calendarDate, normalizeEmail, parseCampaignMessageId } from '@postmill/core';
import type { DeliveryRow } from '@postmill/engine';
import type { SendCloudActionContext } from '../action.ts';
import { parseEmailId } from './mail-email-id.ts';

const DAY_MS = 86_400_000;

/** One row of data/emailStatus before rendering. */
export interface StatusRow {
  readonly row: DeliveryRow;
  /**
   * The emailId's index: a single message's recipient's position in it (to, then cc, then bcc); 0
   * for campaign mail, whose MessageId (`pm-task-<task>-<run>-<index>`) names one recipient.
   */
  readonly index: number;
  /** The label (engine tag) the mail was sent with. */
  readonly tag: string | undefined;
}

/**
 * Index and tag of each row: one message metadata read per single message of the rows, one task
 * read per campaign task of the rows (O(page)).
 */
export async function describeRows(rows: readonly DeliveryRow[], ctx: SendCloudActionContext): Promise<StatusRow[]> {
  const messageIds = new Set<string>();
  const taskIds = new Set<number>();
  for (const r of rows) {
    const campaign = r.source === 'campaign' ? parseCampaignMessageId(r.messageId) : undefined;
    if (campaign) taskIds.add(campaign.taskId);
    else messageIds.add(r.messageId);
  }
  const [metas, tasks] = await Promise.all([
    Promise.all([...messageIds].map(async (id) => [id, await ctx.deps.messages.getMeta(id)] as const)).then((e) => new Map(e)),
    Promise.all([...taskIds].map(async (id) => [id, await ctx.deps.tasks.get(id)] as const)).then((e) => new Map(e)),
  ]);
  return rows.map((row) => {
    const campaign = row.source === 'campaign' ? parseCampaignMessageId(row.messageId) : undefined;
    if (campaign) return { row, index: 0, tag: tasks.get(campaign.taskId)?.spec.tag };
    const meta = metas.get(row.messageId);
    const all = meta ? [...meta.to, ...meta.cc, ...meta.bcc].map(normalizeEmail) : [];
    return { row, index: Math.max(0, all.indexOf(normalizeEmail(row.recipient))), tag: meta?.tag };
  });
}

/**
 * Rows of the given emailIds that still exist, in the order given, each once (an id Postmill did
 * not make, or expired, is left out): one engine byMessage per emailId, which reads one recipient
 * of a single message or of a campaign run.
 */
export async function rowsOfEmailIds(emailIds: readonly string[], ctx: SendCloudActionContext): Promise<StatusRow[]> {
  const seen = new Set<string>();
  const parts = emailIds
    .map(parseEmailId)
    .filter((p) => p !== undefined)
    .filter((p) => {
      const key = `${p.messageId}$${p.recipient}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const found = await Promise.all(parts.map((p) => ctx.deps.engine.deliveries.byMessage({ messageId: p.messageId, recipient: p.recipient })));
  const rows: DeliveryRow[] = [];
  const indexes: number[] = [];
  for (const [i, p] of parts.entries()) {
    const row = found[i]?.[0];
    if (!row) continue;
    rows.push(row);
    indexes.push(p.index);
  }
  // The index is the emailId's own (what the send answered); the tag comes from the mail.
  return (await describeRows(rows, ctx)).map((r, i) => ({ ...r, index: indexes[i] ?? r.index }));
}

/** True when `date` is within the engine's status retention (today and statusRetentionDays before), the days deliveries.byDate reads. */
function isRetained(date: string, ctx: SendCloudActionContext): boolean {
  const now = ctx.deps.clock.now();
  const today = calendarDate(now, ctx.deps.timeZone);
  return date <= today && date >= calendarDate(now - ctx.deps.limits.statusRetentionDays * DAY_MS, ctx.deps.timeZone);
}

/**
 * One page of the rows of the days in `dates` (oldest day first; in a day single mail then
 * campaign mail), optionally of one recipient and/or one label (engine tag), and the exact number
 * of rows of those days with those filters. Reads each retained day's count (the engine's
 * deliveries.countByDate: counters, and a walk of the day's runs with a filter) and then only the
 * days the page falls on, through the engine's day pages (deliveries.byDate, at most
 * `limits.maxPageLimit` rows a call): O(days + runs of the window + page) without a recipient.
 */
export async function rowsOfDays(
  dates: readonly string[],
  filter: { recipient: string | undefined; tag: string | undefined },
  page: { start: number; limit: number },
  ctx: SendCloudActionContext,
): Promise<{ total: number; rows: DeliveryRow[] }> {
  const { recipient, tag } = filter;
  const narrow = { ...(recipient === undefined ? {} : { recipient }), ...(tag === undefined ? {} : { tag }) };
  const days = dates.filter((d) => isRetained(d, ctx));
  const counts = await Promise.all(days.map((date) => ctx.deps.engine.deliveries.countByDate({ date, ...narrow })));
  const total = counts.reduce((a, b) => a + b, 0);
  const rows: DeliveryRow[] = [];
  let skip = page.start;
  for (let i = 0; i < days.length && rows.length < page.limit; i++) {
    const count = counts[i] ?? 0;
    if (skip >= count) {
      skip -= count;
      continue;
    }
    for (let offset = skip; offset < count && rows.length < page.limit; ) {
      const limit = Math.min(page.limit - rows.length, ctx.deps.limits.maxPageLimit);
      const more = await ctx.deps.engine.deliveries.byDate({
        date: days[i] as string,
        offset,
        limit,
        ...narrow,
      });
      rows.push(...more);
      offset += more.length;
      if (more.length < limit) break;
    }
    skip = 0;
  }
  return { total, rows };
}
