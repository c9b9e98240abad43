import { isEngineError } from '@postmill/core';
import type { TemplateNameClaim, TemplateRecord } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { managementStores } from './management-stores.ts';

/**
 * The template SendCloud calls `invokeName` (the engine template's name, DirectMail's
 * TemplateName), or undefined. Cost: one claim read and one template read for a template named
 * through SendCloud or DirectMail (both claim their names); a name nobody claimed (a Tencent
 * template, whose names may repeat) is looked for page by page in creation order, so the oldest
 * holder wins as in DirectMail, and memory stays one page whatever the number of templates.
 */
export async function templateByInvokeName(deps: ApiDeps, invokeName: string): Promise<TemplateRecord | undefined> {
  const claimed = await managementStores(deps).templateProfiles.claimedTemplateId(invokeName);
  if (claimed !== undefined) {
    try {
      const template = await deps.engine.templates.get(claimed);
      if (template.name === invokeName) return template;
    } catch (err) {
      if (!isEngineError(err, 'template-not-found')) throw err;
    }
  }
  const limit = Math.max(1, deps.limits.maxPageLimit);
  for (let offset = 0; ; offset += limit) {
    const page = await deps.engine.templates.list({ offset, limit });
    const found = page.items.find((t) => t.name === invokeName);
    if (found) return found;
    if (page.items.length < limit) return undefined;
  }
}

/**
 * Claims `invokeName` for a new template, or answers 40220 (模版调用名称已经存在). The claim is
 * DirectMail's (TemplateProfileStore): atomic, so of concurrent adds of one name through either
 * dialect exactly one goes on; a template holding the name without a claim (made through Tencent)
 * is found by the lookup after the claim.
 */
export async function claimInvokeName(deps: ApiDeps, invokeName: string): Promise<TemplateNameClaim> {
  const profiles = managementStores(deps).templateProfiles;
  const claim = await profiles.claimName(invokeName);
  if (!claim) throw new SendCloudFailure(40220, invokeName);
  if (await templateByInvokeName(deps, invokeName)) {
    await profiles.releaseClaim(claim);
    throw new SendCloudFailure(40220, invokeName);
  }
  return claim;
}
