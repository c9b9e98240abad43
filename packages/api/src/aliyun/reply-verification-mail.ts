import type { AcceptMessageInput } from '@postmill/engine';

/** What the reply-to verification mail says, and to whom. */
export interface ReplyVerification {
  readonly sender: string;
  readonly replyAddress: string;
  readonly ticket: string;
  /** `en` for English, anything else Chinese (as DirectMail's `Lang`). */
  readonly lang?: string | undefined;
}

/** Tencent-style TriggerType the engine takes: 1 = transactional. */
const TRANSACTIONAL = 1;

/**
 * The verification mail CheckReplyToMailAddress sends to a sender's reply-to address: from the
 * sender itself, carrying the ticket ApproveReplyMailAddress takes. A plain transactional message
 * (no unsubscribe link, no template), accepted by the engine like any other mail.
 */
export function replyVerificationMessage(v: ReplyVerification): AcceptMessageInput {
  const english = v.lang === 'en';
  const subject = english ? 'Confirm your reply-to address' : '请验证您的回信地址';
  const text = english
    ? `The sender ${v.sender} uses ${v.replyAddress} as its reply-to address.\n\nTo confirm it, call ApproveReplyMailAddress with Ticket=${v.ticket} (valid for 24 hours).\n\nIf you did not expect this, ignore this mail.`
    : `发信地址 ${v.sender} 将 ${v.replyAddress} 设为回信地址。\n\n请调用 ApproveReplyMailAddress 并传入 Ticket=${v.ticket} 完成验证（24 小时内有效）。\n\n如非本人操作，请忽略此邮件。`;
  return { from: v.sender, to: [v.replyAddress], subject, content: { kind: 'inline', text }, unsubscribe: '0', triggerType: TRANSACTIONAL };
}
