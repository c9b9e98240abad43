import { normalizeEmail } from '@postmill/core';

/**
 * Between the Postmill message id and the recipient's index in a SendCloud emailId. Postmill ids
 * (`pm-date-<stamp>-<base62>`) contain no `.`, so the last `.sc` before the `$` is always this one.
 */
const MESSAGE_ID_SUFFIX = '.sc';

/** One recipient of one Postmill message, as an emailId names it. */
export interface EmailIdParts {
  /** Postmill's message id (the engine's, as SendEmail and SingleSendMail answer it). */
  readonly messageId: string;
  /** The recipient's 0-based position in the request's `to` (or `xsmtpapi.to`). */
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
