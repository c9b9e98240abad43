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
