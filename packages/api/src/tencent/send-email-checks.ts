import {
  type Limits,
  type MailAttachment,
  type TemplateData,
  type TemplateDataRefusal,
  ValidationError,
  addressKey,
  decodeBase64Strict,
  decodeBase64Text,
  isUnsubscribeOption,
  isValidEmail,
  formatMailbox,
  missingTemplateVariables,
  normalizeEmail,
  parseMailbox,
  parseTemplateData,
} from '@postmill/core';

const CRLF = /[\r\n]/u;

/** Validated recipient lists (normalised, in request order). */
export interface Recipients {
  readonly to: string[];
  readonly cc: string[];
  readonly bcc: string[];
}

function addressList(values: readonly string[] | undefined, field: string, max: number): string[] {
  const list = values ?? [];
  if (list.length > max) {
    throw new ValidationError('FailedOperation.TooManyRecipients', `\`${field}\` has ${list.length} addresses; at most ${max} are allowed.`);
  }
  return list.map((v) => {
    const a = v.trim();
    if (!isValidEmail(a)) throw new ValidationError('FailedOperation.IncorrectEmail', `\`${field}\` contains an invalid email address: "${v}".`);
    return normalizeEmail(a);
  });
}

/**
 * Checks Destination/Cc/Bcc: at least one address, Tencent's caps, valid syntax, Bcc not repeating
 * Destination (compared by addressKey, so `Bob@x` in Bcc repeats `bob@x` in Destination). Other
 * repeats, case variants included, are kept as given: the envelope gets each mailbox once
 * (specRecipients), the headers list To and Cc as written.
 */
export function checkRecipients(input: { Destination?: string[] | undefined; Cc?: string[] | undefined; Bcc?: string[] | undefined }, limits: Limits): Recipients {
  const to = addressList(input.Destination, 'Destination', limits.maxDestinations);
  const cc = addressList(input.Cc, 'Cc', limits.maxCc);
  const bcc = addressList(input.Bcc, 'Bcc', limits.maxBcc);
  if (to.length + cc.length + bcc.length === 0) {
    throw new ValidationError('InvalidParameterValue.EmailAddressIsNULL', 'At least one of `Destination`, `Cc` and `Bcc` must contain an address.');
  }
  const toSet = new Set(to.map(addressKey));
  const dup = bcc.find((a) => toSet.has(addressKey(a)));
  if (dup) throw new ValidationError('InvalidParameterValue', `\`Bcc\` may not repeat a \`Destination\` address: ${dup}.`);
  return { to, cc, bcc };
}

/**
 * Subject: 1 to `maxSubjectLength` characters, no line breaks (they would start a new header).
 * Checked on the subject as given and again once template variables are filled in (`rendered`),
 * and the refusal says which length was counted.
 */
export function checkSubject(subject: string, limits: Limits, options: { rendered?: boolean } = {}): string {
  const length = [...subject].length;
  if (length < 1 || length > limits.maxSubjectLength) {
    throw new ValidationError(
      'InvalidParameterValue.SubjectLengthError',
      options.rendered
        ? `\`Subject\` must be 1 to ${limits.maxSubjectLength} characters long once template variables are filled in (the length is counted after rendering); the rendered subject has ${length}.`
        : `\`Subject\` must be 1 to ${limits.maxSubjectLength} characters long (got ${length}).`,
    );
  }
  if (CRLF.test(subject)) throw new ValidationError('InvalidParameterValue', '`Subject` may not contain line breaks.');
  return subject;
}

/** The Tencent code of each TemplateData refusal, and of a template variable the data lacks, in one action. */
export interface TemplateDataCodes {
  readonly refusals: Readonly<Record<TemplateDataRefusal, string>>;
  readonly missingVariable: string;
}

/**
 * SendEmail's codes, all from its documented error list. A missing variable gets
 * `InvalidParameterValue`: Tencent documents `InvalidParameterValue.TemplateNotMatchData` for
 * BatchSendEmail only, and its parent code is the one SendEmail lists, so a caller matching the
 * `InvalidParameterValue` family handles both actions alike.
 */
