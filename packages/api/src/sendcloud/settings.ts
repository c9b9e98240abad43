/** SendCloud's own cap on the attachments of one mail, in bytes (code 40819: 附件大小不能超过10485760字节). */
export const SENDCLOUD_MAX_ATTACHMENT_BYTES = 10_485_760;

/** SendCloud's own cap on the API users of one account (code 41112: apiUser不能超过10个). */
export const SENDCLOUD_MAX_API_USERS = 10;

/** SendCloud's own cap on the addresses of `to`, `cc`, `bcc` and `xsmtpapi.to`, each (40807, 40854, 40857, 40827). */
export const SENDCLOUD_MAX_RECIPIENTS = 100;

/**
 * Postmill's cap on the attachment bytes one mail/send or mail/sendtemplate stores, one copy per
 * mail it makes (an `xsmtpapi` request makes one per recipient): 50 MiB, five mails with SendCloud's
 * full 10 MiB, or 100 personal mails with 512 KiB each (an invoice or a ticket). SendCloud has no
 * such cap: it stores a request once; Postmill stores each mail's content with it in Redis, so 100
 * copies of 10 MiB would be 1.3 GB of Redis memory (base64) for one request.
 */
export const SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES = 52_428_800;

/**
 * The SendCloud dialect's limits, each a setting (`SENDCLOUD_MAX_ATTACHMENT_BYTES`,
 * `SENDCLOUD_MAX_API_USERS`, `SENDCLOUD_MAX_RECIPIENTS`, `SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES`)
 * whose default is SendCloud's own value (the last is Postmill's own, see its constant).
 */
export interface SendCloudSettings {
  /** Most bytes of the `attachments` parts of one request together. Default 10 485 760 (SendCloud's). */
  readonly maxAttachmentBytes: number;
  /** Most API users `apiuser/add` creates (the built-in credential is not counted). Default 10 (SendCloud's). */
  readonly maxApiUsers: number;
  /** Most addresses in each of `to`, `cc`, `bcc` and `xsmtpapi.to`. Default 100 (SendCloud's). */
  readonly maxRecipients: number;
  /** Most attachment bytes one send request stores, counting one copy per mail it makes. Default 52 428 800. */
  readonly maxStoredAttachmentBytes: number;
}

/** The settings with SendCloud's defaults for those not given. */
export function resolveSendCloudSettings(given: Partial<SendCloudSettings> | undefined): SendCloudSettings {
  return {
    maxAttachmentBytes: given?.maxAttachmentBytes ?? SENDCLOUD_MAX_ATTACHMENT_BYTES,
    maxApiUsers: given?.maxApiUsers ?? SENDCLOUD_MAX_API_USERS,
    maxRecipients: given?.maxRecipients ?? SENDCLOUD_MAX_RECIPIENTS,
    maxStoredAttachmentBytes: given?.maxStoredAttachmentBytes ?? SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES,
  };
}

/**
 * The largest request body the SendCloud route reads: the request limit (`MAX_REQUEST_BYTES`,
 * which bounds every other dialect's body and here the form fields) plus the attachment limit, so
 * a mail with SendCloud's full 10 MiB of attachments still arrives and is judged by 40819.
 */
export function sendCloudBodyLimit(maxRequestBytes: number, settings: SendCloudSettings): number {
  return maxRequestBytes + settings.maxAttachmentBytes;
}
