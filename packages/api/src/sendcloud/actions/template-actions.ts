import { MAX_TEMPLATE_NAME_LENGTH } from '@postmill/engine';
import type { TemplateProfile, TemplateRecord } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';
import { moduleActions } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import type { SendCloudStatusCode } from '../status-codes.ts';
import { managementStores } from './management-stores.ts';
import { listInfo, paging, sendCloudTime } from './management-values.ts';
import { claimInvokeName, templateByInvokeName } from './template-lookup.ts';
import { toSendCloudTemplateText, toStoredTemplateText } from './template-variables.ts';

/**
 * templateStat 1 = approved. Postmill does not review templates: every template is usable at
 * once, so `isSubmitAudit` is accepted (0 or 1) and changes nothing, and templateStat is always 1.
 */
const TEMPLATE_APPROVED = 1;
/** Longest display `name` in characters (SendCloud documents none; its address-list descriptions allow 250). */
const MAX_DISPLAY_NAME_LENGTH = 250;
/** DirectMail's TemplateType of every template Postmill stores (0 = mail). */
const DIRECTMAIL_MAIL_TYPE = 0;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/u;

/** `invokeName`: 40201 absent; 40202 unless it is a name the engine stores (non-blank, ≤ MAX_TEMPLATE_NAME_LENGTH, no control characters). */
function invokeNameOf(params: SendCloudParams): string {
  const name = params.required('invokeName', 40201);
  if (name.trim() === '' || [...name].length > MAX_TEMPLATE_NAME_LENGTH || CONTROL.test(name)) {
    throw new SendCloudFailure(40202, `invokeName has 1 to ${MAX_TEMPLATE_NAME_LENGTH} characters and no control characters`);
  }
  return name;
}

function displayNameOf(params: SendCloudParams, required: boolean): string | undefined {
  if (required || params.present('name')) params.required('name', 40207);
  const name = params.optional('name');
  if (name !== undefined && ([...name].length > MAX_DISPLAY_NAME_LENGTH || CONTROL.test(name))) {
    throw new SendCloudFailure(40208, `name has at most ${MAX_DISPLAY_NAME_LENGTH} characters and no control characters`);
  }
  return name;
}

/** A content part (html, text) as stored; `tooBig` when it alone passes the template size setting. */
function contentOf(
  deps: ApiDeps,
  params: SendCloudParams,
  name: 'html' | 'text',
  codes: { missing: SendCloudStatusCode; tooBig: SendCloudStatusCode },
  required: boolean,
) {
  if (required || params.present(name)) params.required(name, codes.missing);
  const value = params.optional(name);
  if (value === undefined) return undefined;
  if (Buffer.byteLength(value, 'utf8') > deps.limits.maxTemplateBytes) {
    throw new SendCloudFailure(codes.tooBig, `${name} is over ${deps.limits.maxTemplateBytes} bytes (maxTemplateBytes)`);
  }
  return toStoredTemplateText(value);
}

function subjectOf(deps: ApiDeps, params: SendCloudParams, required: boolean): string | undefined {
  if (required || params.present('subject')) params.required('subject', 40209);
  const subject = params.optional('subject');
  if (subject !== undefined && ([...subject].length > deps.limits.maxSubjectLength || CONTROL.test(subject))) {
    throw new SendCloudFailure(40210, `subject has at most ${deps.limits.maxSubjectLength} characters (maxSubjectLength) and no line breaks`);
  }
  return subject === undefined ? undefined : toStoredTemplateText(subject);
}

function templateTypeOf(params: SendCloudParams, required: boolean): 0 | 1 | undefined {
  if (required || params.present('templateType')) params.required('templateType', 40203);
  const type = params.optionalInt('templateType', 40204, { min: 0, max: 1 });
  return type === undefined ? undefined : type === 1 ? 1 : 0;
}

async function existing(deps: ApiDeps, invokeName: string): Promise<TemplateRecord> {
  const template = await templateByInvokeName(deps, invokeName);
  if (!template) throw new SendCloudFailure(40216, invokeName);
  return template;
}

/** The listing row; a template made through another dialect shows its invokeName as name and type 0 (trigger). */
function row(deps: ApiDeps, t: TemplateRecord, profile: TemplateProfile): Record<string, unknown> {
  return {
    name: profile.displayName ?? t.name,
    invokeName: t.name,
    templateType: profile.mailClass ?? 0,
    templateStat: TEMPLATE_APPROVED,
    gmtCreated: sendCloudTime(t.createdAt, deps.timeZone),
    gmtUpdated: sendCloudTime(t.updatedAt, deps.timeZone),
  };
}

function detail(deps: ApiDeps, t: TemplateRecord, profile: TemplateProfile): Record<string, unknown> {
  return {
    ...row(deps, t, profile),
    html: toSendCloudTemplateText(t.html ?? ''),
    subject: toSendCloudTemplateText(profile.subject ?? ''),
  };
}

/**
 * Templates (`template/list|get|add|update|delete`) on the engine's templates: a template's
 * SendCloud invokeName is its name (DirectMail's TemplateName, Tencent's TemplateName), claimed
 * like DirectMail's so names stay unique across both; the display name, subject and trigger/batch
 * type live in the template's profile beside DirectMail's attributes. Variables are stored as
 * `{{name}}` and shown as `%name%` (template-variables.ts). There is no template-count setting in
 * Postmill, so 40219 is never answered.
 */
