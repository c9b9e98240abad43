import { z } from 'zod';
import { defineAction } from '../action.ts';
import { toTencentStatus } from '../send-status.ts';

const uint = z.number().int().nonnegative();

/**
 * GetSendEmailStatus: per-recipient SendStatus/DeliverStatus for messages accepted on one day
 * (`RequestDate`, in the configured time zone), optionally one MessageId and/or one recipient.
 * Guarantees: the state shown is the ledger's at the moment of the call (queued, deferred,
 * delivered, failed), with Tencent's codes (reference §3.0, send-status.ts). SendEmail mail is
 * listed first, then campaign mail (BatchSendEmail runs started that day, MessageIds
 * `pm-task-<task>-<run>-<index>`). One engine call (deliveries.byDate): every filter and Offset
 * costs O(log n + page).
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
    const rows = await deps.engine.deliveries.byDate({
      date: input.RequestDate,
      offset: input.Offset,
      limit: input.Limit,
      ...(input.MessageId ? { messageId: input.MessageId } : {}),
      ...(input.ToEmailAddress ? { recipient: input.ToEmailAddress.trim() } : {}),
      withUnsubscribed: true,
    });
    return {
      EmailStatusList: rows.map((row) => {
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
          UserUnsubscribed: row.unsubscribed === true,
          UserComplainted: false,
          UserComplained: false,
        };
      }),
    };
  },
});
