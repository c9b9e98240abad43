import type { MessageLimits, TrackingSwitch } from '@postmill/core';

/**
 * A message body given inline. `encoding: 'base64'` means each part is standard, padded base64 of
 * UTF-8 (as some wire formats carry it); the engine decodes it and refuses anything else.
 */
export interface InlineContent {
  readonly kind: 'inline';
  readonly html?: string;
  readonly text?: string;
  /** Default `utf8` (the parts are the text itself). */
  readonly encoding?: 'utf8' | 'base64';
}

/** A body rendered from a stored template, with the request's own data (a JSON object string, or parsed). */
export interface TemplateContent {
  readonly kind: 'template';
  readonly templateId: number;
  /** A JSON object string of variable → value, as callers send it; absent means no variables. */
  readonly data?: string;
}

/** An attachment as a caller gives it: standard base64 content, or a URL (refused: `unsupported`). */
export interface AttachmentInput {
  readonly fileName: string;
  readonly contentBase64?: string;
  readonly url?: string;
  /** Set for an inline image the HTML shows as `cid:<contentId>` (SendCloud `embeddedImage`); the dialect has checked it. */
  readonly contentId?: string;
}

/**
 * Accept-at-most-once: the same `key` under the same `scope` (the caller's credential) with the
 * same `fingerprint` (a digest of the dialect's request) answers the first message's id.
 */
export interface IdempotencyInput {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
}

/** One message to one or more recipients, in Postmill's vocabulary. */
export interface AcceptMessageInput {
  /** `addr@domain` or `Alias <addr@domain>`; the address must be a created sender. */
  readonly from: string;
  readonly to?: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  /** One mailbox, `addr` or `Alias <addr>`. */
  readonly replyTo?: string;
  /** The From header shown, when it differs from the envelope sender. */
  readonly headerFrom?: string;
  readonly subject: string;
  /** Absent: refused with `missing-content`. */
  readonly content?: InlineContent | TemplateContent;
  readonly attachments?: readonly AttachmentInput[];
  /** Extra headers as a JSON object string of name → single-line value. */
  readonly headers?: string;
  /** `<id@domain>` to use as the Message-ID header. */
  readonly smtpMessageId?: string;
  /** Unsubscribe option "0" (none) to "12" (see core's UNSUBSCRIBE_TEXT). Default "0". */
  readonly unsubscribe?: string;
  /** 0 = marketing, 1 = transactional. Default 0. */
  readonly triggerType?: number;
  readonly idempotency?: IdempotencyInput;
  /** A tag for statistics (see StatisticsReportInput.tag); the dialect checks it names a tag. */
  readonly tag?: string;
  /** Open/click tracking as the dialect's switch says; absent: the deployment's per-domain setting (TRACKING_DOMAINS). */
  readonly tracking?: TrackingSwitch;
}

/** How an operation on the hot path shares a round trip with the dialect's own checks. */
export interface AcceptOptions {
  /**
   * Settles when the dialect admitted the request (replay and rate checks); rejects with its
   * refusal. The operation reads while it is pending and awaits it before its first write.
   * Default: already admitted.
   */
  readonly admitted?: Promise<void>;
  /**
   * The caps this message is checked against (recipients per field, attachment count and bytes,
   * subject length): a dialect whose vendor allows other values than the deployment's passes its
   * own, built once from its settings. Default: the deployment's Limits (Tencent's values unless
   * configured otherwise).
   */
  readonly limits?: MessageLimits;
}

/** Sending single messages. */
export interface MessageOperations {
  /**
   * Validates, renders (template values HTML-escaped in the body, single-line in the subject) and
   * durably queues one message; answers its id only once the message and its delivery job are in
   * Redis. Nothing is written before `options.admitted` settles. Reads the sender, its domain, the
   * template and unsubscribes in one round trip. Recipients, attachments and subject are checked
   * against `options.limits` when given, else the deployment's.
   */
  accept(input: AcceptMessageInput, options?: AcceptOptions): Promise<{ messageId: string }>;
}
