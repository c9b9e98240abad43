import type { TemplateNameClaim, TemplateRecord } from '@postmill/store';
import { actions } from '../action.ts';
import { AliyunApiError, invalid } from '../aliyun-api-error.ts';
import type { DirectMailPort } from '../engine-port.ts';
import type { ActionParams } from '../params.ts';
import { minuteTime, pageOf, toDirectMailTemplateText, toStoredTemplateText, utcSeconds } from '../wire-values.ts';

/**
 * DescTemplate's TemplateStatus 2 = approved: Postmill does not review templates, so every
 * template is usable at once (the cloud starts new ones "pending approval").
 */
const TEMPLATE_APPROVED = 2;
const TEMPLATE_TYPE_MAIL = 0;

function templateName(params: ActionParams): string {
  const name = params.required('TemplateName');
  if ([...name].length > 30) throw new AliyunApiError('malformed-parameter', { name: 'TemplateName', detail: 'at most 30 characters.' });
  return name;
}

async function allTemplates(port: DirectMailPort): Promise<TemplateRecord[]> {
  return port.readAll((page) => port.templates.list(page));
}

/** The template of that name, or undefined (DirectMail names are unique per account; Tencent's are not: the oldest wins). */
export async function templateByName(port: DirectMailPort, name: string): Promise<TemplateRecord | undefined> {
  return (await allTemplates(port)).find((t) => t.name === name);
}

/**
 * Claims `name` for a new template, or for `templateId` being renamed, or throws the duplicate-name
 * refusal. DirectMail names are unique per account: the claim is atomic, so of concurrent creates
 * (or renames) to one name exactly one goes on. A template holding the name without a claim (made
 * through Tencent, whose names may repeat) is found by the scan after the claim; that scan cannot
 * race a DirectMail create, because every DirectMail create claims first.
 */
async function claimTemplateName(port: DirectMailPort, name: string, templateId?: number): Promise<TemplateNameClaim> {
  const claim = await port.templateProfiles.claimName(name, templateId === undefined ? {} : { templateId });
  if (!claim) throw new AliyunApiError('template-name-duplicate', { name });
  const other = await templateByName(port, name);
  if (other && other.id !== templateId) {
    await port.templateProfiles.releaseClaim(claim);
    throw new AliyunApiError('template-name-duplicate', { name });
  }
  return claim;
}

function bodyOf(params: ActionParams): string | undefined {
  const text = params.optional('TemplateText', { maxLength: 1024 * 1024 });
  return text === undefined ? undefined : toStoredTemplateText(text);
}

/** The subject a batch send uses; its `{Name}` variables are stored as `{{Name}}` like the body's. */
function subjectOf(params: ActionParams): string | undefined {
  const subject = params.optional('TemplateSubject', { maxLength: 256 });
  return subject === undefined ? undefined : toStoredTemplateText(subject);
}

/** Templates: CreateTemplate, QueryTemplateByParam, DescTemplate, ModifyTemplate, DeleteTemplate. */
export const templateActions = actions({
  async CreateTemplate(params, { port }) {
    const name = templateName(params);
    const html = bodyOf(params);
    if (html === undefined) throw new AliyunApiError('missing-parameter', { name: 'TemplateText' });
    const subject = subjectOf(params);
    const fromAlias = params.optional('TemplateNickName', { maxLength: 30 });
    const templateType = params.int('TemplateType', { min: 0, max: 1, fallback: TEMPLATE_TYPE_MAIL });
    if (templateType !== TEMPLATE_TYPE_MAIL) throw invalid('TemplateType', 'only 0 (mail) is supported: Postmill sends no SMS.');
    const claim = await claimTemplateName(port, name);
    let template: TemplateRecord;
    try {
      template = await port.templates.create({ name, html });
    } catch (err) {
      await port.templateProfiles.releaseClaim(claim);
      throw err;
    }
    await port.templateProfiles.settleName(claim, template.id);
    await port.templateProfiles.set(template.id, {
      ...(subject === undefined ? {} : { subject }),
      ...(fromAlias === undefined ? {} : { fromAlias }),
      templateType,
    });
    return { TemplateId: template.id };
  },

  async QueryTemplateByParam(params, { port }) {
    const keyword = params.optional('KeyWord', { maxLength: 60 });
    params.optionalInt('Status', { min: -1, max: 10 });
    const page = params.page({ defaultSize: 20, maxSize: 100 });
    const matching = (await allTemplates(port)).filter((t) => keyword === undefined || t.name.includes(keyword));
    const { rows, ...counts } = pageOf(matching, page);
    return {
      ...counts,
      data: {
        template: rows.map((t) => ({
          TemplateId: String(t.id),
          TemplateName: t.name,
          TemplateStatus: String(TEMPLATE_APPROVED),
          TemplateType: TEMPLATE_TYPE_MAIL,
          TemplateComment: '',
          CreateTime: minuteTime(t.createdAt),
          UtcCreatetime: utcSeconds(t.createdAt),
          SmsStatus: 0,
          SmsTemplateCode: '',
          Smsrejectinfo: '',
        })),
      },
    };
  },

  async DescTemplate(params, { port }) {
    const template = await port.templates.get(params.requiredInt('TemplateId', { min: 1 }));
    const profile = await port.templateProfiles.get(template.id);
    return {
      TemplateName: template.name,
      TemplateSubject: toDirectMailTemplateText(profile.subject ?? ''),
      TemplateNickName: profile.fromAlias ?? '',
      TemplateText: toDirectMailTemplateText(template.html ?? template.text ?? ''),
      TemplateStatus: String(TEMPLATE_APPROVED),
      TemplateType: String(profile.templateType ?? TEMPLATE_TYPE_MAIL),
      CreateTime: minuteTime(template.createdAt),
      Remark: '',
      SmsContent: '',
      SmsType: '',
    };
  },

  async ModifyTemplate(params, { port }) {
    const templateId = params.requiredInt('TemplateId', { min: 1 });
    const name = templateName(params);
    // Every parameter is read before the name is claimed, so a refused parameter never holds a claim.
    const html = bodyOf(params);
    const newSubject = subjectOf(params);
    const newFromAlias = params.optional('TemplateNickName', { maxLength: 30 });
    const current = await port.templates.get(templateId);
    const claim = await claimTemplateName(port, name, templateId);
    try {
      await port.templates.update(templateId, {
        name,
        ...(html !== undefined ? { html } : current.html !== undefined ? { html: current.html } : {}),
        ...(html === undefined && current.text !== undefined ? { text: current.text } : {}),
      });
    } catch (err) {
      await port.templateProfiles.releaseClaim(claim);
      throw err;
    }
    await port.templateProfiles.settleName(claim, templateId);
    if (current.name !== name) await port.templateProfiles.releaseName(current.name, templateId);
    const profile = await port.templateProfiles.get(templateId);
    const subject = newSubject ?? profile.subject;
    const fromAlias = newFromAlias ?? profile.fromAlias;
    await port.templateProfiles.set(templateId, {
      ...profile,
      ...(subject === undefined ? {} : { subject }),
      ...(fromAlias === undefined ? {} : { fromAlias }),
    });
    return {};
  },

  async DeleteTemplate(params, { port }) {
    const templateId = params.requiredInt('TemplateId', { min: 1 });
    const { name } = await port.templates.get(templateId);
    await port.templates.delete(templateId);
    await port.templateProfiles.delete(templateId);
    // Tidiness only: a claim whose template is gone is free already.
    await port.templateProfiles.releaseName(name, templateId);
    return {};
  },
});
