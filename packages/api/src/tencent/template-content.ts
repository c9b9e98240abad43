import type { TemplateInput } from '@postmill/engine';
import { z } from 'zod';

/** Tencent's `TemplateContent` struct as received: base64 `Html` and/or `Text`, nothing else. */
export const templateContentSchema = z.strictObject({
  Html: z.string().optional(),
  Text: z.string().optional(),
});

/** A TemplateName and TemplateContent as the engine's template (its parts base64 of UTF-8, decoded and checked there). */
export function templateInput(name: string, content: { Html?: string | undefined; Text?: string | undefined }): TemplateInput {
  return {
    name,
    encoding: 'base64',
    ...(content.Html === undefined ? {} : { html: content.Html }),
    ...(content.Text === undefined ? {} : { text: content.Text }),
  };
}

/** Encodes stored content back to Tencent's TemplateContent (base64 of UTF-8), with only the parts that exist. */
export function encodeTemplateContent(content: { readonly html?: string; readonly text?: string }): { Html?: string; Text?: string } {
  return {
    ...(content.html === undefined ? {} : { Html: Buffer.from(content.html, 'utf8').toString('base64') }),
    ...(content.text === undefined ? {} : { Text: Buffer.from(content.text, 'utf8').toString('base64') }),
  };
}
