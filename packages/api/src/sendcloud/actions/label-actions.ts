import type { TagRecord } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';
import { moduleActions } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { managementStores } from './management-stores.ts';
import { listInfo, paging, sendCloudTime } from './management-values.ts';

const MAX_LABEL_NAME_LENGTH = 255;

/** `labelId`: 40102 absent, 40103 not a positive integer. */
export function labelIdOf(params: SendCloudParams): number {
  params.required('labelId', 40102);
  return params.optionalInt('labelId', 40103, { min: 1 }) ?? 0;
}

function labelNameOf(params: SendCloudParams): string {
  const name = params.required('labelName', 40104);
  if ([...name].length > MAX_LABEL_NAME_LENGTH) throw new SendCloudFailure(40105);
  return name;
}

async function labelById(deps: ApiDeps, labelId: number): Promise<TagRecord> {
  const tag = await managementStores(deps).tags.get(labelId);
  if (!tag) throw new SendCloudFailure(40106, `labelId ${labelId}`);
  return tag;
}

/** A tag has one time: gmtUpdated is its creation time too (a rename keeps no time). */
function labelData(deps: ApiDeps, tag: TagRecord): Record<string, unknown> {
  const at = sendCloudTime(tag.createdAt, deps.timeZone);
  return { gmtCreated: at, gmtUpdated: at, labelId: tag.id, labelName: tag.name };
}

/**
 * Labels (`label/list|get|add|update|delete`) are DirectMail's tags (TagStore): one id, one
 * unique name, so a label made here is a TagName for DirectMail sends and statistics and the other
 * way round. Tags are few (an account has at most a few hundred), so `list` reads them all.
 */
export const labelActions = moduleActions('label', {
  async list(params, { deps }) {
    if (params.present('query')) params.required('query', 40111);
    const query = params.optional('query');
    if (query !== undefined && [...query].length > MAX_LABEL_NAME_LENGTH) throw new SendCloudFailure(40112);
    const { start, limit } = paging(params, deps.limits.maxPageLimit);
    const needle = query?.toLowerCase();
    const matching = (await managementStores(deps).tags.list()).filter((t) => needle === undefined || t.name.toLowerCase().includes(needle));
    return {
      info: listInfo(
        matching.slice(start, start + limit).map((t) => labelData(deps, t)),
        matching.length,
      ),
    };
  },

  async get(params, { deps }) {
    return { info: { data: labelData(deps, await labelById(deps, labelIdOf(params))) } };
  },

  async add(params, { deps }) {
    const name = labelNameOf(params);
    const tag = await managementStores(deps).tags.create({ name, description: '' });
    if (!tag) throw new SendCloudFailure(40113, name);
    return { info: { data: labelData(deps, tag) } };
  },

  async update(params, { deps }) {
    const labelId = labelIdOf(params);
    const name = labelNameOf(params);
    const result = await managementStores(deps).tags.update(labelId, { name });
    if (result === 'not-found') throw new SendCloudFailure(40106, `labelId ${labelId}`);
    if (result === 'name-taken') throw new SendCloudFailure(40113, name);
    return { info: { count: 1 } };
  },

  async delete(params, { deps }) {
    const labelId = labelIdOf(params);
    if (!(await managementStores(deps).tags.delete(labelId))) throw new SendCloudFailure(40106, `labelId ${labelId}`);
    return { info: { count: 1 } };
  },
});
