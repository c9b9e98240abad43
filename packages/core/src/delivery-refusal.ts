/**
 * The codes Postmill itself records on a recipient it did not send to, or not yet: its own
 * decisions, not a provider's answer (those keep the provider's code: `SMTP.550`, a Tencent SES
 * code, `Network.Timeout`). Stable: they are stored in ledgers and shown by the status queries,
 * where each dialect writes them in its own terms (Tencent: send-status.ts in the API).
 * - `Unsubscribed`: the recipient unsubscribed from the sender;
 * - `Suppressed`: the recipient is on the custom blacklist;
 * - `DomainHeld`: deferred while the recipient's domain is on hold (after a `hold-domain` answer);
 * - `TaskCancelled`: the campaign was cancelled before this recipient was sent;
 * - `NotInList`: the receiver list no longer holds this recipient when its turn came.
 */
export const DeliveryRefusal = {
  Unsubscribed: 'Postmill.Unsubscribed',
  Suppressed: 'Postmill.Suppressed',
  DomainHeld: 'Postmill.DomainHeld',
  TaskCancelled: 'Postmill.TaskCancelled',
  NotInList: 'Postmill.NotInList',
} as const;

/** One of DeliveryRefusal's codes. */
export type DeliveryRefusalCode = (typeof DeliveryRefusal)[keyof typeof DeliveryRefusal];
