import type { TagRecord } from '@postmill/store';
import { actions } from '../action.ts';
import { AliyunApiError } from '../aliyun-api-error.ts';
import type { DirectMailPort } from '../engine-port.ts';
import type { ActionParams } from '../params.ts';
import { pageOf } from '../wire-values.ts';

const TAG_NAME = /^[A-Za-z0-9_-]{1,128}$/u;

function tagName(params: ActionParams): string {
  const name = params.required('TagName');
  if (!TAG_NAME.test(name)) throw new AliyunApiError('malformed-parameter', { name: 'TagName', detail: '1 to 128 letters, digits, _ or -.' });
  return name;
}

async function tagById(port: DirectMailPort, params: ActionParams): Promise<TagRecord> {
  const tagId = params.requiredInt('TagId', { min: 1 });
  const tag = await port.tags.get(tagId);
  if (!tag) throw new AliyunApiError('tag-id-not-found', { tagId });
  return tag;
}

/** The tag a send names, or the DirectMail refusal for an unknown one. */
export async function existingTag(port: DirectMailPort, name: string): Promise<TagRecord> {
  const tag = await port.tags.getByName(name);
  if (!tag) throw new AliyunApiError('tag-not-found', { tag: name });
  return tag;
}

/** Tags: CreateTag, QueryTagByParam, ModifyTag, DeleteTag. */
export const tagActions = actions({
  async CreateTag(params, { port }) {
    const name = tagName(params);
    const tag = await port.tags.create({ name, description: params.optional('TagDescription', { maxLength: 500 }) ?? '' });
    if (!tag) throw new AliyunApiError('tag-name-duplicate', { name });
    return { TagId: tag.id };
  },

  async QueryTagByParam(params, { port }) {
    const keyword = params.optional('KeyWord');
    if (keyword !== undefined && [...keyword].length > 50)
      throw new AliyunApiError('malformed-parameter', { name: 'Keyword', detail: 'at most 50 characters.' });
    const page = params.page({ defaultSize: 10, maxSize: 500 });
    const matching = (await port.tags.list()).filter((t) => keyword === undefined || t.name.includes(keyword));
    const { rows, ...counts } = pageOf(matching, page);
    return { ...counts, data: { tag: rows.map((t) => ({ TagId: t.id, TagName: t.name, TagDescription: t.description })) } };
  },

  async ModifyTag(params, { port }) {
    const tag = await tagById(port, params);
    const name = tagName(params);
    const description = params.optional('TagDescription', { maxLength: 500 });
    const result = await port.tags.update(tag.id, { name, ...(description === undefined ? {} : { description }) });
    if (result === 'name-taken') throw new AliyunApiError('tag-name-duplicate', { name });
    if (result === 'not-found') throw new AliyunApiError('tag-id-not-found', { tagId: tag.id });
    return {};
  },

  async DeleteTag(params, { port }) {
    const tag = await tagById(port, params);
    if (!(await port.tags.delete(tag.id))) throw new AliyunApiError('tag-id-not-found', { tagId: tag.id });
    return {};
  },
});
