import { isEngineError, isValidEmail, normalizeEmail } from '@postmill/core';
import type { SenderAddressRecord, SenderProfile } from '@postmill/store';
import { actions } from '../action.ts';
import { AliyunApiError, invalid } from '../aliyun-api-error.ts';
import type { DirectMailPort } from '../engine-port.ts';
import type { ActionParams } from '../params.ts';
import { hashSmtpPassword, smtpPasswordProblem, verifySmtpPassword } from '../smtp-password.ts';
import { minuteTime, pageOf } from '../wire-values.ts';

const SEND_TYPES = ['batch', 'trigger'] as const;

/** Postmill sets no sending quota: DirectMail's "unlimited" (-1), as its own examples show. */
const UNLIMITED = -1;

/** How long a reply-to verification ticket stays valid. */
const REPLY_TICKET_TTL_MS = 24 * 60 * 60 * 1000;

const ACCOUNT_NORMAL = 0;
const DOMAIN_USABLE = 0;

function replyAddressOf(params: ActionParams): string | undefined {
  const reply = params.optional('ReplyAddress', { maxLength: 254 });
  if (reply !== undefined && !isValidEmail(reply)) throw invalid('ReplyAddress', `"${reply.slice(0, 60)}" is not an email address.`);
  return reply;
}

async function senderById(port: DirectMailPort, params: ActionParams): Promise<{ id: number; sender: SenderAddressRecord }> {
  const id = params.requiredInt('MailAddressId', { min: 1 });
  const address = await port.ids.nameOf('mail-address', id);
  if (address === undefined) throw new AliyunApiError('mail-address-id-not-found', { mailAddressId: id });
  try {
    return { id, sender: await port.senders.get(address) };
  } catch (err) {
    if (isEngineError(err, 'sender-not-found')) throw new AliyunApiError('mail-address-id-not-found', { mailAddressId: id }, { cause: err });
    throw err;
  }
}

async function senderByMailFrom(port: DirectMailPort, params: ActionParams): Promise<SenderAddressRecord> {
  const mailFrom = params.required('MailFrom', { maxLength: 254 });
  try {
    return await port.senders.get(normalizeEmail(mailFrom));
  } catch (err) {
    if (isEngineError(err, 'sender-not-found')) throw new AliyunApiError('mail-from-unknown', { mailFrom }, { cause: err });
    throw err;
  }
}

function addressRow(sender: SenderAddressRecord, id: number, profile: SenderProfile): Record<string, unknown> {
  return {
    MailAddressId: id,
    AccountName: sender.address,
    AccountStatus: ACCOUNT_NORMAL,
    ReplyAddress: profile.replyAddress ?? '',
    ReplyStatus: profile.replyVerified ? 1 : 0,
    // An address made through another dialect has no send type; it may send both kinds.
    Sendtype: profile.sendType ?? 'batch',
    CreateTime: minuteTime(sender.createdAt),
    DailyCount: UNLIMITED,
    MonthCount: UNLIMITED,
    DailyReqCount: 0,
    MonthReqCount: 0,
    DomainStatus: DOMAIN_USABLE,
  };
}

