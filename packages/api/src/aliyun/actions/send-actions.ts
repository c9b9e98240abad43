import { randomInt } from 'node:crypto';
import { domainOf, isEngineError, type MessageLimits, messageLimitsOf, normalizeEmail } from '@postmill/core';
import type { InlineContent, TemplateContent } from '@postmill/engine';
import type { SenderAddressRecord } from '@postmill/store';
import { type AliyunActionContext, actions } from '../action.ts';
import { AliyunApiError, invalid } from '../aliyun-api-error.ts';
import type { DirectMailPort } from '../engine-port.ts';
import type { ActionParams } from '../params.ts';
import { resolveDirectMailSettings } from '../settings.ts';
import { existingTag } from './tag-actions.ts';
import { templateByName } from './template-actions.ts';

const ADDRESS_TYPE_SENDER = 1;
/** Tencent-style TriggerType the engine takes: SingleSendMail is transactional mail. */
const TRIGGER = 1;

/** DirectMail's UnSubscribeLinkType as Postmill's unsubscribe option ("0" none, "1" Chinese, "2" English). */
const UNSUBSCRIBE_LINK: Readonly<Record<string, string>> = { disabled: '0', default: '2', 'en-us': '2', 'zh-cn': '1' };

/**
 * The caps a DirectMail send is checked against: DirectMail's own (ALIYUN_MAX_RECIPIENTS addresses
 * in ToAddress and in BccAddress, ALIYUN_MAX_SUBJECT_LENGTH characters of Subject), the
 * deployment's for the rest (DirectMail's OpenAPI takes no attachments). Derived from the settings
 * on each call: a handful of fields, no state.
 */
function directMailLimits(ctx: AliyunActionContext): MessageLimits {
  const settings = resolveDirectMailSettings(ctx.deps.directMail);
  return {
    ...messageLimitsOf(ctx.deps.limits),
    maxDestinations: settings.maxRecipients,
    maxBcc: settings.maxRecipients,
    maxSubjectLength: settings.maxSubjectLength,
  };
}

/** The sender named by AccountName, or InvalidMailAddress.NotFound. */
async function senderOf(port: DirectMailPort, params: ActionParams): Promise<SenderAddressRecord> {
  const accountName = params.required('AccountName', { maxLength: 254 });
  try {
    return await port.senders.get(normalizeEmail(accountName));
  } catch (err) {
    if (isEngineError(err, 'sender-not-found')) throw new AliyunApiError('mail-address-not-found', { address: accountName }, { cause: err });
    throw err;
  }
}

/**
 * AddressType 1 sends from AccountName itself; 0 from a random sender address of the same domain
 * (DirectMail's "random account"), so the envelope varies while the domain stays the sender's.
 */
async function envelopeSender(port: DirectMailPort, sender: SenderAddressRecord, addressType: number): Promise<string> {
  if (addressType === ADDRESS_TYPE_SENDER) return sender.address;
  const domain = domainOf(sender.address);
  const sameDomain = (await port.senders.list()).filter((s) => domainOf(s.address) === domain);
  return sameDomain[randomInt(sameDomain.length || 1)]?.address ?? sender.address;
}

/**
 * A required parameter DirectMail refuses as `Invalid<code>.Malformed` when longer than
 * `maxLength` (an over-long name can name no template or list; an over-long subject is malformed).
 */
function boundedParam(params: ActionParams, name: string, code: string, maxLength: number): string {
  const value = params.required(name);
  if ([...value].length > maxLength) throw new AliyunApiError('malformed-parameter', { name: code, detail: `at most ${maxLength} characters.` });
  return value;
}

function mailbox(address: string, alias: string | undefined): string {
  return alias === undefined ? address : `${alias.replace(/["<>\r\n]/gu, '')} <${address}>`;
}

/** What both sends share: addresses, reply-to, tag, unsubscribe link. */
async function common(params: ActionParams, ctx: AliyunActionContext) {
  const sender = await senderOf(ctx.port, params);
  const addressType = params.requiredInt('AddressType', { min: 0, max: 1 });
  const tagName = params.optional('TagName', { maxLength: 128 });
  if (tagName !== undefined) await existingTag(ctx.port, tagName);
  const clickTrace = params.optionalOneOf('ClickTrace', ['0', '1']) === '1';
  const link = params.optionalOneOf('UnSubscribeLinkType', Object.keys(UNSUBSCRIBE_LINK));
  params.optionalOneOf('UnSubscribeFilterLevel', ['disabled', 'default', 'mailfrom', 'mailfrom_domain', 'edm_id']);
  if (params.optionalBool('DomainAuth')) {
    throw invalid('DomainAuth', 'domain-level sending is not supported: AccountName must be a sender address.');
  }
  const replyAddress = params.optional('ReplyAddress', { maxLength: 254 });
  const replyAlias = params.optional('ReplyAddressAlias', { maxLength: 40 });
  const from = await envelopeSender(ctx.port, sender, addressType);
  return {
    sender,
    from,
    addressType,
    annotation: { ...(tagName === undefined ? {} : { tagName }), clickTrace, addressType },
    /** The engine's tag: the worker counts the send's statistics under it. */
    tag: tagName === undefined ? {} : { tag: tagName },
    /** ClickTrace is DirectMail's data tracking: 1 tracks opens and clicks, 0 (its default) neither. */
    tracking: { opens: clickTrace, clicks: clickTrace },
    unsubscribe: UNSUBSCRIBE_LINK[link ?? 'disabled'] ?? '0',
    ...(replyAddress === undefined ? {} : { explicitReplyTo: mailbox(replyAddress, replyAlias) }),
  };
}

