/**
 * The engine's recipient-level event kinds, a closed set. Guarantees: every event the engine
 * records or pushes is one of these; dialects translate them to their own names (Tencent's
 * `bounce`, SendCloud's `soft_bounce`/`invalid`, DirectMail's `dm:Deliver:Fail`...), never the reverse.
 */
export const MAIL_EVENT_KINDS = ['request', 'delivered', 'deferred', 'bounced', 'dropped', 'opened', 'clicked', 'unsubscribed'] as const;

/** One of MAIL_EVENT_KINDS. */
export type MailEventKind = (typeof MAIL_EVENT_KINDS)[number];

/** A bounce the recipient's server will keep giving (`hard`: no such mailbox) or may not (`soft`: full, greylisted). */
export type BounceType = 'soft' | 'hard';

/** True when `value` names an engine event kind. */
export function isMailEventKind(value: unknown): value is MailEventKind {
  return typeof value === 'string' && (MAIL_EVENT_KINDS as readonly string[]).includes(value);
}

/**
 * One thing that happened to one recipient of one message, in the engine's vocabulary.
 * Guarantees: `id` is stable for the event (pushing it twice pushes the same id: receivers
 * deduplicate on it); `at` is epoch milliseconds from the engine's clock; optional fields are
 * absent, never empty strings, when unknown. The fields are the union of what the three vendors'
 * event formats carry (see packages/webhooks).
 */
export interface MailEvent {
  /** Stable, unique id of this event (letters, digits, `-`, `_`; at most 128 characters). */
  readonly id: string;
  readonly kind: MailEventKind;
  /** When it happened, epoch milliseconds. */
  readonly at: number;
  /** Postmill's MessageId, as SendEmail / SingleSendMail answer it, or a campaign MessageId `pm-task-<task>-<run>-<index>`. */
  readonly messageId: string;
  /** The recipient address, normalised as the engine stores it. */
  readonly recipient: string;
  /** The sender address (without display name). */
  readonly sender: string;
  /** The recipient's 0-based position in its message (to, then cc, then bcc); 0 for campaign mail. Default 0. */
  readonly index?: number;
  /** The batch task (campaign) the mail belongs to. */
  readonly taskId?: number;
  /** The run of that task. */
  readonly run?: number;
  /** The RFC 5322 Message-ID header of the mail, angle brackets included. */
  readonly rfcMessageId?: string;
  /** When the mail was accepted for sending, epoch milliseconds. */
  readonly sentAt?: number;
  /** The mail's tag (DirectMail TagName, SendCloud labelId as text). */
  readonly tag?: string;
  readonly templateId?: number;
  /** The subject as sent (decoded text). */
  readonly subject?: string;
  /** Human-readable reason: the provider's or remote server's answer for bounced, deferred, dropped. */
  readonly reason?: string;
  /** Only for `bounced`. */
  readonly bounceType?: BounceType;
  /** The SMTP reply code of the answer `reason` quotes (e.g. 550), when there was one. */
  readonly smtpCode?: number;
  /** Only for `clicked`: the link that was followed (as written in the mail). */
  readonly link?: string;
  /** Only for `opened`, `clicked`, `unsubscribed`: the reader's user agent. */
  readonly userAgent?: string;
  /** Only for `opened`, `clicked`, `unsubscribed`: the reader's IP address. */
  readonly ip?: string;
  /** Only for `opened`, `clicked`, `unsubscribed`: the reader's browser and system, when the user agent told them. */
  readonly client?: { readonly browser?: string; readonly browserVersion?: string; readonly os?: string; readonly osVersion?: string };
  /** Only for `opened`, `clicked`: true when a machine (scanner, privacy proxy, bot) made it, not a person. */
  readonly machine?: boolean;
  /** The provider's own answer for the recipient (e.g. its emailId or queue id), when it gave one. */
  readonly providerResponse?: string;
  /** The API user the mail was sent under (SendCloud's `apiUser`, which its webhooks filter on). */
  readonly apiUser?: string;
  /** Caller-defined headers of the mail that events echo back (SendCloud `SC-Custom-*`, Tencent `X-Tencentcloudses-Cb-Custom`). */
  readonly customHeaders?: Readonly<Record<string, string>>;
}
