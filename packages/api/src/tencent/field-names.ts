import type { FieldNamer } from '@postmill/core';

// Engine input paths → Tencent SES 2020-10-02 parameter names. A path segment that is a number
// (an index) is kept as is: `attachments.0.fileName` → `Attachments.0.FileName`.
const WHOLE: Readonly<Record<string, string>> = {
  from: 'FromEmailAddress',
  to: 'Destination',
  replyTo: 'ReplyToAddresses',
  templateData: 'Template.TemplateData',
  'content.html': 'Simple.Html',
  'content.text': 'Simple.Text',
  'template.html': 'TemplateContent.Html',
  'template.text': 'TemplateContent.Text',
  'template.name': 'TemplateName',
  headers: 'SmtpHeaders',
  senderDomain: 'Domain',
  recipientDomain: 'ReceivingMailboxType',
  date: 'RequestDate',
  domain: 'EmailIdentity',
  address: 'EmailAddress',
  senderName: 'EmailSenderName',
  email: 'Email',
  'receiverList.name': 'ReceiversName',
  'receiverList.desc': 'Desc',
  createTimeBegin: 'CreateTimeBegin',
  createTimeEnd: 'CreateTimeEnd',
};

const SEGMENT: Readonly<Record<string, string>> = {
  attachments: 'Attachments',
  fileName: 'FileName',
  contentBase64: 'Content',
  url: 'FileURL',
  adLocation: 'ADLocation',
};

/** The Tencent parameter name of an engine field path (`to` → `Destination`), without quoting. */
export function tencentFieldName(field: string): string {
  const whole = WHOLE[field];
  if (whole !== undefined) return whole;
  return field
    .split('.')
    .map((part) => SEGMENT[part] ?? (/^\d+$/u.test(part) ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('.');
}

/** Names engine fields the way Tencent's own messages do: its parameter name in backquotes. */
export const TENCENT_FIELD_NAMER: FieldNamer = (field) => `\`${tencentFieldName(field)}\``;
