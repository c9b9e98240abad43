import type { AttachmentInput, InlineContent, TemplateContent } from '@postmill/engine';

/**
 * A request's Template / Simple as the engine's content: the template when given (Tencent ignores
 * Simple then), else Simple's base64 parts, else none (the engine refuses the message).
 */
export function messageContent(input: {
  Template?: { TemplateID: number; TemplateData?: string | undefined } | undefined;
  Simple?: { Html?: string | undefined; Text?: string | undefined } | undefined;
}): InlineContent | TemplateContent | undefined {
  if (input.Template) {
    return {
      kind: 'template',
      templateId: input.Template.TemplateID,
      ...(input.Template.TemplateData === undefined ? {} : { data: input.Template.TemplateData }),
    };
  }
  if (input.Simple) {
    return {
      kind: 'inline',
      encoding: 'base64',
      ...(input.Simple.Html === undefined ? {} : { html: input.Simple.Html }),
      ...(input.Simple.Text === undefined ? {} : { text: input.Simple.Text }),
    };
  }
  return undefined;
}

/** Tencent's Attachments as the engine's (Content is base64, FileURL a URL). */
export function messageAttachments(
  list: readonly { FileName: string; Content?: string | undefined; FileURL?: string | undefined }[] | undefined,
): AttachmentInput[] | undefined {
  return list?.map((a) => ({
    fileName: a.FileName,
    ...(a.Content === undefined ? {} : { contentBase64: a.Content }),
    ...(a.FileURL === undefined ? {} : { url: a.FileURL }),
  }));
}
