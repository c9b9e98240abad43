import { calendarDate, EngineError, isCalendarDate, parseCampaignMessageId } from '@postmill/core';
import { type RecipientStatusRow, RunDayIndex, StatusDayIndex, statusMessageReader } from '@postmill/store';
import type { DeliveryOperations, DeliveryRow } from '../delivery-operations.ts';
import type { EngineDeps } from '../engine-deps.ts';
import { type CampaignRow, campaignDayCount, campaignDayRows, campaignMessageRows, campaignRunRows } from './campaign-rows.ts';
import { messageDayCount, messageDayRows } from './message-rows.ts';
import { unsubscribedRows } from './unsubscribed.ts';

const DAY_MS = 86_400_000;

/** A page size the deployment allows (`limit-exceeded`, `page-size`, above `maxPageLimit`). */
function checkLimit(limit: number, max: number): void {
  if (limit > max) throw new EngineError('limit-exceeded', (f) => `${f('limit')} may be at most ${max}.`, { context: { limit: 'page-size', max } });
}

/** `invalid-date` (`format`) unless a date as YYYY-MM-DD. */
function checkDate(date: string): void {
  if (!isCalendarDate(date))
    throw new EngineError('invalid-date', (f) => `${f('date')} must be a date as YYYY-MM-DD.`, { context: { field: 'date', problem: 'format' } });
}

/**
 * Delivery status over the message store's day index and the campaign run index (see
 * DeliveryOperations). Guarantees: a day page reads single messages first and campaign mail only
 * when the page is not full, and counts the day's single-message rows (a counter, one command) only
 * then, to shift the campaign Offset; every refusal is checked before the first read.
 */
export function deliveryOperations(deps: EngineDeps): DeliveryOperations {
  // Stateless: holds the connection and key names only.
  const runDays = new RunDayIndex({ redis: deps.redis, keys: deps.keys, retentionDays: deps.limits.statusRetentionDays });
  const campaignDeps = { tasks: deps.tasks, receivers: deps.receivers, runDays };
  // Reads the day indexes per tag that the message store writes (it never writes through this one).
  const tagged = new StatusDayIndex({
    redis: deps.redis,
    keys: deps.keys,
    ttlSeconds: Math.max(1, Math.round(deps.limits.statusRetentionDays * 86_400)),
    timeZone: deps.timeZone,
    readMessage: statusMessageReader(deps.messages),
  });
  const messageDeps = { messages: deps.messages, tagged };

  async function withUnsubscribed(
    rows: readonly (CampaignRow | RecipientStatusRow)[],
    source: (i: number) => DeliveryRow['source'],
    read: boolean | undefined,
  ) {
    const unsubscribed = read === true && rows.length > 0 ? await unsubscribedRows(deps.suppressions, rows) : undefined;
    const out: DeliveryRow[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as RecipientStatusRow;
      out[i] = {
        source: source(i),
        messageId: r.messageId,
        from: r.from,
        recipient: r.recipient,
        subject: r.subject,
        acceptedAt: r.acceptedAt,
        state: r.state,
        unsubscribed: unsubscribed?.[i],
      };
    }
    return out;
  }

  /**
   * `invalid-date` (`retention`) for a day after today or before the oldest kept. Today, the day
   * most pages ask for, is inside by definition: the oldest day is only worked out for other days
   * (each date costs a formatting of its own, as the two would evict each other from
   * calendarDate's one-entry memo on every page).
   */
  function checkRetention(date: string): void {
    const now = deps.clock.now();
    const today = calendarDate(now, deps.timeZone);
    if (date === today) return;
    const days = deps.limits.statusRetentionDays;
    const oldest = calendarDate(now - days * DAY_MS, deps.timeZone);
    if (date > today || date < oldest) {
      throw new EngineError('invalid-date', `Only the last ${days} days (${oldest} to ${today}) can be queried.`, {
        context: { field: 'date', problem: 'retention' },
      });
    }
  }

  return {
    async byDate(q) {
      checkDate(q.date);
      checkLimit(q.limit, deps.limits.maxPageLimit);
      checkRetention(q.date);
      const filter = { date: q.date, messageId: q.messageId, recipient: q.recipient, tag: q.tag };
      const campaignId = q.messageId === undefined ? undefined : parseCampaignMessageId(q.messageId);
      const wantsMessages = q.source !== 'campaign' && campaignId === undefined && q.taskId === undefined;
      const wantsCampaign = q.source !== 'message' && (campaignId !== undefined || q.messageId === undefined);
      let rows: (RecipientStatusRow | CampaignRow)[] = [];
      let campaignOffset = q.offset;
      if (wantsMessages) {
        rows = await messageDayRows(messageDeps, { ...filter, offset: q.offset, limit: q.limit });
        // Counted only when campaign rows may follow (a full page or a single MessageId needs none).
        if (rows.length < q.limit && wantsCampaign) campaignOffset = Math.max(0, q.offset - (await messageDayCount(messageDeps, filter)));
      }
      const messageRows = rows.length;
      if (rows.length < q.limit && wantsCampaign) {
        const more = await campaignDayRows(campaignDeps, { ...filter, taskId: q.taskId, offset: campaignOffset, limit: q.limit - rows.length });
        if (more.length > 0) rows = rows.length === 0 ? more : [...rows, ...more];
      }
      return withUnsubscribed(rows, (i) => (i < messageRows ? 'message' : 'campaign'), q.withUnsubscribed);
    },

    async countByDate(q) {
      checkDate(q.date);
      checkRetention(q.date);
      const [single, campaign] = await Promise.all([messageDayCount(messageDeps, q), campaignDayCount(campaignDeps, q)]);
      return single + campaign;
    },

    async byMessage(q) {
      const campaign = parseCampaignMessageId(q.messageId) !== undefined;
      const rows = campaign ? await campaignMessageRows(campaignDeps, q.messageId, q.recipient) : await deps.messages.queryMessage(q.messageId, q.recipient);
      return withUnsubscribed(rows, () => (campaign ? 'campaign' : 'message'), q.withUnsubscribed);
    },

    async byRun(q) {
      checkLimit(q.limit, deps.limits.maxPageLimit);
      const page = await campaignRunRows(campaignDeps, q);
      if (!page) throw new EngineError('task-not-found', `Task ${q.taskId} does not exist.`, { context: { taskId: q.taskId } });
      return { total: page.total, rows: await withUnsubscribed(page.rows, () => 'campaign', q.withUnsubscribed) };
    },
  };
}
