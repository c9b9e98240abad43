import { isValidEmail, normalizeEmail } from '@postmill/core';
import { type AttachmentInput, isReservedHeader } from '@postmill/engine';
import { TagStore } from '@postmill/store';
import type { SendCloudActionContext } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import type { SendCloudStatusCode } from '../status-codes.ts';
import { MAX_MAIL_SUBJECT_LENGTH, mailLimits } from './mail-limits.ts';

/** Most `replyTo` addresses (40879). */
export const MAX_REPLY_TO = 3;
/** Largest `contentSummary` in UTF-8 bytes (40878). */
export const MAX_SUMMARY_BYTES = 200;
/** Longest `fromName` in characters (40804): what a header line can carry sensibly. */
const MAX_NAME_LENGTH = 128;

const LINE_BREAK = /[\r\n]/u;

/** What mail/send and mail/sendtemplate share, checked (every refusal a SendCloudFailure). */
export interface MailCommon {
  /** The sender, `addr` or `Name <addr>` as the engine takes it. */
  readonly from: string;
  /** The sender address alone. */
  readonly fromAddress: string;
  /** `subject` as given (variables not yet filled in); undefined when absent. */
  readonly subject: string | undefined;
  /** The first `replyTo` address (the engine carries one Reply-To mailbox). */
  readonly replyTo: string | undefined;
  /** Extra headers, with `Disposition-Notification-To` when `useNotification=true`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The engine's tag: the name of the label `labelId` names. */
  readonly tag: string | undefined;
  /** `attachments`, then the `embeddedImage` parts, each with its `embeddedCid` as `contentId`. */
  readonly attachments: readonly MailAttachmentInput[];
  /** The attachments' and embedded images' bytes together (what one mail stores of them). */
  readonly attachmentBytes: number;
  /** `respEmailId` (default true): answer `emailIdList`. */
  readonly respEmailId: boolean;
  /** `useAddressList` (default false): `to` names address lists. */
  readonly useAddressList: boolean;
  /** `contentSummary`: a preheader shown before the HTML body. */
  readonly contentSummary: string | undefined;
  /** `sendRequestId`: the same id (from the same apiUser, same mail) within the engine's idempotency window sends once. */
  readonly sendRequestId: string | undefined;
}

/**
 * An attachment as the engine takes it; `contentId` set for an inline image (`embeddedImage`, shown
 * by the html as `cid:<contentId>`): the engine keeps it and the MIME builder makes the image an
 * inline part with that Content-ID.
 */
export interface MailAttachmentInput extends AttachmentInput {
  readonly contentId?: string;
}

/** What an `embeddedCid` id may not hold: it is written as `Content-ID: <id>`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const BAD_CONTENT_ID = /[\u0000-\u0020\u007f<>]/u;

/** `Name<addr>`, `Name <addr>` or `addr`. */
function splitMailbox(raw: string): { name: string | undefined; address: string } {
  const m = /^(.*?)\s*<([^<>]*)>$/u.exec(raw.trim());
  if (!m) return { name: undefined, address: raw.trim() };
  const name = (m[1] ?? '').trim().replace(/^"(.*)"$/u, '$1');
  return { name: name === '' ? undefined : name, address: (m[2] ?? '').trim() };
}

/**
 * SendCloud's "不能为空" refusal of an optional parameter sent with an empty value: `code` when any
 * of `names` (a parameter's spellings) is present but empty. The official SDKs (sendcloud-sdk-python
 * `MailBody.prepare_mail_body_params`, sendcloud-sdk-go `PrepareMailBodyParams`) leave an empty
 * optional field out of the form, so only a hand-written form meets this.
 */
export function refuseEmpty(params: SendCloudParams, names: readonly string[], code: SendCloudStatusCode): void {
  for (const name of names) if (params.present(name)) params.required(name, code);
}

