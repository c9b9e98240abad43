/**
 * Whether the API refuses a signature it already accepted (a replay). `dialect-default`: each wire
 * dialect decides by how its vendor behaves: TC3 signs no nonce, so two identical requests in one
 * second sign identically and Tencent serves both (off); a dialect whose requests carry a signed
 * nonce refuses a repeated one (on).
 */
export type ReplayProtection = 'on' | 'off' | 'dialect-default';

/**
 * Every limit Postmill enforces, each a documented setting whose default is Tencent SES's own value.
 * Guarantees: apps build this once from config; packages only read it.
 */
export interface Limits {
  /** Most `Destination` addresses in one SendEmail. Default 50. */
  readonly maxDestinations: number;
  /** Most `Cc` addresses. Default 20. */
  readonly maxCc: number;
  /** Most `Bcc` addresses. Default 20. */
  readonly maxBcc: number;
  /** Most attachments in one mail. Default 10. */
  readonly maxAttachments: number;
  /** Most decoded attachment bytes in one mail. Default 4 MiB. */
  readonly maxAttachmentBytes: number;
  /** Largest API request body. Default 8 MiB. */
  readonly maxRequestBytes: number;
  /** Longest subject in characters. Default 100. */
  readonly maxSubjectLength: number;
  /** Largest decoded template (Html + Text). Default 1 MiB. */
  readonly maxTemplateBytes: number;
  /** Most entries in one List* page. Default 100. */
  readonly maxPageLimit: number;
  /** Days a message's status stays queryable. Default 30. */
  readonly statusRetentionDays: number;
  /** Most sender addresses. Default 10 (Tencent's per-account cap). */
  readonly maxSenderAddresses: number;
  /** Most recipients in one receiver list. Default 50 000 (Tencent's cap; Postmill handles millions). */
  readonly maxReceiverListSize: number;
  /** Most entries in one CreateReceiverDetail(WithData) call. Default 20 000. */
  readonly maxReceiverUpload: number;
  /** Largest per-recipient TemplateData JSON of a receiver list, in bytes. Default 800 (Tencent's). */
  readonly maxReceiverTemplateDataBytes: number;
  /**
   * Largest `Template.TemplateData` of one SendEmail or BatchSendEmail, in bytes. Default 65 536
   * (Tencent documents no cap for it; the request's 8 MiB bounds it there).
   */
  readonly maxTemplateDataBytes: number;
  /**
   * Most signed API requests one SecretId may make to one action in one second (fixed one-second
   * windows counted in Redis, so across every API process). Default 20 (Tencent's per-action
   * limit); 0 turns the limit off.
   */
  readonly apiRequestsPerSecond: number;
  /** Refuse a signature the API already accepted. Default `dialect-default` (TC3: off, as Tencent). */
  readonly apiReplayProtection: ReplayProtection;
  /**
   * How long a SendEmail idempotency key (`X-Postmill-Idempotency-Key`) answers with its first
   * MessageId, in seconds. Default 86 400 (24 h).
   */
  readonly idempotencyWindowSeconds: number;
}

/** Tencent SES 2020-10-02's own limits (reference §5.4). */
export const TENCENT_LIMITS: Limits = {
  maxDestinations: 50,
  maxCc: 20,
  maxBcc: 20,
  maxAttachments: 10,
  maxAttachmentBytes: 4 * 1024 * 1024,
  maxRequestBytes: 8 * 1024 * 1024,
  maxSubjectLength: 100,
  maxTemplateBytes: 1024 * 1024,
  maxPageLimit: 100,
  statusRetentionDays: 30,
  maxSenderAddresses: 10,
  maxReceiverListSize: 50_000,
  maxReceiverUpload: 20_000,
  maxReceiverTemplateDataBytes: 800,
  maxTemplateDataBytes: 64 * 1024,
  apiRequestsPerSecond: 20,
  apiReplayProtection: 'dialect-default',
  idempotencyWindowSeconds: 24 * 60 * 60,
};

/**
 * The limits that bound one message: its recipients, attachments and subject. Guarantees: a subset
 * of Limits (a deployment's Limits is one), so the deployment's values apply wherever a caller
 * passes none; a dialect whose vendor allows other caps (DirectMail's 100 `ToAddress`, SendCloud's
 * 100 `to`, 10 MiB of attachments) passes its own, built once from its settings.
 */
export type MessageLimits = Pick<Limits, 'maxDestinations' | 'maxCc' | 'maxBcc' | 'maxAttachments' | 'maxAttachmentBytes' | 'maxSubjectLength'>;

/** The message limits of a deployment's Limits (a fresh object holding only those six). */
export function messageLimitsOf(limits: Limits): MessageLimits {
  return {
    maxDestinations: limits.maxDestinations,
    maxCc: limits.maxCc,
    maxBcc: limits.maxBcc,
    maxAttachments: limits.maxAttachments,
    maxAttachmentBytes: limits.maxAttachmentBytes,
    maxSubjectLength: limits.maxSubjectLength,
  };
}
