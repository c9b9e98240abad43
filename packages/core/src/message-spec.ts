import { type Mailbox, uniqueAddresses } from './email-address.ts';
import type { MailAttachment } from './mail-message.ts';
import type { TrackingGrant } from './tracking/tracking-grant.ts';

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
  /** The tag the sender gave the send (DirectMail's TagName): its statistics are also counted under it. */
  readonly tag?: string;
  /** Open/click tracking of the HTML, when the send switched it on (absent: none). */
  readonly tracking?: TrackingGrant;
}

/**
 * Every envelope recipient of a spec, once per mailbox by addressKey: `Bob@x` in To and `bob@x`
 * in Cc get one copy, addressed as first spelled (To, then Cc, then Bcc). The headers still list
 * To and Cc as given, as they do for an exact repeat.
 */
export function specRecipients(spec: Pick<MessageSpec, 'to' | 'cc' | 'bcc'>): string[] {
  return uniqueAddresses([...spec.to, ...spec.cc, ...spec.bcc]);
}
