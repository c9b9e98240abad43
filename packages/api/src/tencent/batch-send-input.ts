import { z } from 'zod';

const uint = z.number().int().nonnegative();

/**
 * BatchSendEmail's request (reference §2.1) plus Postmill's documented extensions:
 * `CycleParam.EndTime` / `CycleParam.MaxOccurrences`, and `CronParam` as an alternative
 * recurrence for TaskType 3.
 */
export const batchSendEmailInput = z.strictObject({
  FromEmailAddress: z.string(),
  ReceiverId: uint,
  Subject: z.string(),
  TaskType: uint,
  ReplyToAddresses: z.string().optional(),
  Template: z.strictObject({ TemplateID: uint, TemplateData: z.string().optional() }).optional(),
  Simple: z.strictObject({ Html: z.string().optional(), Text: z.string().optional() }).optional(),
  Attachments: z.array(z.strictObject({ FileName: z.string(), Content: z.string().optional(), FileURL: z.string().optional() })).optional(),
  CycleParam: z
    .strictObject({
      BeginTime: z.string(),
      IntervalTime: uint,
      TermCycle: uint.optional(),
      EndTime: z.string().optional(),
      MaxOccurrences: uint.optional(),
    })
    .optional(),
  TimedParam: z.strictObject({ BeginTime: z.string() }).optional(),
  CronParam: z
    .strictObject({
      Expression: z.string(),
      TimeZone: z.string().optional(),
      BeginTime: z.string().optional(),
      EndTime: z.string().optional(),
      MaxOccurrences: uint.optional(),
    })
    .optional(),
  Unsubscribe: z.string().optional(),
  ADLocation: uint.optional(),
});

export type BatchSendEmailInput = z.output<typeof batchSendEmailInput>;
