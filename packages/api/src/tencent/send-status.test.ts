import { DeliveryRefusal, type RecipientState } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { DeliverStatus, toTencentStatus } from './send-status.ts';

const AT = 1_700_000_123_456;

function failed(code: string, message = 'reason'): RecipientState {
  return { state: 'failed', at: AT, code, message, transient: false };
}

describe('toTencentStatus', () => {
  it('shows a queued recipient as SendStatus 0, DeliverStatus 0 and no delivery time', () => {
    expect(toTencentStatus({ state: 'queued', queuedAt: AT })).toEqual({ sendStatus: 0, deliverStatus: 0, deliverMessage: '', deliverTime: 0 });
  });

  it('shows a sent recipient as delivered with the provider response and the time in Unix seconds', () => {
    expect(toTencentStatus({ state: 'sent', at: AT, response: '250 2.0.0 OK' })).toEqual({
      sendStatus: 0,
      deliverStatus: DeliverStatus.Delivered,
      deliverMessage: '250 2.0.0 OK',
      deliverTime: 1_700_000_123,
    });
  });

  it('shows a deferred recipient as DeliverStatus 8 with the code, the reason and when it is retried', () => {
    const s = toTencentStatus({
      state: 'deferred',
      at: AT,
      until: Date.UTC(2024, 0, 2, 3, 4, 5),
      code: 'FailedOperation.FrequencyLimit',
      message: 'slow down',
      backoffs: 1,
    });
    expect(s).toEqual({
      sendStatus: 0,
      deliverStatus: 8,
      deliverMessage: 'FailedOperation.FrequencyLimit: slow down (retry after 2024-01-02T03:04:05.000Z)',
      deliverTime: 0,
    });
  });

  it('shows an SMTP 5xx rejection as a recipient-side bounce: SendStatus 0, DeliverStatus 3', () => {
    expect(toTencentStatus(failed('SMTP.550', '550 5.1.1 no such user'))).toEqual({
      sendStatus: 0,
      deliverStatus: DeliverStatus.Bounced,
      deliverMessage: '550 5.1.1 no such user',
      deliverTime: 0,
    });
  });

  it('shows Tencent-side failures as dropped with the documented SendStatus code', () => {
    const cases: [string, number][] = [
      ['FailedOperation.ReceiverHasUnsubscribed', 1013],
      ['FailedOperation.EmailAddrInBlacklist', 1007],
      ['FailedOperation.RejectedByRecipients', 1008],
      ['FailedOperation.TemporaryBlocked', 3008],
      ['FailedOperation.FrequencyLimit', 1006],
      ['FailedOperation.IncorrectEmail', 3024],
      ['FailedOperation.InvalidTemplateID', 3007],
      ['FailedOperation.WrongContentJson', 3010],
      ['FailedOperation.NotAuthenticatedSender', 3014],
      ['FailedOperation.HighRejectionRate', 3030],
      ['FailedOperation.InsufficientBalance', 3033],
      ['Network.Timeout', 1004],
    ];
    for (const [code, sendStatus] of cases) {
      expect(toTencentStatus(failed(code, 'why')), code).toEqual({
        sendStatus,
        deliverStatus: DeliverStatus.Dropped,
        deliverMessage: `${code}: why`,
        deliverTime: 0,
      });
    }
  });

  it('shows a failure without a documented SendStatus as 1001 (internal error), dropped', () => {
    for (const code of ['InternalError', 'Network.ECONNRESET', 'SMTP.451', 'HTTP.503']) {
      expect(toTencentStatus(failed(code)), code).toMatchObject({ sendStatus: 1001, deliverStatus: DeliverStatus.Dropped });
    }
  });

  it('uses the DeliverStatus numbers of the Tencent reference', () => {
    expect(DeliverStatus).toEqual({ Queued: 0, Delivered: 1, Dropped: 2, Bounced: 3, Deferred: 8 });
  });

  it("writes Postmill's own refusals with Tencent's codes for them, and codes recorded before them as they are", () => {
    const cases: [string, string, number][] = [
      [DeliveryRefusal.Unsubscribed, 'FailedOperation.ReceiverHasUnsubscribed', 1013],
      [DeliveryRefusal.Suppressed, 'FailedOperation.EmailAddrInBlacklist', 1007],
      [DeliveryRefusal.DomainHeld, 'FailedOperation.TemporaryBlocked', 3008],
      [DeliveryRefusal.TaskCancelled, 'OperationDenied.TaskCancelled', 1001],
      [DeliveryRefusal.NotInList, 'OperationDenied.ReceiverNotExist', 1001],
      ['OperationDenied.TaskCancelled', 'OperationDenied.TaskCancelled', 1001],
    ];
    for (const [recorded, shown, sendStatus] of cases) {
      expect(toTencentStatus(failed(recorded, 'why')), recorded).toEqual({
        sendStatus,
        deliverStatus: DeliverStatus.Dropped,
        deliverMessage: `${shown}: why`,
        deliverTime: 0,
      });
    }
    const held = toTencentStatus({
      state: 'deferred',
      at: AT,
      until: Date.UTC(2024, 0, 2),
      code: DeliveryRefusal.DomainHeld,
      message: 'recipient domain on hold',
      backoffs: 0,
    });
    expect(held.deliverMessage).toBe('FailedOperation.TemporaryBlocked: recipient domain on hold (retry after 2024-01-02T00:00:00.000Z)');
  });
});