/** A comma-separated address list; its text is bounded by `maxAddresses` addresses of 256 characters (the engine counts them). */
function addressList(params: ActionParams, name: string, options: { required: boolean; maxAddresses: number }): string[] | undefined {
  const maxLength = options.maxAddresses * 256;
  const raw = options.required ? params.required(name, { maxLength }) : params.optional(name, { maxLength });
  return raw
    ?.split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

function templateJson(params: ActionParams): TemplateContent | undefined {
  const raw = params.optional('Template', { maxLength: 1024 * 1024 });
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('Template', 'a JSON object {"TemplateId": …, "TemplateData": {…}} is expected.');
  }
  const t = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const id = Number(t.TemplateId);
  if (!Number.isSafeInteger(id) || id < 1) throw invalid('Template', 'TemplateId must be a template id.');
  const data = t.TemplateData;
  return { kind: 'template', templateId: id, ...(data === undefined ? {} : { data: typeof data === 'string' ? data : JSON.stringify(data) }) };
}

/**
 * Sending: SingleSendMail (one message, ≤ ALIYUN_MAX_RECIPIENTS (100) ToAddress and as many
 * BccAddress, a Subject of ≤ ALIYUN_MAX_SUBJECT_LENGTH (256) characters, accepted and queued before the answer:
 * the SDKs time out after 3-5 s) and BatchSendMail (a campaign over a recipient list, answered
 * once its first run is queued). TagName must name a tag; it and ClickTrace are recorded with
 * the send, and ClickTrace=1 tracks the HTML's opens and clicks (0, the default, tracks nothing).
 */
export const sendActions = actions({
  async SingleSendMail(params, ctx) {
    const shared = await common(params, ctx);
    const limits = directMailLimits(ctx);
    const to = addressList(params, 'ToAddress', { required: true, maxAddresses: limits.maxDestinations }) ?? [];
    const bcc = addressList(params, 'BccAddress', { required: false, maxAddresses: limits.maxBcc });
    const subject = boundedParam(params, 'Subject', 'Subject', limits.maxSubjectLength);
    const html = params.optional('HtmlBody');
    const text = params.optional('TextBody');
    const template = templateJson(params);
    const content: InlineContent | TemplateContent | undefined =
      template ??
      (html === undefined && text === undefined
        ? undefined
        : { kind: 'inline', ...(html === undefined ? {} : { html }), ...(text === undefined ? {} : { text }) });
    const replyToConfigured = params.optionalBool('ReplyToAddress');
    if (replyToConfigured === undefined) throw new AliyunApiError('missing-parameter', { name: 'ReplyToAddress' });
    const configured = replyToConfigured ? (await ctx.port.senderProfiles.get(shared.sender.address)).replyAddress : undefined;
    const replyTo = shared.explicitReplyTo ?? configured;
    const fromAlias = params.optional('FromAlias', { maxLength: 40 });
    const headers = params.optional('Headers', { maxLength: 16 * 1024 });
    const { messageId } = await ctx.port.messages.accept(
      {
        from: mailbox(shared.from, fromAlias),
        to,
        ...(bcc === undefined ? {} : { bcc }),
        ...(replyTo === undefined ? {} : { replyTo }),
        subject,
        ...(content === undefined ? {} : { content }),
        ...(headers === undefined ? {} : { headers }),
        unsubscribe: shared.unsubscribe,
        triggerType: TRIGGER,
        ...shared.tag,
        tracking: shared.tracking,
      },
      { limits },
    );
    await ctx.port.annotations.setForMessage(messageId, shared.annotation, { ttlMs: ctx.deps.limits.statusRetentionDays * 86_400_000 });
    return { EnvId: messageId };
  },

  async BatchSendMail(params, ctx) {
    const shared = await common(params, ctx);
    const profile = await ctx.port.senderProfiles.get(shared.sender.address);
    if (profile.sendType === 'trigger') throw new AliyunApiError('mail-address-send-type', { address: shared.sender.address, sendType: 'trigger' });
    const templateName = boundedParam(params, 'TemplateName', 'TemplateName', 30);
    const template = await templateByName(ctx.port, templateName);
    if (!template) throw new AliyunApiError('template-name-not-found', { name: templateName });
    const receiversName = boundedParam(params, 'ReceiversName', 'ReceiverName', 30);
    // Names are unique (the store refuses a duplicate), so the keyword match holds at most a few lists.
    const list = (await ctx.port.readAll((page) => ctx.port.receivers.list({ ...page, keyword: receiversName }))).find((r) => r.name === receiversName);
    if (!list) throw new AliyunApiError('receiver-name-not-usable', { name: receiversName, reason: 'not-found' });
    if (list.count === 0) throw new AliyunApiError('receiver-name-not-usable', { name: receiversName, reason: 'empty' });
    // A campaign carries no per-send headers in the engine yet; Headers is accepted and not applied.
    params.optional('Headers');
    const templateProfile = await ctx.port.templateProfiles.get(template.id);
    // The template's subject (TemplateSubject, up to 256 characters) is checked by DirectMail's cap, not Tencent's.
    const { taskId } = await ctx.port.campaigns.create(
      {
        from: mailbox(shared.from, templateProfile.fromAlias),
        receiverId: list.id,
        subject: templateProfile.subject ?? template.name,
        ...(shared.explicitReplyTo === undefined ? {} : { replyTo: shared.explicitReplyTo }),
        content: { kind: 'template', templateId: template.id },
        unsubscribe: shared.unsubscribe,
        schedule: { kind: 'now' },
        taskType: 1,
        params: {},
        ...shared.tag,
        tracking: shared.tracking,
      },
      { limits: directMailLimits(ctx) },
    );
    await ctx.port.annotations.setForTask(taskId, shared.annotation, { ttlMs: ctx.deps.limits.statusRetentionDays * 86_400_000 });
    return { EnvId: String(taskId) };
  },
});
