import { normalizeEmail, sendCloudEmailId } from '@postmill/core';

/**
 * One recipient of one Postmill message, as an emailId names it. Address-list (campaign) mail has
 * no emailId at send time (SendCloud answers `maillistTaskId`); data/emailStatus lists each of its
 * recipients as `pm-task-<task>-<run>-<index>.sc0$<recipient>`: the engine's campaign MessageId
 * (task, run, position in the list), which names one recipient, so the index is 0.
 */
export interface EmailIdParts {
  /** Postmill's message id: the engine's, as SendEmail and SingleSendMail answer it, or a campaign MessageId `pm-task-<task>-<run>-<index>`. */
  readonly messageId: string;
  /** The recipient's 0-based position in its Postmill message (to, then cc, then bcc); 0 for xsmtpapi and campaign mail. */
  readonly index: number;
  /** The recipient address, normalised as the engine stores it (domain in lower case). */
  readonly recipient: string;
}

export { sendCloudMessageId } from '@postmill/core';

/**
 * The emailId of one recipient: `<postmill id>.sc<index>$<recipient>`. Guarantees that
 * `parseEmailId(emailId(p))` gives `p` back for every Postmill message id and valid address.
 */
export function emailId(parts: EmailIdParts): string {
  return sendCloudEmailId(parts);
}

const EMAIL_ID = /^([^$]+)\.sc(\d{1,6})\$(.+)$/u;

/**
 * The message, index and recipient an emailId names, or undefined when it is not one Postmill
 * made. Splits on the FIRST `$` (a message id has none; an address may).
 */
export function parseEmailId(value: string): EmailIdParts | undefined {
  const m = EMAIL_ID.exec(value.trim());
  if (!m) return undefined;
  const [, messageId, index, recipient] = m;
  if (messageId === undefined || index === undefined || recipient === undefined) return undefined;
  return { messageId, index: Number(index), recipient: normalizeEmail(recipient) };
}