function checkName(name: string): string {
  if (LINE_BREAK.test(name) || /[:<>"]/u.test(name) || [...name].length > MAX_NAME_LENGTH) {
    throw new SendCloudFailure(40804, `at most ${MAX_NAME_LENGTH} characters, without line breaks, ':', '<', '>' or quotes`);
  }
  return name;
}

/**
 * A `;`-separated address parameter (`to`, `cc`, `bcc`), normalised. `codes` are its refusals:
 * present but holding no address, an invalid address, more than SENDCLOUD_MAX_RECIPIENTS (100).
 */
export function addressParam(
  params: SendCloudParams,
  name: string,
  codes: { empty: SendCloudStatusCode; invalid: SendCloudStatusCode; tooMany: SendCloudStatusCode },
  ctx: SendCloudActionContext,
): string[] {
  const present = params.optional(name) !== undefined;
  const list = params.list(name);
  if (present && list.length === 0) throw new SendCloudFailure(codes.empty);
  const max = mailLimits(ctx.deps).settings.maxRecipients;
  if (list.length > max) throw new SendCloudFailure(codes.tooMany, `${list.length} addresses; at most ${max} (SENDCLOUD_MAX_RECIPIENTS)`);
  return list.map((a) => {
    if (!isValidEmail(a)) throw new SendCloudFailure(codes.invalid, `${name}: ${a}`);
    return normalizeEmail(a);
  });
}

/** `true`/`false` (also `1`/`0`), or the default when absent; `invalid` otherwise, or the default when there is no code for it. */
function flag(params: SendCloudParams, name: string, fallback: boolean, invalid?: SendCloudStatusCode): boolean {
  if (invalid !== undefined) return params.optionalBool(name, invalid) ?? fallback;
  const v = params.optional(name)?.trim().toLowerCase();
  return v === undefined ? fallback : v === 'true' || v === '1';
}

function headersParam(params: SendCloudParams): Record<string, string> {
  refuseEmpty(params, ['headers'], 40868);
  const raw = params.optional('headers');
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SendCloudFailure(40869, 'headers must be a JSON object such as {"X-Campaign":"spring"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SendCloudFailure(40869, 'headers must be a JSON object such as {"X-Campaign":"spring"}');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,75}$/u.test(name)) throw new SendCloudFailure(40869, `invalid header name "${name}"`);
    // Header names the engine sets from the mail's fields.
    if (isReservedHeader(name)) throw new SendCloudFailure(40869, `"${name}" is set from the mail's own parameters`);
    if ((typeof value !== 'string' && typeof value !== 'number') || LINE_BREAK.test(String(value)) || String(value).length > 998) {
      throw new SendCloudFailure(40869, `the value of "${name}" must be one line of text`);
    }
    headers[name] = String(value);
  }
  return headers;
}

/** The label `labelId` names: 40014 sent empty, 40015 not a positive integer, 40106 no such label. */
export async function labelTag(params: SendCloudParams, ctx: SendCloudActionContext): Promise<string | undefined> {
  refuseEmpty(params, ['labelId'], 40014);
  const labelId = params.optionalInt('labelId', 40015, { min: 1 });
  if (labelId === undefined) return undefined;
  const tags = new TagStore({ redis: ctx.deps.redis, keys: ctx.deps.keys, clock: ctx.deps.clock });
  const label = await tags.get(labelId);
  if (!label) throw new SendCloudFailure(40106, `labelId ${labelId}`);
  return label.name;
}

/**
 * The attachments as the engine takes them, then the embedded images (`embeddedImage` parts, each
 * with its id from `embeddedCid`, `;`-separated, in the same order), and their bytes together:
 * 40875 when the ids and the image parts differ in number, 40867 for an id that cannot be a
 * Content-ID (blank, spaces, control characters, angle brackets), 40818 for a part of 0 bytes
 * (nothing to attach), 40819 past the SENDCLOUD_MAX_ATTACHMENT_BYTES setting (SendCloud's 10 MiB).
 */
function attachmentsOf(params: SendCloudParams, ctx: SendCloudActionContext): { attachments: MailAttachmentInput[]; bytes: number } {
  const max = mailLimits(ctx.deps).settings.maxAttachmentBytes;
  const images = params.files('embeddedImage');
  const cids = params.list('embeddedCid');
  if (cids.length !== images.length) throw new SendCloudFailure(40875, `${cids.length} embeddedCid ids for ${images.length} embeddedImage parts`);
  const bad = cids.find((cid) => BAD_CONTENT_ID.test(cid));
  if (bad !== undefined) throw new SendCloudFailure(40867, `embeddedCid "${bad.slice(0, 60)}" cannot be a Content-ID`);
  let total = 0;
  for (const a of [...params.attachments, ...images]) {
    if (a.content.length === 0) throw new SendCloudFailure(40818, `attachment "${a.filename}" has no content`);
    total += a.content.length;
  }
  if (total > max) throw new SendCloudFailure(40819, `${total} bytes`);
  const attachments: MailAttachmentInput[] = params.attachments.map((a) => ({ fileName: a.filename, contentBase64: a.content.toString('base64') }));
  images.forEach((a, i) => {
    attachments.push({ fileName: a.filename, contentBase64: a.content.toString('base64'), contentId: cids[i] as string });
  });
  return { attachments, bytes: total };
}

/**
 * Reads and checks what both sends share, in this order: `from` (40801, 40802), `fromName`
 * (40803 empty, 40804), `subject` when given (40809), `replyTo` (40810 empty, 40811, 40879),
 * `headers` (40868 empty, 40869), `labelId` (40014 empty, 40015, 40106), `attachments` and
 * `embeddedImage` with `embeddedCid` (40875, 40867, 40818 a part of 0 bytes, 40819), `respEmailId` (40858 empty, 40859), `useAddressList` (40873 empty,
 * 40874), `contentSummary` (40877 empty, 40878). An optional parameter sent with an empty value is
 * refused with its "不能为空" code, as SendCloud does, not read as absent. `replyTo` is also read as `replyto` and `fromName` as `fromname`, the
 * spellings some clients (SendCloud's own Python example) use.
 */
export async function readMailCommon(params: SendCloudParams, ctx: SendCloudActionContext): Promise<MailCommon> {
  const from = splitMailbox(params.required('from', 40801));
  if (!isValidEmail(from.address)) throw new SendCloudFailure(40802, from.address);
  const fromAddress = normalizeEmail(from.address);
  // SendCloud's own Python example writes `fromname`.
  refuseEmpty(params, ['fromName', 'fromname'], 40803);
  const fromNameParam = params.optional('fromName') ?? params.optional('fromname');
  const fromName = fromNameParam === undefined ? from.name : fromNameParam;
  if (fromName !== undefined) checkName(fromName);

  const subject = params.optional('subject');
  if (subject !== undefined && (LINE_BREAK.test(subject) || [...subject].length > MAX_MAIL_SUBJECT_LENGTH)) {
    throw new SendCloudFailure(40809, `at most ${MAX_MAIL_SUBJECT_LENGTH} characters on one line`);
  }

  refuseEmpty(params, ['replyTo', 'replyto'], 40810);
  const replyParam = params.optional('replyTo') !== undefined ? 'replyTo' : 'replyto';
  const replies = params.list(replyParam);
  if (replies.length > MAX_REPLY_TO) throw new SendCloudFailure(40879, `${replies.length} addresses`);
  for (const r of replies) if (!isValidEmail(r)) throw new SendCloudFailure(40811, r);

  const headers = headersParam(params);
  const tag = await labelTag(params, ctx);
  const { attachments, bytes: attachmentBytes } = attachmentsOf(params, ctx);
  refuseEmpty(params, ['respEmailId'], 40858);
  const respEmailId = flag(params, 'respEmailId', true, 40859);
  const useNotification = flag(params, 'useNotification', false);
  refuseEmpty(params, ['useAddressList'], 40873);
  const useAddressList = flag(params, 'useAddressList', false, 40874);
  refuseEmpty(params, ['contentSummary'], 40877);
  const contentSummary = params.optional('contentSummary');
  if (contentSummary !== undefined && Buffer.byteLength(contentSummary, 'utf8') > MAX_SUMMARY_BYTES) {
    throw new SendCloudFailure(40878, `${Buffer.byteLength(contentSummary, 'utf8')} bytes`);
  }
  return {
    from: fromName === undefined ? fromAddress : `${fromName} <${fromAddress}>`,
    fromAddress,
    subject,
    replyTo: replies[0] === undefined ? undefined : normalizeEmail(replies[0]),
    // A read receipt goes back to the sender (B.3 useNotification).
    headers: useNotification ? { ...headers, 'Disposition-Notification-To': fromAddress } : headers,
    tag,
    attachments,
    attachmentBytes,
    respEmailId,
    useAddressList,
    contentSummary,
    sendRequestId: params.optional('sendRequestId'),
  };
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The HTML body with `contentSummary` as a preheader: a hidden first element that mail clients show
 * in the inbox preview. Only applies to HTML, as SendCloud's does.
 */
export function withSummary(html: string | undefined, summary: string | undefined): string | undefined {
  if (html === undefined || summary === undefined) return html;
  const escaped = summary.replace(/[&<>"']/gu, (c) => HTML_ESCAPES[c] ?? c);
  return `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">${escaped}</div>${html}`;
}
