import { domainOf } from './email-address.ts';
import type { MailMessage } from './mail-message.ts';
import { rfcMessageId } from './message-id.ts';
import type { MessageSpec } from './message-spec.ts';
import { escapeHtml } from './template.ts';
import { trackHtml } from './tracking/track-message.ts';
import { UNSUBSCRIBE_TEXT } from './unsubscribe-text.ts';

/** What one copy of a message is personalised with. */
export interface Personalisation {
  /** The single recipient of a personal copy (needed when the message carries an unsubscribe link). */
  readonly recipient: string;
  /** The recipient's one-click unsubscribe URL (absent: a copy personal only for tracking). */
  readonly unsubscribeUrl?: string;
}

/** True when every recipient needs a copy of their own (a personal unsubscribe link, or tracking of HTML mail). */
export function needsPersonalCopies(spec: MessageSpec): boolean {
  return spec.unsubscribe !== '0' || (spec.tracking !== undefined && spec.html !== undefined);
}

/**
 * Builds the message a transport sends. Guarantees: with a personalisation, the body carries the
 * unsubscribe link in the chosen language and the headers carry RFC 8058 `List-Unsubscribe` +
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (when the spec asks for unsubscribe), and
 * with `spec.tracking` the HTML's links and pixel are the recipient's own (see trackHtml; the
 * unsubscribe footer is added after and never tracked); the Message-ID is deterministic per
 * (message, recipient), so a retried request repeats it.
 */
export function composeMessage(spec: MessageSpec, personal?: Personalisation): MailMessage {
  const senderDomain = domainOf(spec.from.address);
  const headers: Record<string, string> = { ...spec.headers };
  let html = spec.html;
  let text = spec.text;
  let messageId = spec.smtpMessageId ?? rfcMessageId(spec.messageId, senderDomain);
  if (personal && spec.tracking !== undefined && html !== undefined) {
    html = trackHtml(html, spec.tracking, {
      messageId: spec.messageId,
      recipient: personal.recipient,
      fromDomain: senderDomain,
      ...(spec.tag === undefined ? {} : { tag: spec.tag }),
    });
  }
  if (personal?.unsubscribeUrl !== undefined && spec.unsubscribe !== '0') {
    const words = UNSUBSCRIBE_TEXT[spec.unsubscribe] ?? UNSUBSCRIBE_TEXT['2'];
    if (words) {
      const url = personal.unsubscribeUrl;
      if (html !== undefined) {
        const footer = `<p style="font-size:12px;color:#888" lang="${words.lang}">${escapeHtml(words.lead)} <a href="${escapeHtml(url)}">${escapeHtml(words.link)}</a></p>`;
        html = /<\/body>/iu.test(html) ? html.replace(/<\/body>/iu, () => `${footer}</body>`) : `${html}${footer}`;
      }
      if (text !== undefined || html === undefined) text = `${text ?? ''}\n\n${words.lead} ${words.link}: ${url}\n`;
    }
    headers['List-Unsubscribe'] = `<${personal.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  if (personal) {
    if (spec.smtpMessageId === undefined) messageId = rfcMessageId(spec.messageId, senderDomain, personal.recipient.replace(/@/gu, '='));
  }
  return {
    from: spec.from,
    ...(spec.headerFrom !== undefined ? { headerFrom: spec.headerFrom } : {}),
    to: spec.to,
    cc: spec.cc,
    bcc: spec.bcc,
    ...(spec.replyTo !== undefined ? { replyTo: spec.replyTo } : {}),
    subject: spec.subject,
    ...(html !== undefined ? { html } : {}),
    ...(text !== undefined ? { text } : {}),
    attachments: spec.attachments,
    messageId,
    headers,
    dateMs: spec.acceptedAt,
  };
}