export const SEND_EMAIL_TEMPLATE_DATA_CODES: TemplateDataCodes = {
  refusals: {
    TooLarge: 'FailedOperation.EmailContentToolarge',
    NotJson: 'FailedOperation.WrongContentJson',
    NotObject: 'InvalidParameterValue.TemplateDataError',
    BadValue: 'InvalidParameterValue.TemplateDataError',
  },
  missingVariable: 'InvalidParameterValue',
};

/** BatchSendEmail's codes, all from its documented error list. */
export const BATCH_SEND_TEMPLATE_DATA_CODES: TemplateDataCodes = {
  refusals: {
    TooLarge: 'FailedOperation.EmailContentToolarge',
    NotJson: 'InvalidParameterValue.TemplateDataError',
    NotObject: 'InvalidParameterValue.TemplateDataError',
    BadValue: 'InvalidParameterValue.TemplateDataError',
  },
  missingVariable: 'InvalidParameterValue.TemplateNotMatchData',
};

/**
 * `Template.TemplateData` by the rule receiver lists share (`parseTemplateData` in core), capped at
 * `limits.maxTemplateDataBytes`; absent means no variables.
 */
export function checkTemplateData(raw: string | undefined, limits: Limits, codes: TemplateDataCodes): TemplateData {
  if (raw === undefined) return {};
  const verdict = parseTemplateData(raw, { maxBytes: limits.maxTemplateDataBytes });
  if (!verdict.ok) throw new ValidationError(codes.refusals[verdict.refusal], `\`Template.TemplateData\` is refused: ${verdict.message}.`);
  return verdict.data;
}

/**
 * Refuses a template (Subject, Html, Text) that uses a variable nobody provides: a variable is
 * never rendered silently empty. `provided` names what the request's data (and a list's) holds.
 */
export function checkTemplateVariables(parts: readonly (string | undefined)[], provided: Iterable<string>, codes: TemplateDataCodes, from: string): void {
  const missing = missingTemplateVariables(parts, provided);
  if (missing.length > 0) {
    throw new ValidationError(
      codes.missingVariable,
      `The template or Subject uses ${missing.map((m) => `{{${m}}}`).join(', ')}, but no value for it is given in ${from}; a variable is never rendered empty.`,
      { context: { missingVariables: missing } },
    );
  }
}

/** Simple{Html,Text}: strict base64 of UTF-8; at least one part. */
export function decodeSimple(simple: { Html?: string | undefined; Text?: string | undefined }): { html?: string; text?: string } {
  const out: { html?: string; text?: string } = {};
  for (const [field, key] of [['Html', 'html'], ['Text', 'text']] as const) {
    const v = simple[field];
    if (v === undefined || v === '') continue;
    const decoded = decodeBase64Text(v);
    if (decoded === undefined) throw new ValidationError('InvalidParameterValue.EmailContentIsWrong', `\`Simple.${field}\` must be base64-encoded UTF-8.`);
    out[key] = decoded;
  }
  if (out.html === undefined && out.text === undefined) {
    throw new ValidationError('FailedOperation.MissingEmailContent', 'The mail has no content: give `Template` or `Simple.Html`/`Simple.Text`.');
  }
  return out;
}

// Extensions mail providers refuse as attachments (executables and scripts).
const BLOCKED_EXTENSIONS = new Set(['exe', 'bat', 'cmd', 'com', 'scr', 'pif', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'msi', 'msp', 'cpl', 'hta', 'jar', 'ps1', 'reg', 'lnk', 'dll', 'sys']);

