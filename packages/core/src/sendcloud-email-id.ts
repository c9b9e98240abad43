/**
 * Between the Postmill message id and the recipient's index in a SendCloud emailId. Postmill ids
 * (`pm-date-<stamp>-<base62>` for single mail, `pm-task-<task>-<run>-<index>` for one recipient of
 * a campaign run) contain no `.`, so the last `.sc` before the `$` is always this one.
 */
const MESSAGE_ID_SUFFIX = '.sc';

/**
 * SendCloud's `messageId` for a Postmill message: the id the emailIds start with
 * (`<postmill id>.sc`), so that an emailId reads `<messageId><index>$<recipient>` as SendCloud's do
 * (B.13), and clients that split on `$` find the recipient.
 */
export function sendCloudMessageId(postmillMessageId: string): string {
  return `${postmillMessageId}${MESSAGE_ID_SUFFIX}`;
}

/**
 * The emailId of one recipient of one Postmill message: `<postmill id>.sc<index>$<recipient>`.
 * Guarantees: the one formula both the SendCloud dialect (its answers) and the SendCloud webhook
 * format (its events) use, so an event's emailId always matches the one the send answered.
 */
export function sendCloudEmailId(parts: { readonly messageId: string; readonly index: number; readonly recipient: string }): string {
  return `${sendCloudMessageId(parts.messageId)}${parts.index}$${parts.recipient}`;
}
