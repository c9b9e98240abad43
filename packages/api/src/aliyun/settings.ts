/** DirectMail's own cap on the addresses of SingleSendMail's `ToAddress` (and Postmill's on `BccAddress`, which DirectMail documents none for). */
export const ALIYUN_MAX_RECIPIENTS = 100;

/** DirectMail's own cap on SingleSendMail's `Subject`, in characters (older pages said 100). */
export const ALIYUN_MAX_SUBJECT_LENGTH = 256;

/**
 * The DirectMail dialect's limits, each a setting (`ALIYUN_MAX_RECIPIENTS`,
 * `ALIYUN_MAX_SUBJECT_LENGTH`) whose default is DirectMail's own value.
 */
export interface DirectMailSettings {
  /** Most addresses in SingleSendMail's `ToAddress`, and in its `BccAddress`. Default 100 (DirectMail's). */
  readonly maxRecipients: number;
  /** Longest SingleSendMail `Subject` in characters, as given and once its template is filled in. Default 256 (DirectMail's). */
  readonly maxSubjectLength: number;
}

/** The settings with DirectMail's defaults for those not given. */
export function resolveDirectMailSettings(given: Partial<DirectMailSettings> | undefined): DirectMailSettings {
  return {
    maxRecipients: given?.maxRecipients ?? ALIYUN_MAX_RECIPIENTS,
    maxSubjectLength: given?.maxSubjectLength ?? ALIYUN_MAX_SUBJECT_LENGTH,
  };
}
