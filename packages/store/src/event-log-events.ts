import { DeliveryRefusal, type MailEvent, type RecipientState } from '@postmill/core';
import { mailEventId } from './event-log-id.ts';

/** What every event of one message's recipient shares. */
export type MailEventBase = Pick<MailEvent, 'messageId' | 'sender'> & Partial<Pick<MailEvent, 'taskId' | 'run' | 'tag' | 'subject' | 'templateId' | 'index'>>;

const DROPPED = new Set<string>([DeliveryRefusal.Unsubscribed, DeliveryRefusal.Suppressed, DeliveryRefusal.TaskCancelled, DeliveryRefusal.NotInList]);

/**
 * The event a ledger state records, in the engine's vocabulary: `sent` → delivered, `deferred` →
 * deferred, `failed` → dropped for Postmill's own refusals (unsubscribed, blacklisted, cancelled,
 * not in the list) or bounced (hard when permanent, soft when transient retries ran out); `queued`
 * → none (the request event is written by `requestEventOf`). Guarantees: the id derives from
 * (message, recipient, kind, the state's `at`), so recording the same state again yields the same event.
 */
export function mailEventOfState(base: MailEventBase, recipient: string, state: RecipientState): MailEvent | undefined {
  if (state.state === 'queued') return undefined;
  const common = { ...base, recipient, at: state.at };
  if (state.state === 'sent') {
    return {
      ...common,
      id: mailEventId({ ...base, recipient, kind: 'delivered', discriminator: state.at }),
      kind: 'delivered',
      providerResponse: state.response,
    };
  }
  if (state.state === 'deferred') {
    return {
      ...common,
      id: mailEventId({ ...base, recipient, kind: 'deferred', discriminator: state.at }),
      kind: 'deferred',
      reason: state.message,
      ...smtpCodeOf(state.code),
    };
  }
  if (DROPPED.has(state.code)) {
    return {
      ...common,
      id: mailEventId({ ...base, recipient, kind: 'dropped', discriminator: state.at }),
      kind: 'dropped',
      reason: state.message || state.code,
    };
  }
  return {
    ...common,
    id: mailEventId({ ...base, recipient, kind: 'bounced', discriminator: state.at }),
    kind: 'bounced',
    bounceType: state.transient ? 'soft' : 'hard',
    reason: state.message || state.code,
    ...smtpCodeOf(state.code),
  };
}

/** The `request` event of a recipient the engine accepted at `at` (its queued time, or the campaign send's time). Same id for the same (message, recipient). */
export function requestEventOf(base: MailEventBase, recipient: string, at: number): MailEvent {
  return { ...base, recipient, at, id: mailEventId({ ...base, recipient, kind: 'request', discriminator: 0 }), kind: 'request' };
}

function smtpCodeOf(code: string): { smtpCode?: number } {
  const match = /^SMTP\.(\d{3})$/u.exec(code);
  return match ? { smtpCode: Number(match[1]) } : {};
}