/** Sender addresses: every action of seed 002. */
export const mailAddressActions = actions({
  async CreateMailAddress(params, { port }) {
    const accountName = params.required('AccountName', { maxLength: 60 });
    const sendType = params.requiredOneOf('Sendtype', SEND_TYPES);
    const replyAddress = replyAddressOf(params);
    const sender = await port.senders.create({ address: accountName });
    await port.senderProfiles.update(sender.address, { sendType, ...(replyAddress === undefined ? {} : { replyAddress, replyVerified: false }) });
    return { MailAddressId: await port.ids.idFor('mail-address', sender.address) };
  },

  async QueryMailAddressByParam(params, { port }) {
    const keyword = params.optional('KeyWord', { maxLength: 60 })?.toLowerCase();
    const sendType = params.optionalOneOf('Sendtype', SEND_TYPES);
    const page = params.page({ defaultSize: 10, maxSize: 100 });
    const all = await port.senders.list();
    const profiles = await port.senderProfiles.getMany(all.map((s) => s.address));
    const matching = all
      .map((sender, i) => ({ sender, profile: profiles[i] ?? {} }))
      .filter((r) => (keyword === undefined || r.sender.address.includes(keyword)) && (sendType === undefined || (r.profile.sendType ?? 'batch') === sendType));
    const { rows, ...counts } = pageOf(matching, page);
    const ids = await port.ids.idsFor(
      'mail-address',
      rows.map((r) => r.sender.address),
    );
    return { ...counts, data: { mailAddress: rows.map((r, i) => addressRow(r.sender, ids[i] ?? 0, r.profile)) } };
  },

  async ModifyMailAddress(params, { port }) {
    const { sender } = await senderById(port, params);
    const replyAddress = replyAddressOf(params);
    const password = params.optional('Password');
    const change: { -readonly [K in keyof SenderProfile]: SenderProfile[K] } = {};
    if (password !== undefined) {
      const problem = smtpPasswordProblem(password);
      if (problem) throw new AliyunApiError('invalid-password', { detail: problem });
      const previous = (await port.senderProfiles.get(sender.address)).smtpPasswordHash;
      if (previous !== undefined && (await verifySmtpPassword(password, previous))) {
        throw new AliyunApiError('invalid-password', { detail: 'it must differ from the current password.' });
      }
      change.smtpPasswordHash = await hashSmtpPassword(password);
    }
    if (replyAddress !== undefined) {
      change.replyAddress = replyAddress;
      change.replyVerified = false;
    }
    await port.senderProfiles.update(sender.address, change);
    return {};
  },

  async DeleteMailAddress(params, { port }) {
    const { sender } = await senderById(port, params);
    // The engine's delete takes the profile (reply-to, SMTP password, callback URL, send type) with it.
    await port.senders.delete(sender.address);
    return {};
  },

  async CheckReplyToMailAddress(params, ctx) {
    const { id, sender } = await senderById(ctx.port, params);
    const profile = await ctx.port.senderProfiles.get(sender.address);
    if (profile.replyAddress === undefined) throw new AliyunApiError('reply-address-missing', { mailAddressId: id });
    const ticket = await ctx.port.senderProfiles.issueTicket(
      { address: sender.address, replyAddress: profile.replyAddress, senderCreatedAt: sender.createdAt },
      { ttlMs: REPLY_TICKET_TTL_MS },
    );
    await ctx.port.sendReplyVerification({ sender: sender.address, replyAddress: profile.replyAddress, ticket, lang: params.optional('Lang') });
    return {};
  },

  async ApproveReplyMailAddress(params, { port }) {
    const ticket = await port.senderProfiles.takeTicket(params.required('Ticket', { maxLength: 64 }));
    if (!ticket) throw new AliyunApiError('ticket-not-found', {});
    // A ticket of a sender deleted since (through any dialect), even one created again under the
    // same address, confirms nothing about the sender there now.
    const sender = await port.senders.get(ticket.address).catch((err: unknown) => {
      if (isEngineError(err, 'sender-not-found')) throw new AliyunApiError('ticket-not-found', {}, { cause: err });
      throw err;
    });
    if (ticket.senderCreatedAt !== undefined && ticket.senderCreatedAt !== sender.createdAt) throw new AliyunApiError('ticket-not-found', {});
    const profile = await port.senderProfiles.get(ticket.address);
    // A reply-to changed after the mail was sent is not confirmed by the old ticket.
    if (profile.replyAddress !== ticket.replyAddress) throw new AliyunApiError('ticket-not-found', {});
    await port.senderProfiles.update(ticket.address, { replyVerified: true });
    return {};
  },

  async UpdateMailAddressMsgCallBackUrl(params, { port }) {
    const sender = await senderByMailFrom(port, params);
    const url = params.optional('NotifyUrl', { maxLength: 1024 }) ?? '';
    if (url !== '' && !/^https?:\/\/[^\s]+$/u.test(url)) throw new AliyunApiError('notify-url-malformed', { url });
    await port.senderProfiles.update(sender.address, { notifyUrl: url });
    return {};
  },

  async GetMailAddressMsgCallBackUrl(params, { port }) {
    const sender = await senderByMailFrom(port, params);
    const url = (await port.senderProfiles.get(sender.address)).notifyUrl ?? '';
    // The URL gets this sender's events in DirectMail's format (packages/webhooks) once events are
    // fed from the event log (a later change adds that feed). 1 = set, 0 = not set.
    return { NotifyUrl: url, NotifyUrlStatus: url === '' ? '0' : '1' };
  },
});
