import { normalizeEmail } from '@postmill/core';

/**
 * Between the Postmill message id and the recipient's index in a SendCloud emailId. Postmill ids
 * (`pm-date-<stamp>-<base62>` for single mail, `pm-task-<task>-<run>-<index>` for one recipient of
 * a campaign run) contain no `.`, so the last `.sc` before the `$` is always this one.
 */
const MESSAGE_ID_SUFFIX = '.sc';

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

/**
 * SendCloud's `messageId` for a Postmill message: the id the emailIds start with
 * (`<postmill id>.sc`), so that an emailId reads `<messageId><index>$<recipient>` as SendCloud's do
 * (B.13), and clients that split on `$` find the recipient.
 */
export function sendCloudMessageId(postmillMessageId: string): string {
  return `${postmillMessageId}${MESSAGE_ID_SUFFIX}`;
}

/**
 * The emailId of one recipient: `<postmill id>.sc<index>$<recipient>`. Guarantees that
 * `parseEmailId(emailId(p))` gives `p` back for every Postmill message id and valid address.
 */
export function emailId(parts: EmailIdParts): string {
  return `${sendCloudMessageId(parts.messageId)}${parts.index}$${parts.recipient}`;
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
