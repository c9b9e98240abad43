import { z } from 'zod';

const uint = z.number().int().nonnegative();

/** SendEmail's request fields exactly as Tencent SES 2020-10-02 defines them (reference §2.1). */
export const sendEmailInput = z.strictObject({
  FromEmailAddress: z.string(),
  Subject: z.string(),
  Destination: z.array(z.string()).optional(),
  Cc: z.array(z.string()).optional(),
  Bcc: z.array(z.string()).optional(),
  ReplyToAddresses: z.string().optional(),
  Template: z
    .strictObject({
      TemplateID: uint,
      // Tencent marks TemplateData required; Postmill accepts its absence for templates without variables.
      TemplateData: z.string().optional(),
    })
    .optional(),
  Simple: z.strictObject({ Html: z.string().optional(), Text: z.string().optional() }).optional(),
  Attachments: z.array(z.strictObject({ FileName: z.string(), Content: z.string().optional(), FileURL: z.string().optional() })).optional(),
  Unsubscribe: z.string().optional(),
  TriggerType: uint.optional(),
  SmtpMessageId: z.string().optional(),
  SmtpHeaders: z.string().optional(),
  HeaderFrom: z.string().optional(),
});

export type SendEmailInput = z.output<typeof sendEmailInput>;

/**
 * Whether a parsed JSON body already is a valid SendEmail input as it stands, tested in one pass
 * over its own keys. Guarantees: true only for a value `sendEmailInput` accepts with equal output
 * (every field known and of its type, the required ones present), so the dialect may use it
 * without the schema walk; false for anything else, including valid inputs it does not recognise
 * as such, and the schema then decides and words the error (every code and message unchanged).
 * SendEmail is the hot path: the walk cost more than the request's own checks.
 */
export function isPlainSendEmailInput(body: object): boolean {
  const v = body as Record<string, unknown>;
  let required = 0;
  for (const key in v) {
    const value = v[key];
    switch (key) {
      case 'FromEmailAddress':
      case 'Subject':
        if (typeof value !== 'string') return false;
        required++;
        break;
      case 'Destination':
      case 'Cc':
      case 'Bcc':
        if (!isStringArray(value)) return false;
        break;
      case 'ReplyToAddresses':
      case 'Unsubscribe':
      case 'SmtpMessageId':
      case 'SmtpHeaders':
      case 'HeaderFrom':
        if (typeof value !== 'string') return false;
        break;
      case 'TriggerType':
        if (!isUint(value)) return false;
        break;
      case 'Template':
        if (!isPlainTemplate(value)) return false;
        break;
      case 'Simple':
        if (!isPlainSimple(value)) return false;
        break;
      case 'Attachments':
        if (!Array.isArray(value) || !value.every(isPlainAttachment)) return false;
        break;
      default:
        return false;
    }
  }
  return required === 2;
}

function isUint(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isStringArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainTemplate(value: unknown): boolean {
  if (!isObject(value)) return false;
  let id = false;
  for (const key in value) {
    if (key === 'TemplateID') {
      if (!isUint(value[key])) return false;
      id = true;
    } else if (key !== 'TemplateData' || typeof value[key] !== 'string') return false;
  }
  return id;
}

function isPlainSimple(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value) if ((key !== 'Html' && key !== 'Text') || typeof value[key] !== 'string') return false;
  return true;
}

function isPlainAttachment(value: unknown): boolean {
  if (!isObject(value)) return false;
  let name = false;
  for (const key in value) {
    if (typeof value[key] !== 'string') return false;
    if (key === 'FileName') name = true;
    else if (key !== 'Content' && key !== 'FileURL') return false;
  }
  return name;
}
