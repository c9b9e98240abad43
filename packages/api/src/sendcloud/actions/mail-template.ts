import type { TemplateProfile, TemplateRecord } from '@postmill/store';
import { TemplateProfileStore } from '@postmill/store';
import { apiUserMaySend, type SendCloudActionContext } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';

/** Longest `templateInvokeName` (40202). */
const MAX_INVOKE_NAME_LENGTH = 250;
/** SendCloud's templateType 1: batch (marketing) mail; 0, and no type, trigger mail. */
const BATCH_TEMPLATE = 1;

/** A template as a send uses it, in SendCloud's own variable syntax (`%name%`). */
export interface InvokedTemplate {
  readonly template: TemplateRecord;
  readonly html: string | undefined;
  readonly text: string | undefined;
  /** The subject stored with the template (its profile), if any. */
  readonly subject: string | undefined;
}

// Postmill stores template variables as `{{name}}` (every dialect's are translated to it).
const STORED_VARIABLE = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}/gu;

/** A stored template text as SendCloud writes it: `{{name}}` → `%name%`, the rest as stored. */
export function toSendCloudVariables(text: string | undefined): string | undefined {
  return text?.replace(STORED_VARIABLE, '%$1%');
}

/**
 * The mail class of a template: SendCloud's templateType as template/add stored it in the profile
 * (`mailClass`, written by the SendCloud template actions); a template made through another
 * dialect has none and is trigger mail, as template/list shows it.
 */
function mailClassOf(profile: TemplateProfile): 'trigger' | 'batch' {
  // `mailClass` is the SendCloud template actions' field of the profile (their branch adds it to the type).
  const mailClass = (profile as TemplateProfile & { readonly mailClass?: number }).mailClass;
  return mailClass === BATCH_TEMPLATE ? 'batch' : 'trigger';
}

/**
 * The template `templateInvokeName` names, with its variables written `%name%`: 40201 absent,
 * 40202 over 250 characters or with control characters, 40823 no template has that name, 40825
 * its type (trigger or batch) is not one the apiUser may send. SendCloud's invokeName is the
 * template's name in Postmill, the one DirectMail's TemplateName uses too; where names repeat
 * (Tencent allows it) the oldest wins, as DirectMail's BatchSendMail resolves it. Templates are
 * read a page at a time and the search stops at the first match.
 */
export async function invokedTemplate(params: SendCloudParams, ctx: SendCloudActionContext): Promise<InvokedTemplate> {
  const name = params.required('templateInvokeName', 40201);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if ([...name].length > MAX_INVOKE_NAME_LENGTH || /[\u0000-\u001f\u007f]/u.test(name)) throw new SendCloudFailure(40202);
  const pageSize = Math.max(1, ctx.deps.limits.maxPageLimit);
  for (let offset = 0; ; offset += pageSize) {
    const page = await ctx.deps.engine.templates.list({ offset, limit: pageSize });
    const template = page.items.find((t) => t.name === name);
    if (template) {
      const profiles = new TemplateProfileStore({ redis: ctx.deps.redis, keys: ctx.deps.keys, clock: ctx.deps.clock });
      const profile = await profiles.get(template.id);
      const mailClass = mailClassOf(profile);
      if (!apiUserMaySend(ctx.apiUserType, mailClass)) {
        throw new SendCloudFailure(40825, `template ${name} is ${mailClass} mail; apiUser ${ctx.apiUser} sends ${ctx.apiUserType} mail`);
      }
      return {
        template,
        html: toSendCloudVariables(template.html),
        text: toSendCloudVariables(template.text),
        subject: profile.subject === undefined || profile.subject === '' ? undefined : toSendCloudVariables(profile.subject),
      };
    }
    if (page.items.length < pageSize || offset + pageSize >= page.total) break;
  }
  throw new SendCloudFailure(40823, `templateInvokeName: ${name}`);
}
