import { decodeBase64Text, EngineError } from '@postmill/core';
import type { TemplateInput as StoredTemplateInput } from '@postmill/store';
import type { EngineDeps } from './engine-deps.ts';
import { checkPageLimit } from './page-limit.ts';
import type { TemplateInput, TemplateOperations } from './template-operations.ts';

/** Longest template name in characters (code points). */
export const MAX_TEMPLATE_NAME_LENGTH = 100;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/u;

function checkName(name: string): void {
  if (name.trim() === '')
    throw new EngineError('invalid-input', (f) => `${f('template.name')} is empty.`, { context: { field: 'template.name', rule: 'empty' } });
  if ([...name].length > MAX_TEMPLATE_NAME_LENGTH || CONTROL.test(name)) {
    throw new EngineError('invalid-input', (f) => `${f('template.name')} has at most ${MAX_TEMPLATE_NAME_LENGTH} characters and no control characters.`, {
      context: { field: 'template.name' },
    });
  }
}

function decodePart(part: 'html' | 'text', value: string, encoding: TemplateInput['encoding']): string {
  if (encoding !== 'base64') return value;
  const decoded = decodeBase64Text(value);
  if (decoded === undefined) {
    throw new EngineError('invalid-input', (f) => `${f(`template.${part}`)} is not valid base64 of UTF-8 text.`, {
      context: { field: `template.${part}`, rule: 'base64' },
    });
  }
  return decoded;
}

/**
 * A template's name and content as stored. Guarantees, in this order: a name that is not blank,
 * at most MAX_TEMPLATE_NAME_LENGTH characters, without control characters (`invalid-input`);
 * every given part decodes (strict base64 of UTF-8 when so encoded; `invalid-input`); at least
 * one non-empty part (`missing-content`, field `template`); the decoded parts together at most
 * `maxBytes` (`limit-exceeded`, `template-bytes`).
 */
export function checkTemplate(input: TemplateInput, maxBytes: number): StoredTemplateInput {
  checkName(input.name);
  const html = input.html ? decodePart('html', input.html, input.encoding) : undefined;
  const text = input.text ? decodePart('text', input.text, input.encoding) : undefined;
  if (html === undefined && text === undefined) {
    throw new EngineError('missing-content', (f) => `The template needs a non-empty ${f('template.html')} or ${f('template.text')}.`, {
      context: { field: 'template' },
    });
  }
  const bytes = Buffer.byteLength(html ?? '', 'utf8') + Buffer.byteLength(text ?? '', 'utf8');
  if (bytes > maxBytes) {
    throw new EngineError('limit-exceeded', `The decoded template is ${bytes} bytes; at most ${maxBytes} are allowed.`, {
      context: { limit: 'template-bytes', max: maxBytes, count: bytes },
    });
  }
  return { name: input.name, ...(html === undefined ? {} : { html }), ...(text === undefined ? {} : { text }) };
}

function notFound(templateId: number): EngineError {
  return new EngineError('template-not-found', `The template ${templateId} does not exist.`, { context: { templateId } });
}

/** Templates: approved at once (Postmill does not review them); an update replaces name and whole content. */
export function templateOperations(deps: EngineDeps): TemplateOperations {
  return {
    create: async (input) => deps.templates.create(checkTemplate(input, deps.limits.maxTemplateBytes)),

    async get(templateId) {
      const template = await deps.templates.get(templateId);
      if (!template) throw notFound(templateId);
      return template;
    },

    async list(query) {
      checkPageLimit(query.limit, deps.limits.maxPageLimit);
      return deps.templates.list(query.offset, query.limit);
    },

    update: async (templateId, input) => deps.templates.update(templateId, checkTemplate(input, deps.limits.maxTemplateBytes)),

    async delete(templateId) {
      if (!(await deps.templates.delete(templateId))) throw notFound(templateId);
    },
  };
}
