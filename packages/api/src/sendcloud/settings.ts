/** SendCloud's own cap on the attachments of one mail, in bytes (code 40819: 附件大小不能超过10485760字节). */
export const SENDCLOUD_MAX_ATTACHMENT_BYTES = 10_485_760;

/** SendCloud's own cap on the API users of one account (code 41112: apiUser不能超过10个). */
export const SENDCLOUD_MAX_API_USERS = 10;

/**
 * The SendCloud dialect's limits, each a setting (`SENDCLOUD_MAX_ATTACHMENT_BYTES`,
 * `SENDCLOUD_MAX_API_USERS`) whose default is SendCloud's own value.
 */
export interface SendCloudSettings {
  /** Most bytes of the `attachments` parts of one request together. Default 10 485 760 (SendCloud's). */
  readonly maxAttachmentBytes: number;
  /** Most API users `apiuser/add` creates (the built-in credential is not counted). Default 10 (SendCloud's). */
  readonly maxApiUsers: number;
}

/** The settings with SendCloud's defaults for those not given. */
export function resolveSendCloudSettings(given: Partial<SendCloudSettings> | undefined): SendCloudSettings {
  return {
    maxAttachmentBytes: given?.maxAttachmentBytes ?? SENDCLOUD_MAX_ATTACHMENT_BYTES,
    maxApiUsers: given?.maxApiUsers ?? SENDCLOUD_MAX_API_USERS,
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
