import { composeMessage } from '../compose-message.ts';
import { domainOf, type Mailbox } from '../email-address.ts';
import type { MailAttachment, MailMessage } from '../mail-message.ts';
import type { MessageSpec } from '../message-spec.ts';
import { renderTemplate, type TemplateData } from '../template.ts';
import type { TrackingGrant } from '../tracking/tracking-grant.ts';

/** What every recipient of a campaign shares: the task's sender, subject and template snapshot. */
export interface CampaignContent {
  readonly taskId: number;
  readonly from: Mailbox;
  readonly replyTo?: string;
  readonly subject: string;
  readonly html?: string;
  readonly text?: string;
  /** Task-level TemplateData; a recipient's own data wins on the same key. */
  readonly templateData: TemplateData;
  readonly attachments: readonly MailAttachment[];
  /** Tencent Unsubscribe option "0".."12". */
  readonly unsubscribe: string;
  /** Tencent ADLocation: 0 none, 1 marker before the subject, 2 after. */
  readonly adLocation: number;
  /** The tag the sender gave the campaign (DirectMail's TagName): its statistics are also counted under it. */
  readonly tag?: string;
  /** Open/click tracking of every recipient's HTML, when the campaign switched it on (absent: none). */
  readonly tracking?: TrackingGrant;
}

/** The marker ADLocation adds to a subject. */
export const AD_MARKER = '(AD)';

/** The API MessageId of one campaign mail: deterministic per (task, run, recipient index). */
export function campaignMessageId(taskId: number, run: number, index: number): string {
  return `pm-task-${taskId}-${run}-${index}`;
}

/** The (task, run, index) of a campaign MessageId, or undefined for any other id. */
export function parseCampaignMessageId(id: string): { taskId: number; run: number; index: number } | undefined {
  const m = /^pm-task-(\d{1,15})-(\d{1,9})-(\d{1,12})$/u.exec(id);
  if (!m) return undefined;
  return { taskId: Number(m[1]), run: Number(m[2]), index: Number(m[3]) };
}

/**
 * The personalised message for one recipient of one run. Guarantees: variables are rendered with
 * the same escaping as SendEmail (HTML-escaped in Html, single-line in the Subject); the
 * Message-ID `<t<task>.r<run>.i<index>@<sender domain>>` is the same every time this recipient of
 * this run is sent, so a resend after a crash can be recognised; with an Unsubscribe option the
 * link and RFC 8058 headers are added; with `content.tracking` the HTML's links and pixel are this
 * recipient's own (counted under the task's tag).
 */
export function composeCampaignMessage(
  content: CampaignContent,
  r: {
    readonly run: number;
    readonly index: number;
    readonly email: string;
    readonly data?: TemplateData;
    readonly nowMs: number;
    readonly unsubscribeUrl?: string;
  },
): MailMessage {
  const data = r.data ? { ...content.templateData, ...r.data } : content.templateData;
  let subject = renderTemplate(content.subject, data, 'header');
  if (content.adLocation === 1) subject = `${AD_MARKER} ${subject}`;
  else if (content.adLocation === 2) subject = `${subject} ${AD_MARKER}`;
  const spec: MessageSpec = {
    messageId: campaignMessageId(content.taskId, r.run, r.index),
    acceptedAt: r.nowMs,
    from: content.from,
    to: [r.email],
    cc: [],
    bcc: [],
    ...(content.replyTo !== undefined ? { replyTo: content.replyTo } : {}),
    subject,
    ...(content.html !== undefined ? { html: renderTemplate(content.html, data, 'html') } : {}),
    ...(content.text !== undefined ? { text: renderTemplate(content.text, data, 'text') } : {}),
    attachments: content.attachments,
    headers: {},
    smtpMessageId: `<t${content.taskId}.r${r.run}.i${r.index}@${domainOf(content.from.address)}>`,
    unsubscribe: r.unsubscribeUrl === undefined ? '0' : content.unsubscribe,
    triggerType: 0,
    ...(content.tag !== undefined ? { tag: content.tag } : {}),
    ...(content.tracking !== undefined ? { tracking: content.tracking } : {}),
  };
  const personal = r.unsubscribeUrl !== undefined || content.tracking !== undefined;
  return composeMessage(spec, personal ? { recipient: r.email, ...(r.unsubscribeUrl === undefined ? {} : { unsubscribeUrl: r.unsubscribeUrl }) } : undefined);
}
