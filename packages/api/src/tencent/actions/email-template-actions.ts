import type { TemplateRecord } from '@postmill/store';
import { z } from 'zod';
import { defineAction, type TencentAction } from '../action.ts';
import { pageLimit, pageOffset } from '../pagination.ts';
import { encodeTemplateContent, templateContentSchema, templateInput } from '../template-content.ts';

// The name's rules (not blank, at most 100 characters, no control characters) are the engine's.
const templateName = z.string();

const templateId = z.number().int().nonnegative();

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Creates a template from base64 Html/Text; it is approved at once (Postmill has no review). */
const createEmailTemplate = defineAction({
  name: 'CreateEmailTemplate',
  input: z.strictObject({ TemplateName: templateName, TemplateContent: templateContentSchema }),
  async handle(input, { deps }) {
    const template = await deps.engine.templates.create(templateInput(input.TemplateName, input.TemplateContent));
    return { TemplateID: template.id };
  },
});

/** One template, its content re-encoded to base64 exactly as stored. */
const getEmailTemplate = defineAction({
  name: 'GetEmailTemplate',
  input: z.strictObject({ TemplateID: templateId }),
  async handle(input, { deps }) {
    const template = await deps.engine.templates.get(input.TemplateID);
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
    const page = await deps.engine.templates.list({ offset: input.Offset, limit: input.Limit });
    return { TemplatesMetadata: page.items.map(metadata), TotalCount: page.total };
  },
});

/** Replaces a template's name and whole content (a part not given is removed); it stays approved. */
const updateEmailTemplate = defineAction({
  name: 'UpdateEmailTemplate',
  input: z.strictObject({ TemplateID: templateId, TemplateName: templateName, TemplateContent: templateContentSchema }),
  async handle(input, { deps }) {
    await deps.engine.templates.update(input.TemplateID, templateInput(input.TemplateName, input.TemplateContent));
    return {};
  },
});

/** Deletes a template; an unknown id → `InvalidParameterValue.TemplateNotExist`. */
const deleteEmailTemplate = defineAction({
  name: 'DeleteEmailTemplate',
  input: z.strictObject({ TemplateID: templateId }),
  async handle(input, { deps }) {
    await deps.engine.templates.delete(input.TemplateID);
    return {};
  },
});

/** The template actions (Tencent §2.3). Guarantees Tencent's field names, types and error codes. */
export const templateActions: TencentAction[] = [createEmailTemplate, getEmailTemplate, listEmailTemplates, updateEmailTemplate, deleteEmailTemplate];
