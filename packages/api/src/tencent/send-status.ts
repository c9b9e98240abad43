import { DeliveryRefusal, type DeliveryRefusalCode, type RecipientState } from '@postmill/core';

/** Tencent `SendEmailStatus.DeliverStatus`: 0 queued, 1 delivered, 2 dropped, 3 bounced, 8 deferred. */
export const DeliverStatus = { Queued: 0, Delivered: 1, Dropped: 2, Bounced: 3, Deferred: 8 } as const;

// Tencent SendStatus codes (reference §3.0) for the provider/Postmill error codes that have one.
const SEND_STATUS_BY_CODE: Readonly<Record<string, number>> = {
  'FailedOperation.IncorrectEmail': 3024,
  'FailedOperation.EmailAddrInBlacklist': 1007,
  'FailedOperation.ReceiverHasUnsubscribed': 1013,
  'FailedOperation.RejectedByRecipients': 1008,
  'FailedOperation.TemporaryBlocked': 3008,
  'FailedOperation.FrequencyLimit': 1006,
  'FailedOperation.ExceedSendLimit': 1010,
  'FailedOperation.WithOutPermission': 1011,
  'FailedOperation.InvalidTemplateID': 3007,
  'FailedOperation.WrongContentJson': 3010,
  'FailedOperation.NotAuthenticatedSender': 3014,
  'FailedOperation.UnsupportMailType': 3020,
  'FailedOperation.HighRejectionRate': 3030,
  'FailedOperation.InsufficientBalance': 3033,
  'Network.Timeout': 1004,
};

/**
 * The Tencent code shown for each of Postmill's own refusals (the codes Tencent SES itself gives
 * for them). Any other recorded code (a provider's, or one recorded before Postmill had its own
 * codes) is shown as it is.
 */
const TENCENT_CODE_OF: Readonly<Record<DeliveryRefusalCode, string>> = {
  [DeliveryRefusal.Unsubscribed]: 'FailedOperation.ReceiverHasUnsubscribed',
  [DeliveryRefusal.Suppressed]: 'FailedOperation.EmailAddrInBlacklist',
  [DeliveryRefusal.DomainHeld]: 'FailedOperation.TemporaryBlocked',
  [DeliveryRefusal.TaskCancelled]: 'OperationDenied.TaskCancelled',
  [DeliveryRefusal.NotInList]: 'OperationDenied.ReceiverNotExist',
};

/** A recorded delivery code as Tencent callers see it. */
export function tencentDeliveryCode(code: string): string {
  return (TENCENT_CODE_OF as Readonly<Record<string, string>>)[code] ?? code;
}

/** The Tencent view of one recipient's ledger state. */
export interface TencentRecipientStatus {
  readonly sendStatus: number;
  readonly deliverStatus: number;
  readonly deliverMessage: string;
  /** Unix seconds, 0 when not delivered. */
  readonly deliverTime: number;
}

// Most rows of a status page are queued: one shared answer instead of an object per row.
const QUEUED: TencentRecipientStatus = Object.freeze({ sendStatus: 0, deliverStatus: DeliverStatus.Queued, deliverMessage: '', deliverTime: 0 });

/**
 * Maps a ledger state to Tencent's SendStatus/DeliverStatus. Guarantees: SMTP rejections
 * (`SMTP.5xx`) read as recipient-side bounces (SendStatus 0, DeliverStatus 3); other failures as
 * Tencent-side drops with the matching SendStatus code (1001 when none is documented); Postmill's
 * own refusals (DeliveryRefusal) are written with Tencent's codes for them.
 */
export function toTencentStatus(state: RecipientState): TencentRecipientStatus {
  switch (state.state) {
    case 'queued':
      return QUEUED;
    case 'sent':
      return { sendStatus: 0, deliverStatus: DeliverStatus.Delivered, deliverMessage: state.response, deliverTime: Math.floor(state.at / 1000) };
    case 'deferred':
      return {
        sendStatus: 0,
        deliverStatus: DeliverStatus.Deferred,
        deliverMessage: `${tencentDeliveryCode(state.code)}: ${state.message} (retry after ${new Date(state.until).toISOString()})`,
        deliverTime: 0,
      };
    case 'failed': {
      if (state.code.startsWith('SMTP.5')) {
        return { sendStatus: 0, deliverStatus: DeliverStatus.Bounced, deliverMessage: state.message, deliverTime: 0 };
      }
      const code = tencentDeliveryCode(state.code);
      return {
        sendStatus: SEND_STATUS_BY_CODE[code] ?? 1001,
        deliverStatus: DeliverStatus.Dropped,
        deliverMessage: `${code}: ${state.message}`,
        deliverTime: 0,
      };
    }
  }
}
