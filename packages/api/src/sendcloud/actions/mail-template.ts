import type { TemplateRecord } from '@postmill/store';
import { TemplateProfileStore } from '@postmill/store';
import type { SendCloudActionContext } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';

/** Longest `templateInvokeName` (40202). */
const MAX_INVOKE_NAME_LENGTH = 250;

/** A template as a send uses it: its bodies and the subject it falls back to. */
export interface InvokedTemplate {
  readonly template: TemplateRecord;
  /** The subject stored with the template (its profile), if any. */
  readonly subject: string | undefined;
}

/**
 * The template `templateInvokeName` names: 40201 absent, 40202 over 250 characters or with control
 * characters, 40823 no template has that name. SendCloud's invokeName is the template's name in
 * Postmill, the one DirectMail's TemplateName uses too; where names repeat (Tencent allows it) the
 * oldest wins, as DirectMail's BatchSendMail resolves it. Templates are read a page at a time and
 * the search stops at the first match (an account holds at most a few hundred templates).
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
      return { template, subject: profile.subject === '' ? undefined : profile.subject };
    }
    if (page.items.length < pageSize || offset + pageSize >= page.total) break;
  }
  throw new SendCloudFailure(40823, `templateInvokeName: ${name}`);
}
