import { hash } from 'node:crypto';
import { addressKey, isEngineError } from '@postmill/core';
import type { AcceptMessageInput } from '@postmill/engine';
import type { SendCloudActionContext } from '../action.ts';
import { emailId } from './mail-email-id.ts';
import type { MailCommon } from './mail-input.ts';
import { checkStoredAttachments, mailLimits } from './mail-limits.ts';
import { substitute } from './mail-xsmtpapi.ts';

/**
 * The engine's triggerType of an apiUser's mail: a batch (marketing) apiUser's is 0, a trigger
 * apiUser's, and the built-in credential's, transactional 1 (as DirectMail's SingleSendMail).
 */
function triggerTypeOf(ctx: SendCloudActionContext): number {
  return ctx.apiUserType === 'batch' ? 0 : 1;
}

/** Personal mails of one request accepted at once, after the first (bounds the burst of Redis writes). */
const PERSONAL_CONCURRENCY = 8;

/** One mail's content as the caller wrote it (variables not yet filled in). */
export interface MailContent {
  readonly subject: string;
  readonly html: string | undefined;
  readonly text: string | undefined;
}

function engineInput(common: MailCommon, content: MailContent, ctx: SendCloudActionContext): Omit<AcceptMessageInput, 'to' | 'cc' | 'bcc'> {
  return {
    from: common.from,
    ...(common.replyTo === undefined ? {} : { replyTo: common.replyTo }),
    subject: content.subject,
    content: { kind: 'inline', ...(content.html === undefined ? {} : { html: content.html }), ...(content.text === undefined ? {} : { text: content.text }) },
    attachments: common.attachments,
    ...(Object.keys(common.headers).length === 0 ? {} : { headers: JSON.stringify(common.headers) }),
    triggerType: triggerTypeOf(ctx),
    ...(common.tag === undefined ? {} : { tag: common.tag }),
    ...(ctx.tracking === undefined ? {} : { tracking: ctx.tracking }),
  };
}

/**
 * The engine's accept-once for a mail of a request with `sendRequestId` (SendCloud: "the same
 * sendRequestId is processed once"): scoped to the apiUser, keyed by the id (hashed: any length is
 * fine) and the mail's position in the request, fingerprinted by everything the mail carries. A
 * repeat answers the first message ids, so the same emailIdList; the same id with another mail is
 * the engine's `idempotency-key-reused`.
 */
function acceptOnce(input: AcceptMessageInput, common: MailCommon, position: number, ctx: SendCloudActionContext): AcceptMessageInput {
  if (common.sendRequestId === undefined) return input;
  return {
    ...input,
    idempotency: {
      scope: `sendcloud:${ctx.apiUser}`,
      key: `${hash('sha256', common.sendRequestId, 'hex')}#${position}`,
      fingerprint: hash('sha256', JSON.stringify(input), 'hex'),
    },
  };
}

/**
 * mail/send without xsmtpapi: ONE mail with every `to` in To and `cc` in Cc (B.3, "broadcast").
 * A `bcc` repeating a `to` is dropped (that recipient already gets the mail; the engine refuses the
 * repeat). Checked against SendCloud's caps (mailLimits), not the deployment's. Answers one emailId
 * per recipient, index = its position in to, then cc, then bcc.
 */
export async function sendBroadcast(
  recipients: { to: readonly string[]; cc: readonly string[]; bcc: readonly string[] },
  common: MailCommon,
  content: MailContent,
  ctx: SendCloudActionContext,
): Promise<string[]> {
  const toKeys = new Set(recipients.to.map(addressKey));
  const bcc = recipients.bcc.filter((a) => !toKeys.has(addressKey(a)));
  const input: AcceptMessageInput = {
    ...engineInput(common, content, ctx),
    to: recipients.to,
    ...(recipients.cc.length === 0 ? {} : { cc: recipients.cc }),
    ...(bcc.length === 0 ? {} : { bcc }),
  };
  checkStoredAttachments(common.attachmentBytes, 1, ctx);
  const { messageId } = await ctx.deps.engine.messages.accept(acceptOnce(input, common, 0, ctx), { limits: mailLimits(ctx.deps).message });
  return [...recipients.to, ...recipients.cc, ...bcc].map((recipient, index) => emailId({ messageId, index, recipient }));
}

/**
 * One mail per recipient with its own variables filled in (xsmtpapi, B.5). Each is a Postmill
 * message of its own, so each emailId is `<its message>.sc0$<recipient>`: the index is the
 * recipient's position in its Postmill message (always 0 here), which data/emailStatus can rebuild
 * from the message alone, not its position in `xsmtpapi.to` (SendCloud's, whose request is one
 * message). Each copy stores its own attachments, so attachments × recipients over
 * SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES is refused (40819) before any mail. The first mail is
 * accepted alone, so a refusal that would hit every mail (unknown sender, unverified domain) queues none.
 * A recipient who unsubscribed from the sender gets no mail and no emailId; when every recipient
 * did, the engine's `recipient-unsubscribed` is the answer.
 */
export async function sendPersonal(
  to: readonly string[],
  variables: readonly ReadonlyMap<string, string>[],
  common: MailCommon,
  content: MailContent,
  ctx: SendCloudActionContext,
): Promise<string[]> {
  checkStoredAttachments(common.attachmentBytes, to.length, ctx);
  const limits = mailLimits(ctx.deps).message;
  let unsubscribed: unknown;
  const accept = async (i: number): Promise<string | undefined> => {
    const recipient = to[i] as string;
    const vars = variables[i] ?? new Map<string, string>();
    const personal: MailContent = {
      // A value must not start a new header line.
      subject: substitute(content.subject, vars).replace(/[\r\n]+/gu, ' '),
      html: content.html === undefined ? undefined : substitute(content.html, vars),
      text: content.text === undefined ? undefined : substitute(content.text, vars),
    };
    try {
      const input: AcceptMessageInput = { ...engineInput(common, personal, ctx), to: [recipient] };
      const { messageId } = await ctx.deps.engine.messages.accept(acceptOnce(input, common, i, ctx), { limits });
      return emailId({ messageId, index: 0, recipient });
    } catch (err) {
      if (!isEngineError(err, 'recipient-unsubscribed')) throw err;
      unsubscribed ??= err;
      return undefined;
    }
  };
  const ids: (string | undefined)[] = [await accept(0)];
  for (let start = 1; start < to.length; start += PERSONAL_CONCURRENCY) {
    const batch = [];
    for (let i = start; i < Math.min(to.length, start + PERSONAL_CONCURRENCY); i++) batch.push(accept(i));
    ids.push(...(await Promise.all(batch)));
  }
  const accepted = ids.filter((id): id is string => id !== undefined);
  // Every recipient unsubscribed: the engine's refusal is the answer, as for one such mail.
  if (accepted.length === 0 && unsubscribed !== undefined) throw unsubscribed;
  return accepted;
}
