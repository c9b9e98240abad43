import type { MailAttachment, MailMessage } from '@postmill/core';
import addressparser from 'nodemailer/lib/addressparser';
import { detectMimeType } from 'nodemailer/lib/mime-funcs';

/** SendCloud's `mail/send` takes at most 100 addresses in each of `to`, `cc` and `bcc` (40807, 40854, 40857). */
const MAX_PER_LIST = 100;

/** One form field, name and value, in the order it is posted. */
export type SendCloudField = readonly [name: string, value: string];

/** One `mail/send` call: its fields (without `apiUser`/`apiKey`) and the request recipients it delivers to. */
export interface SendCloudCall {
  readonly fields: readonly SendCloudField[];
  readonly recipients: readonly string[];
}

/** Options of toSendCloudCalls. */
export interface SendCloudCallOptions {
  /** `labelId` sent with every mail (a label created in SendCloud beforehand). Default: none sent. */
  readonly labelId?: string;
}

/** The addresses of a Reply-To value (`Name <address>`, a bare address, or a list of them), `;`-separated as SendCloud's `replyTo` takes them. */
function replyToAddresses(value: string): string {
  const addresses = addressparser(value, { flatten: true }).map((a) => a.address.trim());
  const found = addresses.filter((a) => a !== '');
  return found.length > 0 ? found.join(';') : value.trim();
}

const chunk = (list: readonly string[], i: number): string[] => list.slice(i * MAX_PER_LIST, (i + 1) * MAX_PER_LIST);

/**
 * Maps one provider request to `mail/send` calls. Guarantees: every request recipient is delivered
 * exactly once; those the message lists in `to` go in `to`, those in `cc` (and not `to`) in `cc`,
 * every other one (Bcc, or listed nowhere) in `bcc`, each list `;`-separated, at most 100 per list
 * and call, in request order: one call unless a list passes 100. SendCloud requires `to`, so a call
 * with no To recipient is addressed To the sender address itself, as mail clients address Bcc-only
 * mail, and the sender address receives that copy. Every call carries `from` (the envelope sender;
 * its name as `fromName`), `subject`, `html` and `plain` as present, `replyTo` (the addresses of
 * the message's Reply-To, `;`-separated: SendCloud takes addresses only), `headers` (a JSON object of the Message-ID
 * and the message's own headers), `labelId` when given, and `respEmailId=true` (its emailIds are the
 * provider message ids). No `xsmtpapi`: a MailMessage is the same for every recipient of a request,
 * so there is nothing to substitute, and `xsmtpapi.to` would put a Bcc recipient in the To header of
 * its copy (personal messages sent together use `xsmtpapi`: see personalCall). Not carried, as `mail/send`
 * has no field for them: `headerFrom` (the From header is always `from` with `fromName`) and
 * `dateMs` (SendCloud dates the mail).
 */
export function toSendCloudCalls(message: MailMessage, recipients: readonly string[], options: SendCloudCallOptions = {}): SendCloudCall[] {
  const inTo = new Set(message.to.map((a) => a.toLowerCase()));
  const inCc = new Set(message.cc.map((a) => a.toLowerCase()));
  const to = recipients.filter((r) => inTo.has(r.toLowerCase()));
  const cc = recipients.filter((r) => !inTo.has(r.toLowerCase()) && inCc.has(r.toLowerCase()));
  const bcc = recipients.filter((r) => !inTo.has(r.toLowerCase()) && !inCc.has(r.toLowerCase()));
  const calls = Math.ceil(Math.max(to.length, cc.length, bcc.length) / MAX_PER_LIST);
  const content: SendCloudField[] = [['subject', message.subject]];
  if (message.html !== undefined) content.push(['html', message.html]);
  if (message.text !== undefined) content.push(['plain', message.text]);
  if (message.replyTo !== undefined) content.push(['replyTo', replyToAddresses(message.replyTo)]);
  content.push(['headers', JSON.stringify({ 'Message-ID': message.messageId, ...message.headers })]);
  if (options.labelId !== undefined) content.push(['labelId', options.labelId]);
  content.push(['respEmailId', 'true']);
  const sender: SendCloudField[] = [['from', message.from.address]];
  if (message.from.name) sender.push(['fromName', message.from.name]);
  return Array.from({ length: calls }, (_, i) => {
    const [t, c, b] = [chunk(to, i), chunk(cc, i), chunk(bcc, i)];
    const fields: SendCloudField[] = [...sender, ['to', t.length > 0 ? t.join(';') : message.from.address]];
    if (c.length > 0) fields.push(['cc', c.join(';')]);
    if (b.length > 0) fields.push(['bcc', b.join(';')]);
    return { fields: [...fields, ...content], recipients: [...t, ...c, ...b] };
  });
}

/**
 * The body of one call as SendCloud's clients post it: `application/x-www-form-urlencoded` (Node's
 * URLSearchParams, `+` for a space, as Python's requests and Java send it) without attachments;
 * `multipart/form-data` with one `attachments` file part per attachment (its file name, its
 * Content-Type or one inferred from the name, its bytes) after the fields, when there are any, as
 * SendCloud requires; an inline image (a `contentId`) goes as an `embeddedImage` part instead, the
 * ids in `embeddedCid` (`;`-separated, in the order of those parts). Credentials come first, as ordinary fields. fetch sets the Content-Type
 * (with the multipart boundary) from the body's type.
 */
export function sendCloudBody(
  credentials: { readonly apiUser: string; readonly apiKey: string },
  fields: readonly SendCloudField[],
  attachments: readonly MailAttachment[],
): URLSearchParams | FormData {
  const all: SendCloudField[] = [['apiUser', credentials.apiUser], ['apiKey', credentials.apiKey], ...fields];
  if (attachments.length === 0) return new URLSearchParams(all.map(([k, v]): [string, string] => [k, v]));
  const inline = attachments.filter((a) => a.contentId !== undefined);
  if (inline.length > 0) all.push(['embeddedCid', inline.map((a) => a.contentId).join(';')]);
  const form = new FormData();
  for (const [name, value] of all) form.append(name, value);
  for (const a of attachments) {
    const type = a.contentType ?? detectMimeType(a.filename);
    form.append(a.contentId === undefined ? 'attachments' : 'embeddedImage', new Blob([Buffer.from(a.contentBase64, 'base64')], { type }), a.filename);
  }
  return form;
}
