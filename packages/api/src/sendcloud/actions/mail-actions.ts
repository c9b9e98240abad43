import { apiUserMaySend, type SendCloudAction, type SendCloudActionContext, type SendCloudAnswer } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { listsByAlias, sendToLists } from './mail-address-lists.ts';
import { type MailContent, sendBroadcast, sendPersonal } from './mail-deliveries.ts';
import { addressParam, type MailCommon, readMailCommon, refuseEmpty, withSummary } from './mail-input.ts';
import { mailLimits } from './mail-limits.ts';
import { emailStatus } from './mail-status.ts';
import { invokedTemplate } from './mail-template.ts';
import { parseXSmtpApi } from './mail-xsmtpapi.ts';

/** SendCloud's answer to an address-list send: success, with its own status code (B.4). */
const LIST_TASK_CREATED = 40821;

function sent(emailIds: string[], common: MailCommon): SendCloudAnswer {
  return { info: common.respEmailId ? { emailIdList: emailIds } : {} };
}

/**
 * An address-list send: 40820 for an apiUser of type trigger. An inference: SendCloud's docs name
 * no situation for 40820 (没有权限使用地址列表); a list send is a campaign, that is batch mail, which
 * a trigger (触发) apiUser may not send (as 40825 for a batch template).
 */
async function toAddressLists(params: SendCloudParams, common: MailCommon, mail: MailContent, ctx: SendCloudActionContext): Promise<SendCloudAnswer> {
  if (!apiUserMaySend(ctx.apiUserType, 'batch')) throw new SendCloudFailure(40820, `apiUser ${ctx.apiUser} sends trigger mail only`);
  const lists = await listsByAlias(params.list('to'), ctx);
  const taskIds = await sendToLists(lists, mail, common, ctx);
  return { info: { maillistTaskId: taskIds }, statusCode: LIST_TASK_CREATED };
}

/** `html` and `plain` (40870 when both are empty, 40830 `plain` sent empty beside an `html`), `contentSummary` applied to the HTML. */
function inlineContent(params: SendCloudParams, common: MailCommon): { html: string | undefined; text: string | undefined } {
  const html = params.optional('html');
  const text = params.optional('plain');
  if (html === undefined && text === undefined) throw new SendCloudFailure(40870);
  refuseEmpty(params, ['plain'], 40830);
  return { html: withSummary(html, common.contentSummary), text };
}

/**
 * mail/send (B.3): a broadcast mail to `to` (with `cc`, `bcc`); with `xsmtpapi`, one mail per
 * recipient of its `to` with its `sub` variables (to, cc, bcc ignored); with
 * `useAddressList=true`, a campaign over each list `to` names (answered 40821; 40820 for a trigger
 * apiUser). Checks after the shared ones (readMailCommon): `subject` (40808), content (40870,
 * 40830), `xsmtpapi` sent empty (40812), then the recipients.
 */
async function send(params: SendCloudParams, ctx: SendCloudActionContext): Promise<SendCloudAnswer> {
  const common = await readMailCommon(params, ctx);
  const subject = common.subject;
  if (subject === undefined) throw new SendCloudFailure(40808);
  const mail = { subject, ...inlineContent(params, common) };
  if (common.useAddressList) return toAddressLists(params, common, mail, ctx);
  // Sent empty: 40812, not the mail to `to` (the caller meant personal mail).
  refuseEmpty(params, ['xsmtpapi'], 40812);
  const xsmtpapi = params.optional('xsmtpapi');
  if (xsmtpapi !== undefined) {
    const x = parseXSmtpApi(xsmtpapi, mailLimits(ctx.deps).settings);
    return sent(await sendPersonal(x.to, x.variables, common, mail, ctx), common);
  }
  const to = addressParam(params, 'to', { empty: 40805, invalid: 40806, tooMany: 40807 }, ctx);
  if (to.length === 0) throw new SendCloudFailure(40805);
  const cc = addressParam(params, 'cc', { empty: 40852, invalid: 40853, tooMany: 40854 }, ctx);
  const bcc = addressParam(params, 'bcc', { empty: 40855, invalid: 40856, tooMany: 40857 }, ctx);
  return sent(await sendBroadcast({ to, cc, bcc }, common, mail, ctx), common);
}

/**
 * mail/sendtemplate (B.4): the template `templateInvokeName` names (40201, 40202, 40823), its
 * subject when `subject` is empty (40826 when both are), sent per recipient of `xsmtpapi` (40812
 * when absent), or with `useAddressList=true` as a campaign over each list (answered 40821). `cc`
 * and `bcc` are not supported by SendCloud here and are ignored. A template of a type the apiUser
 * may not send is 40825. The template's variables are SendCloud's `%name%` whatever dialect made it
 * (Postmill stores them as `{{name}}`), so `sub` and list member vars fill them alike.
 */
async function sendTemplate(params: SendCloudParams, ctx: SendCloudActionContext): Promise<SendCloudAnswer> {
  const common = await readMailCommon(params, ctx);
  const template = await invokedTemplate(params, ctx);
  const subject = common.subject ?? template.subject;
  if (subject === undefined) throw new SendCloudFailure(40826);
  const mail: MailContent = { subject, html: withSummary(template.html, common.contentSummary), text: template.text };
  if (common.useAddressList) return toAddressLists(params, common, mail, ctx);
  const xsmtpapi = params.optional('xsmtpapi');
  if (xsmtpapi === undefined) throw new SendCloudFailure(40812);
  const x = parseXSmtpApi(xsmtpapi, mailLimits(ctx.deps).settings);
  return sent(await sendPersonal(x.to, x.variables, common, mail, ctx), common);
}

/**
 * SendCloud's sending and delivery status: `mail/send` and `mail/sendtemplate` (POST only, as
 * SendCloud's), `data/emailStatus` (GET and POST).
 */
export const mailActions: SendCloudAction[] = [
  { path: 'mail/send', methods: ['POST'], handle: send },
  { path: 'mail/sendtemplate', methods: ['POST'], handle: sendTemplate },
  { path: 'data/emailStatus', methods: ['GET', 'POST'], handle: emailStatus },
];