export const templateActions = moduleActions('template', {
  async list(params, { deps }) {
    const invokeName = params.optional('invokeName');
    // Sent but empty is SendCloud's "不能为空" (40203, 40205); absent means any.
    if (params.present('templateType')) params.required('templateType', 40203);
    const templateType = params.optionalInt('templateType', 40204, { min: 0, max: 1 });
    if (params.present('templateStat')) params.required('templateStat', 40205);
    const templateStat = params.optional('templateStat');
    if (templateStat !== undefined && !['-2', '-1', '0', '1'].includes(templateStat.trim())) throw new SendCloudFailure(40206);
    const { start, limit } = paging(params, deps.limits.maxPageLimit);
    const profiles = managementStores(deps).templateProfiles;
    if (templateStat !== undefined && Number(templateStat) !== TEMPLATE_APPROVED) return { info: listInfo([], 0) };
    if (invokeName !== undefined) {
      const t = await templateByInvokeName(deps, invokeName);
      const profile = t ? await profiles.get(t.id) : {};
      const match = t !== undefined && (templateType === undefined || (profile.mailClass ?? 0) === templateType);
      return { info: listInfo(match && start === 0 && limit > 0 ? [row(deps, t, profile)] : [], match ? 1 : 0) };
    }
    const pageSize = Math.max(1, deps.limits.maxPageLimit);
    if (templateType === undefined) {
      const page = await deps.engine.templates.list({ offset: start, limit: Math.max(1, limit) });
      const items = limit === 0 ? [] : page.items;
      const rows = await profiles.getMany(items.map((t) => t.id));
      return {
        info: listInfo(
          items.map((t, i) => row(deps, t, rows[i] ?? {})),
          page.total,
        ),
      };
    }
    // The type lives in the profiles: every template's profile is read, a page at a time (O(templates) reads, one page in memory).
    const out: Record<string, unknown>[] = [];
    let total = 0;
    for (let offset = 0; ; offset += pageSize) {
      const page = await deps.engine.templates.list({ offset, limit: pageSize });
      const rows = await profiles.getMany(page.items.map((t) => t.id));
      page.items.forEach((t, i) => {
        const profile = rows[i] ?? {};
        if ((profile.mailClass ?? 0) !== templateType) return;
        if (total >= start && out.length < limit) out.push(row(deps, t, profile));
        total++;
      });
      if (page.items.length < pageSize) break;
    }
    return { info: listInfo(out, total) };
  },

  async get(params, { deps }) {
    const template = await existing(deps, invokeNameOf(params));
    const profile = await managementStores(deps).templateProfiles.get(template.id);
    return { info: { data: { ...detail(deps, template, profile), contentSummary: '' } } };
  },

  async add(params, { deps }) {
    const invokeName = invokeNameOf(params);
    const name = displayNameOf(params, true) ?? invokeName;
    const html = contentOf(deps, params, 'html', { missing: 40211, tooBig: 40212 }, true);
    const subject = subjectOf(deps, params, true);
    const mailClass = templateTypeOf(params, true) ?? 0;
    const text = contentOf(deps, params, 'text', { missing: 40213, tooBig: 40214 }, false);
    if (params.present('isSubmitAudit')) params.required('isSubmitAudit', 40221);
    params.optionalInt('isSubmitAudit', 40222, { min: 0, max: 1 });
    const profiles = managementStores(deps).templateProfiles;
    const claim = await claimInvokeName(deps, invokeName);
    let template: TemplateRecord;
    try {
      template = await deps.engine.templates.create({ name: invokeName, ...(html === undefined ? {} : { html }), ...(text === undefined ? {} : { text }) });
    } catch (err) {
      await profiles.releaseClaim(claim);
      throw err;
    }
    await profiles.settleName(claim, template.id);
    const profile: TemplateProfile = { ...(subject === undefined ? {} : { subject }), templateType: DIRECTMAIL_MAIL_TYPE, displayName: name, mailClass };
    await profiles.set(template.id, profile);
    return { info: { data: detail(deps, template, profile) } };
  },

  async update(params, { deps }) {
    const invokeName = invokeNameOf(params);
    const name = displayNameOf(params, false);
    const html = contentOf(deps, params, 'html', { missing: 40211, tooBig: 40212 }, false);
    const subject = subjectOf(deps, params, false);
    const mailClass = templateTypeOf(params, false);
    const text = contentOf(deps, params, 'text', { missing: 40213, tooBig: 40214 }, false);
    if (params.present('isSubmitAudit')) params.required('isSubmitAudit', 40221);
    params.optionalInt('isSubmitAudit', 40222, { min: 0, max: 1 });
    const template = await existing(deps, invokeName);
    if (html !== undefined || text !== undefined) {
      const nextHtml = html ?? template.html;
      const nextText = text ?? template.text;
      await deps.engine.templates.update(template.id, {
        name: template.name,
        ...(nextHtml === undefined ? {} : { html: nextHtml }),
        ...(nextText === undefined ? {} : { text: nextText }),
      });
    }
    const profiles = managementStores(deps).templateProfiles;
    const profile = await profiles.get(template.id);
    await profiles.set(template.id, {
      ...profile,
      ...(name === undefined ? {} : { displayName: name }),
      ...(subject === undefined ? {} : { subject }),
      ...(mailClass === undefined ? {} : { mailClass }),
    });
    return { info: { count: 1 } };
  },

  async delete(params, { deps }) {
    const template = await existing(deps, invokeNameOf(params));
    const profiles = managementStores(deps).templateProfiles;
    await deps.engine.templates.delete(template.id);
    await profiles.delete(template.id);
    // Tidiness only: a claim whose template is gone is free already.
    await profiles.releaseName(template.name, template.id);
    return { info: { count: 1 } };
  },
});
