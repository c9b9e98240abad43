import { createHmac } from 'node:crypto';
import { type MailEvent, type MailEventKind, sendCloudEmailId } from '@postmill/core';
import type { WebhookRequest } from './webhook-request.ts';

/**
 * SendCloud's event name and id (its `webhook/*` event numbers) for each engine kind it has.
 * SendCloud has no deferred event. A hard bounce and a mail Postmill dropped (suppressed,
 * blacklisted) are SendCloud's `invalid` (无效邮件); a soft bounce is `soft_bounce`.
 */
export function sendCloudEventOf(event: Pick<MailEvent, 'kind' | 'bounceType'>): { readonly name: string; readonly id: number } | undefined {
  const byKind: Readonly<Record<MailEventKind, { name: string; id: number } | undefined>> = {
    request: { name: 'request', id: 18 },
    delivered: { name: 'deliver', id: 1 },
    deferred: undefined,
    bounced: event.bounceType === 'soft' ? { name: 'soft_bounce', id: 5 } : { name: 'invalid', id: 4 },
    dropped: { name: 'invalid', id: 4 },
    opened: { name: 'open', id: 11 },
    clicked: { name: 'click', id: 10 },
    unsubscribed: { name: 'unsubscribe', id: 12 },
  };
  return byKind[event.kind];
}

/** The `message` field when the event has no reason of its own. */
const DEFAULT_MESSAGE: Readonly<Record<string, string>> = {
  request: 'Request accepted',
  deliver: 'Successfully delivered',
  invalid: 'Invalid recipient',
  soft_bounce: 'Soft bounce',
};

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const TOKEN_LENGTH = 50;

/**
 * SendCloud's `signature`: lower-case hex of HMAC-SHA256(key = the account's webhook key,
 * message = timestamp + token). Guarantees: the value SendCloud's official verification examples compute.
 */
export function sendCloudSignature(key: string, timestamp: number | string, token: string): string {
  return createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex');
}

/**
 * The 50-character `token` of one event posted to one URL. Guarantees: unguessable without the key,
 * and the same for every retry of that event to that URL (so a receiver may deduplicate on it, as
 * on the event id).
 */
export function sendCloudToken(key: string, eventId: string, url: string): string {
  const bytes = createHmac('sha512', key).update(`token\n${eventId}\n${url}`).digest();
  let out = '';
  for (let i = 0; i < TOKEN_LENGTH; i++) out += TOKEN_ALPHABET[(bytes[i] ?? 0) % TOKEN_ALPHABET.length];
  return out;
}

/** Options of the SendCloud format. */
export interface SendCloudFormatOptions {
  /** The account's webhook key (SendCloud's APP_KEY, SENDCLOUD_WEBHOOK_KEY): signs every event. */
  readonly webhookKey: string;
}

/**
 * The event as SendCloud posts it: one `application/x-www-form-urlencoded` body with `event`,
 * `emailId`, `recipient`, `timestamp` (epoch ms), `token`, `signature`, the common fields
 * (`message`, `apiUser`, `category`, `labelId`, `maillistTaskId`, `mail_list_task_id`,
 * `userHeaders`) and the per-event ones (`request`: `messageId`, `recipientArray`, `emailIds`,
 * `recipientSize`; `open`, `click`, `unsubscribe`: `ip`, `explorerName`, `explorerVer`, `oSName`,
 * `oSVer`; `click`: `url`). Guarantees: undefined for kinds SendCloud has no event for (`deferred`);
 * `signature` verifies with `sendCloudSignature(webhookKey, timestamp, token)`; the same event to
 * the same URL gives the same body. A request event names its one recipient (the engine's events
 * are per recipient).
 */
export function formatSendCloudEvent(event: MailEvent, url: string, options: SendCloudFormatOptions): WebhookRequest | undefined {
  const kind = sendCloudEventOf(event);
  if (!kind) return undefined;
  const timestamp = event.at;
  const token = sendCloudToken(options.webhookKey, event.id, url);
  // The dialect's formula (core), so the event names the emailId the send answered.
  const emailId = sendCloudEmailId({ messageId: event.messageId, index: event.index ?? 0, recipient: event.recipient });
  const form = new URLSearchParams();
  const add = (name: string, value: string | number | undefined) => {
    if (value !== undefined) form.append(name, String(value));
  };
  add('event', kind.name);
  add('emailId', emailId);
  add('recipient', event.recipient);
  add('timestamp', timestamp);
  add('token', token);
  add('signature', sendCloudSignature(options.webhookKey, timestamp, token));
  add('message', event.reason ?? DEFAULT_MESSAGE[kind.name] ?? '');
  add('apiUser', event.apiUser ?? '');
  add('category', event.apiUser ?? '');
  add('labelId', event.tag !== undefined && /^\d+$/u.test(event.tag) ? event.tag : '');
  add('maillistTaskId', event.taskId ?? '');
  add('mail_list_task_id', event.taskId ?? '');
  const userHeaders = Object.fromEntries(Object.entries(event.customHeaders ?? {}).filter(([k]) => /^sc-custom-/iu.test(k)));
  add('userHeaders', JSON.stringify(userHeaders));
  if (kind.name === 'request') {
    add('messageId', `${event.messageId}.sc`);
    add('recipientArray', JSON.stringify([event.recipient]));
    add('emailIds', JSON.stringify([emailId]));
    add('recipientSize', 1);
  }
  if (event.kind === 'opened' || event.kind === 'clicked' || event.kind === 'unsubscribed') {
    add('ip', event.ip ?? '');
    add('explorerName', event.client?.browser ?? '');
    add('explorerVer', event.client?.browserVersion ?? '');
    add('oSName', event.client?.os ?? '');
    add('oSVer', event.client?.osVersion ?? '');
  }
  if (event.kind === 'clicked') add('url', event.link ?? '');
  return { contentType: 'application/x-www-form-urlencoded', body: form.toString() };
}
