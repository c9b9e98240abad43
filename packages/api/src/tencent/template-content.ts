import { decodeBase64Text, ValidationError } from '@postmill/core';
import { z } from 'zod';

/** Tencent's `TemplateContent` struct as received: base64 `Html` and/or `Text`, nothing else. */
export const templateContentSchema = z.strictObject({
  Html: z.string().optional(),
  Text: z.string().optional(),
});

/** Template content decoded to UTF-8 text; a part is absent when it was not given or empty. */
export interface DecodedTemplateContent {
  readonly html?: string;
  readonly text?: string;
}

function decodePart(field: 'Html' | 'Text', value: string): string {
  const decoded = decodeBase64Text(value);
  if (decoded === undefined) {
    throw new ValidationError('InvalidParameterValue.TemplateContentIsWrong', `TemplateContent.${field} is not valid base64 of UTF-8 text.`, {
      context: { field },
    });
  }
  return decoded;
}

/**
 * Decodes a TemplateContent. Guarantees, in this order: at least one non-empty part, else
 * `InvalidParameterValue.TemplateContentIsNULL`; every given part is strict base64 (padded, standard
 * alphabet, no whitespace) of valid UTF-8, else `InvalidParameterValue.TemplateContentIsWrong`; the
 * decoded bytes of Html + Text together are at most `maxBytes`, else `FailedOperation.TemplateContentToolarge`.
 */
export function decodeTemplateContent(content: { Html?: string | undefined; Text?: string | undefined }, maxBytes: number): DecodedTemplateContent {
  const html = content.Html ? decodePart('Html', content.Html) : undefined;
  const text = content.Text ? decodePart('Text', content.Text) : undefined;
  if (html === undefined && text === undefined) {
    throw new ValidationError('InvalidParameterValue.TemplateContentIsNULL', 'TemplateContent needs a non-empty Html or Text.');
  }
  const bytes = Buffer.byteLength(html ?? '', 'utf8') + Buffer.byteLength(text ?? '', 'utf8');
  if (bytes > maxBytes) {
    throw new ValidationError('FailedOperation.TemplateContentToolarge', `The decoded template is ${bytes} bytes; at most ${maxBytes} are allowed.`, {
      context: { bytes, maxBytes },
    });
  }
  return { ...(html === undefined ? {} : { html }), ...(text === undefined ? {} : { text }) };
}

/** Encodes stored content back to Tencent's TemplateContent (base64 of UTF-8), with only the parts that exist. */
export function encodeTemplateContent(content: DecodedTemplateContent): { Html?: string; Text?: string } {
  return {
    ...(content.html === undefined ? {} : { Html: Buffer.from(content.html, 'utf8').toString('base64') }),
    ...(content.text === undefined ? {} : { Text: Buffer.from(content.text, 'utf8').toString('base64') }),
  };
}
