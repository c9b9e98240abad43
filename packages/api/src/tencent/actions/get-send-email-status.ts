import { calendarDate, EngineError, isCalendarDate, parseCampaignMessageId, type RecipientState } from '@postmill/core';
import { RunDayIndex, type SuppressionStore } from '@postmill/store';
import { z } from 'zod';
import { defineAction } from '../action.ts';
import { campaignStatusRows } from '../campaign-status.ts';
import { toTencentStatus } from '../send-status.ts';

const uint = z.number().int().nonnegative();

/**
 * GetSendEmailStatus: per-recipient SendStatus/DeliverStatus for messages accepted on one day
 * (`RequestDate`, in the configured time zone), optionally one MessageId and/or one recipient.
 * Guarantees: the state shown is the ledger's at the moment of the call (queued, deferred,
 * delivered, failed), with Tencent's codes (reference §3.0). SendEmail mail is listed first, then
 * campaign mail (BatchSendEmail runs started that day, MessageIds `pm-task-<task>-<run>-<index>`).
 * Every filter and Offset costs O(log n + page): both sources find the page through their day
 * indexes, and the SendEmail row count that shifts the campaign Offset is a counter.
 */
export const getSendEmailStatus = defineAction({
  name: 'GetSendEmailStatus',
  input: z.strictObject({
    RequestDate: z.string(),
    Offset: uint,
    Limit: uint,
    MessageId: z.string().optional(),
    ToEmailAddress: z.string().optional(),
  }),
  async handle(input, { deps }) {
    if (!isCalendarDate(input.RequestDate))
      throw new EngineError('invalid-date', (f) => `${f('date')} must be a date as YYYY-MM-DD.`, { context: { field: 'date', problem: 'format' } });
    if (input.Limit > deps.limits.maxPageLimit) {
      throw new EngineError('limit-exceeded', (f) => `${f('limit')} may be at most ${deps.limits.maxPageLimit}.`, {
        context: { limit: 'page-size', max: deps.limits.maxPageLimit },
      });
    }
    const today = calendarDate(deps.clock.now(), deps.timeZone);
    const oldest = calendarDate(deps.clock.now() - deps.limits.statusRetentionDays * 86_400_000, deps.timeZone);
    if (input.RequestDate > today || input.RequestDate < oldest) {
      throw new EngineError('invalid-date', `Only the last ${deps.limits.statusRetentionDays} days (${oldest} to ${today}) can be queried.`, {
        context: { field: 'date', problem: 'retention' },
      });
    }
    const filter = {
      date: input.RequestDate,
      ...(input.MessageId ? { messageId: input.MessageId } : {}),
      ...(input.ToEmailAddress ? { recipient: input.ToEmailAddress.trim() } : {}),
    };
    const campaignId = input.MessageId ? parseCampaignMessageId(input.MessageId) : undefined;
    const rows: { messageId: string; from: string; recipient: string; acceptedAt: number; state: RecipientState }[] = [];
    let campaignOffset = input.Offset;
    const wantsCampaign = campaignId !== undefined || !input.MessageId;
    if (!campaignId) {
      rows.push(...(await deps.messages.queryStatus({ ...filter, offset: input.Offset, limit: input.Limit })));
      // Counted only when campaign rows may follow (a full page or a SendEmail MessageId needs none).
      if (rows.length < input.Limit && wantsCampaign) campaignOffset = Math.max(0, input.Offset - (await deps.messages.countStatus(filter)));
    }
    if (rows.length < input.Limit && wantsCampaign) {
      // Stateless: holds the connection and key names only.
      const runDays = new RunDayIndex({ redis: deps.redis, keys: deps.keys, retentionDays: deps.limits.statusRetentionDays });
      const more = await campaignStatusRows(
        { tasks: deps.tasks, receivers: deps.receivers, runDays },
        { ...filter, offset: campaignOffset, limit: input.Limit - rows.length },
      );
      rows.push(...more.map((r) => ({ messageId: r.messageId, from: r.from, recipient: r.recipient, acceptedAt: r.requestedAt, state: r.state })));
    }
    const unsubscribed = await unsubscribedRows(deps.suppressions, rows);
    return {
      EmailStatusList: rows.map((row, i) => {
        const s = toTencentStatus(row.state);
        return {
          MessageId: row.messageId,
          ToEmailAddress: row.recipient,
          FromEmailAddress: row.from,
          SendStatus: s.sendStatus,
          DeliverStatus: s.deliverStatus,
          DeliverMessage: s.deliverMessage,
          RequestTime: Math.floor(row.acceptedAt / 1000),
          DeliverTime: s.deliverTime,
          UserOpened: false,
          UserClicked: false,
          UserUnsubscribed: unsubscribed[i] === true,
          UserComplainted: false,
          UserComplained: false,
        };
      }),
    };
  },
});

/**
 * Whether each row's recipient unsubscribed from its sender (as SuppressionStore.isUnsubscribed
 * answers it), with one command per distinct sender of the page instead of one per row.
 */
async function unsubscribedRows(suppressions: SuppressionStore, rows: readonly { from: string; recipient: string }[]): Promise<boolean[]> {
  const bySender = new Map<string, Set<string>>();
  for (const r of rows) {
    const recipients = bySender.get(r.from);
    if (recipients) recipients.add(r.recipient);
    else bySender.set(r.from, new Set([r.recipient]));
  }
  const senders = [...bySender];
  const answers = await Promise.all(senders.map(([from, recipients]) => suppressions.unsubscribedAmong(from, [...recipients])));
  const unsubscribed = new Map(senders.map(([from], i) => [from, answers[i] as Set<string>]));
  return rows.map((r) => unsubscribed.get(r.from)?.has(r.recipient) === true);
}
