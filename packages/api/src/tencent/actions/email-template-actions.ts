import { NotFoundError } from '@postmill/core';
import type { TemplateRecord } from '@postmill/store';
import { z } from 'zod';
import { defineAction, type TencentAction } from '../action.ts';
import { checkPageLimit, pageLimit, pageOffset } from '../pagination.ts';
import { decodeTemplateContent, encodeTemplateContent, templateContentSchema } from '../template-content.ts';

/** Longest TemplateName in characters (code points). Tencent documents none; 100 matches its other name fields. */
export const MAX_TEMPLATE_NAME_LENGTH = 100;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/u;

const templateName = z.string().superRefine((name, ctx) => {
  if (name.trim() === '') {
    ctx.addIssue({ code: 'custom', message: 'the template name is empty', params: { tencentCode: 'InvalidParameterValue.TemplateNameIsNULL' } });
  } else if ([...name].length > MAX_TEMPLATE_NAME_LENGTH || CONTROL.test(name)) {
    ctx.addIssue({
      code: 'custom',
      message: `a template name has at most ${MAX_TEMPLATE_NAME_LENGTH} characters and no control characters`,
      params: { tencentCode: 'InvalidParameterValue.TemplateNameIllegal' },
    });
  }
});

const templateId = z.number().int().nonnegative();

function notExist(id: number): NotFoundError {
  return new NotFoundError('InvalidParameterValue.TemplateNotExist', `The template ${id} does not exist.`, { context: { templateId: id } });
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Creates a template from base64 Html/Text; it is approved at once (Postmill has no review). */
const createEmailTemplate = defineAction({
  name: 'CreateEmailTemplate',
  input: z.strictObject({ TemplateName: templateName, TemplateContent: templateContentSchema }),
  async handle(input, { deps }) {
    const content = decodeTemplateContent(input.TemplateContent, deps.limits.maxTemplateBytes);
    const template = await deps.templates.create({ name: input.TemplateName, ...content });
    return { TemplateID: template.id };
  },
});

/** One template, its content re-encoded to base64 exactly as stored. */
const getEmailTemplate = defineAction({
  name: 'GetEmailTemplate',
  input: z.strictObject({ TemplateID: templateId }),
  async handle(input, { deps }) {
    const template = await deps.templates.get(input.TemplateID);
    if (!template) throw notExist(input.TemplateID);
    return { TemplateContent: encodeTemplateContent(template), TemplateStatus: template.status, TemplateName: template.name };
  },
});

function metadata(t: TemplateRecord): Record<string, unknown> {
  return {
    TemplateID: t.id,
    TemplateName: t.name,
    TemplateStatus: t.status,
    ReviewReason: t.reviewReason,
    CreatedTimestamp: seconds(t.createdAt),
  };
}

/** A page of templates in creation order; Limit above the page maximum → `FailedOperation.InvalidLimit`. */
const listEmailTemplates = defineAction({
  name: 'ListEmailTemplates',
  input: z.strictObject({ Limit: pageLimit, Offset: pageOffset }),
  async handle(input, { deps }) {
    checkPageLimit(input.Limit, deps.limits.maxPageLimit);
    const page = await deps.templates.list(input.Offset, input.Limit);
    return { TemplatesMetadata: page.items.map(metadata), TotalCount: page.total };
  },
});

/** Replaces a template's name and whole content (a part not given is removed); it stays approved. */
const updateEmailTemplate = defineAction({
  name: 'UpdateEmailTemplate',
  input: z.strictObject({ TemplateID: templateId, TemplateName: templateName, TemplateContent: templateContentSchema }),
  async handle(input, { deps }) {
    const content = decodeTemplateContent(input.TemplateContent, deps.limits.maxTemplateBytes);
    await deps.templates.update(input.TemplateID, { name: input.TemplateName, ...content });
    return {};
  },
});

/** Deletes a template; an unknown id → `InvalidParameterValue.TemplateNotExist`. */
const deleteEmailTemplate = defineAction({
  name: 'DeleteEmailTemplate',
  input: z.strictObject({ TemplateID: templateId }),
  async handle(input, { deps }) {
    if (!(await deps.templates.delete(input.TemplateID))) throw notExist(input.TemplateID);
    return {};
  },
});

/** The template actions (Tencent §2.3). Guarantees Tencent's field names, types and error codes. */
export const templateActions: TencentAction[] = [createEmailTemplate, getEmailTemplate, listEmailTemplates, updateEmailTemplate, deleteEmailTemplate];
