import type { Mailbox } from './email-address.ts';
import type { MailAttachment } from './mail-message.ts';

/**
 * A message exactly as accepted by the API: already rendered (template + data), validated, and
 * stored durably before a MessageId is returned. The worker builds provider requests from it.
 */
export interface MessageSpec {
  readonly messageId: string;
  readonly acceptedAt: number;
  readonly from: Mailbox;
  readonly headerFrom?: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly replyTo?: string;
  readonly subject: string;
  readonly html?: string;
  readonly text?: string;
  readonly attachments: readonly MailAttachment[];
  /** Extra headers from Tencent `SmtpHeaders`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Caller-supplied `SmtpMessageId` (with angle brackets), used instead of the derived one. */
  readonly smtpMessageId?: string;
  /** Tencent `Unsubscribe` option, "0" (none) to "12". */
  readonly unsubscribe: string;
  /** Tencent `TriggerType`: 0 marketing, 1 transactional. */
  readonly triggerType: number;
  readonly templateId?: number;
}

/** Every envelope recipient of a spec, de-duplicated (an address in To and Cc gets one copy). */
export function specRecipients(spec: Pick<MessageSpec, 'to' | 'cc' | 'bcc'>): string[] {
  return [...new Set([...spec.to, ...spec.cc, ...spec.bcc])];
}
