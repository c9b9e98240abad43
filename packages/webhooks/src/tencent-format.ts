import { domainOf, type MailEvent, type MailEventKind } from '@postmill/core';
import { customHeader, epochSeconds, type WebhookRequest } from './webhook-request.ts';

/** Tencent's `event` name and numeric `eventid` for each engine kind it has; `request` has none (Tencent sends no such event). */
const TENCENT_EVENTS: Readonly<Record<MailEventKind, { readonly event: string; readonly eventid: number } | undefined>> = {
  request: undefined,
  delivered: { event: 'delivered', eventid: 1 },
  dropped: { event: 'dropped', eventid: 2 },
  bounced: { event: 'bounce', eventid: 3 },
  opened: { event: 'open', eventid: 4 },
  clicked: { event: 'click', eventid: 5 },
  unsubscribed: { event: 'unsubscribe', eventid: 7 },
  deferred: { event: 'deferred', eventid: 8 },
};

/** True when Tencent has an event for `kind` (every kind but `request`). */
export function hasTencentEvent(kind: MailEventKind): boolean {
  return TENCENT_EVENTS[kind] !== undefined;
}

/** The custom value Tencent echoes back from the mail header of that name (2025 sample). */
const CUSTOM_HEADER = 'X-Tencentcloudses-Cb-Custom';

/** Options of the Tencent format; every field documents its default. */
export interface TencentFormatOptions {
  /** The `username` field (Tencent's account appId). Default: absent (Postmill has no appId). */
  readonly username?: string;
}

/**
 * `=?UTF-8?B?…?=` for a subject with non-ASCII characters, as Tencent's `subject` field carries it;
 * ASCII subjects are left as they are.
 */
export function mimeEncodedSubject(subject: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is "only 7-bit ASCII".
  if (/^[\x00-\x7f]*$/u.test(subject)) return subject;
  return `=?UTF-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`;
}

/**
 * The event as Tencent SES posts it to a callback address (reference §5.2: one JSON object per
 * event). Guarantees: undefined for kinds Tencent has no event for (`request`); `bulkId` is
 * Postmill's MessageId (what SendEmail answered), `messageId` the RFC 5322 Message-ID without angle
 * brackets, `timestamp` and `sentTimestamp` epoch seconds; `bounceType` (`soft_bounce` /
 * `hard_bounce`) only on `bounce`, `link` only on `click`, `useragent` only on `open` and `click`.
 * Tencent's payload has no event id: receivers deduplicate on the `X-Postmill-Event-Id` header.
 */
export function formatTencentEvent(event: MailEvent, options: TencentFormatOptions = {}): WebhookRequest | undefined {
  const kind = TENCENT_EVENTS[event.kind];
  if (!kind) return undefined;
  const reader = event.kind === 'opened' || event.kind === 'clicked';
  const custom = customHeader(event, CUSTOM_HEADER);
  const payload = {
    event: kind.event,
    eventid: kind.eventid,
    email: event.recipient,
    bulkId: event.messageId,
    timestamp: epochSeconds(event.at),
    reason: event.reason ?? '',
    ...(event.kind === 'bounced' ? { bounceType: event.bounceType === 'soft' ? 'soft_bounce' : 'hard_bounce' } : {}),
    ...(event.kind === 'clicked' && event.link !== undefined ? { link: event.link } : {}),
    ...(reader && event.userAgent !== undefined ? { useragent: event.userAgent } : {}),
    ...(options.username === undefined ? {} : { username: options.username }),
    from: event.sender,
    fromDomain: domainOf(event.sender),
    ...(event.templateId === undefined ? {} : { templateId: event.templateId }),
    ...(event.subject === undefined ? {} : { subject: mimeEncodedSubject(event.subject) }),
    ...(event.rfcMessageId === undefined ? {} : { messageId: event.rfcMessageId.replace(/^<|>$/gu, '') }),
    ...(event.taskId === undefined ? {} : { taskId: event.taskId }),
    ...(event.sentAt === undefined ? {} : { sentTimestamp: epochSeconds(event.sentAt) }),
    ...(custom === undefined ? {} : { [CUSTOM_HEADER]: custom }),
  };
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(payload) };
}
