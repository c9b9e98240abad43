import type { MailEvent, MailEventKind } from '@postmill/core';
import type { WebhookRequest } from './webhook-request.ts';

/**
 * DirectMail's event `type` for each engine kind it has. DirectMail documents no payload for the
 * URL UpdateMailAddressMsgCallBackUrl sets; its documented event format is the EventBridge one
 * ("Direct Mail events"), so that is what Postmill posts. `request` and `deferred` have no DirectMail
 * event; `dropped` (Postmill refused to send: suppressed, blacklisted) is a failed delivery there.
 */
const DM_TYPES: Readonly<Record<MailEventKind, string | undefined>> = {
  request: undefined,
  deferred: undefined,
  delivered: 'dm:Deliver:Succeed',
  bounced: 'dm:Deliver:Fail',
  dropped: 'dm:Deliver:Fail',
  opened: 'dm:Trace:Open',
  clicked: 'dm:Trace:Click',
  unsubscribed: 'dm:Feedback:UnSubscribe',
};

/** True when DirectMail has an event for `kind` (every kind but `request` and `deferred`). */
export function hasDirectMailEvent(kind: MailEventKind): boolean {
  return DM_TYPES[kind] !== undefined;
}

/**
 * `failed_type` of a failed delivery. The documented sample gives `SmtpNxBox` (no such mailbox) for
 * a hard bounce; the other two values are Postmill's choice, as DirectMail lists none.
 */
function failedType(event: MailEvent): string | undefined {
  if (event.kind === 'dropped') return 'Dropped';
  if (event.kind !== 'bounced') return undefined;
  return event.bounceType === 'soft' ? 'SmtpSoftBounce' : 'SmtpNxBox';
}

/** Headers DirectMail pushes back into events: `X-Notify-Message-ID` and `X-User-Notify-*`. */
function notifyHeaders(event: MailEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.customHeaders ?? {})) {
    if (/^x-(user-)?notify-/iu.test(k)) out[k] = v;
  }
  return out;
}

/** RFC 3339 in UTC, whole seconds (`2024-04-29T03:07:12Z`). */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

/** Options of the DirectMail format; every field documents its default. */
export interface AliyunFormatOptions {
  /** The `region` field and the region in `subject`. Default `cn-hangzhou`. */
  readonly region?: string;
  /** The account id in `subject` and `aliyunaccountid`. Default `postmill`. */
  readonly accountId?: string;
}

/**
 * The event as a CloudEvents 1.0 JSON object in DirectMail's EventBridge shape (type
 * `dm:Deliver:Succeed` …, `data` with `env_id`, `from`, `rcpt`, `msg_id`, `send_time`,
 * `deliver_time`, `status`, `err_code`, `err_msg`, `failed_type`, `tag`). Guarantees: undefined for
 * kinds DirectMail has no event for (`request`, `deferred`); `id` is the engine's event id (the
 * vendor's own id field: receivers deduplicate on it); `env_id` is Postmill's MessageId (the EnvId
 * the send answered); `status` is `0` for success and `2` for failure (the sample's value);
 * times are RFC 3339 UTC. Postmill's choices where the documentation is silent: `url` on
 * `dm:Trace:Click`, `user_agent` and `ip` on the trace and unsubscribe events.
 */
export function formatAliyunEvent(event: MailEvent, options: AliyunFormatOptions = {}): WebhookRequest | undefined {
  const type = DM_TYPES[event.kind];
  if (!type) return undefined;
  const region = options.region ?? 'cn-hangzhou';
  const accountId = options.accountId ?? 'postmill';
  const failed = type === 'dm:Deliver:Fail';
  const failure = failedType(event);
  const reader = event.kind === 'opened' || event.kind === 'clicked' || event.kind === 'unsubscribed';
  const data = {
    header: notifyHeaders(event),
    env_id: event.messageId,
    account: event.sender,
    from: event.sender,
    rcpt: event.recipient,
    msg_id: (event.rfcMessageId ?? event.messageId).replace(/^<|>$/gu, ''),
    ...(event.sentAt === undefined ? {} : { send_time: rfc3339(event.sentAt) }),
    ...(type.startsWith('dm:Deliver') ? { deliver_time: rfc3339(event.at), status: failed ? '2' : '0' } : {}),
    event: type,
    region,
    ...(failed && event.smtpCode !== undefined ? { err_code: String(event.smtpCode) } : {}),
    ...(failed ? { err_msg: event.reason ?? '' } : {}),
    ...(failure === undefined ? {} : { failed_type: failure }),
    ...(event.tag === undefined ? {} : { tag: event.tag }),
    ...(event.kind === 'clicked' && event.link !== undefined ? { url: event.link } : {}),
    ...(reader && event.userAgent !== undefined ? { user_agent: event.userAgent } : {}),
    ...(reader && event.ip !== undefined ? { ip: event.ip } : {}),
  };
  const payload = {
    data,
    id: event.id,
    source: 'acs:dm',
    specversion: '1.0',
    subject: `acs:dm:${region}:${accountId}:${event.sender}`,
    time: rfc3339(event.at),
    type,
    datacontenttype: 'application/json',
    aliyunaccountid: accountId,
    aliyunregionid: region,
  };
  return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(payload) };
}