/** Attachments: count, name, strict base64 and total decoded size within the limits. */
export function checkAttachments(
  attachments: readonly { FileName: string; Content?: string | undefined; FileURL?: string | undefined }[] | undefined,
  limits: Limits,
): MailAttachment[] {
  const list = attachments ?? [];
  if (list.length > limits.maxAttachments) {
    throw new ValidationError('FailedOperation.TooManyAttachments', `At most ${limits.maxAttachments} attachments are allowed (got ${list.length}).`);
  }
  let total = 0;
  return list.map((a, i) => {
    const name = a.FileName;
    const ext = name.includes('.') ? (name.split('.').pop() ?? '').toLowerCase() : '';
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (name.length < 1 || name.length > 255 || /[\u0000-\u001f\u007f/\\"]/u.test(name) || BLOCKED_EXTENSIONS.has(ext)) {
      throw new ValidationError('FailedOperation.InvalidAttachName', `\`Attachments.${i}.FileName\` "${name}" is not an allowed attachment name.`);
    }
    if (a.FileURL !== undefined) {
      throw new ValidationError('UnsupportedOperation', `\`Attachments.${i}.FileURL\` is not supported (Tencent documents it as unreleased); send \`Content\`.`);
    }
    const bytes = a.Content === undefined ? undefined : decodeBase64Strict(a.Content);
    if (!bytes) throw new ValidationError('InvalidParameterValue.AttachContentIsWrong', `\`Attachments.${i}.Content\` must be base64.`);
    total += bytes.length;
    if (total > limits.maxAttachmentBytes) {
      throw new ValidationError('FailedOperation.AttachContentToolarge', `Attachments total more than ${limits.maxAttachmentBytes} bytes.`);
    }
    return { filename: name, contentBase64: a.Content ?? '' };
  });
}

const RESERVED_HEADERS = new Set(['from', 'to', 'cc', 'bcc', 'subject', 'message-id', 'date', 'reply-to', 'sender', 'return-path', 'mime-version', 'content-type', 'content-transfer-encoding', 'list-unsubscribe', 'list-unsubscribe-post']);

/** SmtpHeaders: a JSON object string of header name → string value; names are RFC 5322 field names, values single-line. */
export function parseSmtpHeaders(raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new ValidationError('InvalidParameterValue', '`SmtpHeaders` must be a JSON object string such as {"X-Campaign":"spring"}.', { cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValidationError('InvalidParameterValue', '`SmtpHeaders` must be a JSON object string such as {"X-Campaign":"spring"}.');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,75}$/u.test(name)) throw new ValidationError('InvalidParameterValue', `\`SmtpHeaders\` has an invalid header name "${name}".`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new ValidationError('InvalidParameterValue', `\`SmtpHeaders\` may not set "${name}"; use the matching SendEmail field.`);
    }
    if (typeof value !== 'string' || CRLF.test(value) || value.length > 998) {
      throw new ValidationError('InvalidParameterValue', `\`SmtpHeaders\` value of "${name}" must be a single-line string.`);
    }
    headers[name] = value;
  }
  return headers;
}

// Printable ASCII except space, '<', '>' and '@'. Mail libraries write Message-ID as given (no
// RFC 2047 encoding), so a control character or a non-ASCII one (NUL, U+0085, U+2028, which `\s`
// does not all match) would reach the wire raw; found by fuzzing.
const MSG_ID = /^<[\x21-\x3b\x3d\x3f\x41-\x7e]{1,200}@[\x21-\x3b\x3d\x3f\x41-\x7e]{1,200}>$/u;

/** SmtpMessageId: `<id@domain>` in printable ASCII. */
export function checkSmtpMessageId(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!MSG_ID.test(raw)) throw new ValidationError('InvalidParameterValue', '`SmtpMessageId` must look like <unique-id@your.domain>, in printable ASCII.');
  return raw;
}

/** Unsubscribe option "0".."12" (default "0"). */
export function checkUnsubscribe(raw: string | undefined): string {
  const v = raw ?? '0';
  if (!isUnsubscribeOption(v)) throw new ValidationError('InvalidParameterValue', '`Unsubscribe` must be one of "0" to "12".');
  return v;
}

/** A single address field (ReplyToAddresses, HeaderFrom) in `addr` or `Alias <addr>` form, single line. */
export function checkMailboxField(raw: string | undefined, field: string): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (CRLF.test(raw)) throw new ValidationError('InvalidParameterValue', `\`${field}\` may not contain line breaks.`);
  return formatMailbox(parseMailbox(raw, 'FailedOperation.IncorrectEmail'));
}
