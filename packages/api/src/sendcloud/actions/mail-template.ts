import type { TemplateProfile, TemplateRecord } from '@postmill/store';
import { apiUserMaySend, type SendCloudActionContext } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { managementStores } from './management-stores.ts';
import { templateByInvokeName } from './template-lookup.ts';

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
  return profile.mailClass === BATCH_TEMPLATE ? 'batch' : 'trigger';
}

/**
 * The template `templateInvokeName` names, with its variables written `%name%`: 40201 absent,
 * 40202 over 250 characters or with control characters, 40823 no template has that name, 40825
 * its type (trigger or batch) is not one the apiUser may send. SendCloud's invokeName is the
 * template's name in Postmill, the one DirectMail's TemplateName uses too; where names repeat
 * (Tencent allows it) the oldest wins, as DirectMail's BatchSendMail resolves it. Found through
 * the management side's name claims (templateByInvokeName: one claim read and one template read
 * for a name claimed through SendCloud or DirectMail).
 */
export async function invokedTemplate(params: SendCloudParams, ctx: SendCloudActionContext): Promise<InvokedTemplate> {
  const name = params.required('templateInvokeName', 40201);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if ([...name].length > MAX_INVOKE_NAME_LENGTH || /[\u0000-\u001f\u007f]/u.test(name)) throw new SendCloudFailure(40202);
  const template = await templateByInvokeName(ctx.deps, name);
  if (!template) throw new SendCloudFailure(40823, `templateInvokeName: ${name}`);
  const profile = await managementStores(ctx.deps).templateProfiles.get(template.id);
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
