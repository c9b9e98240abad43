import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { popClient, sdkTarget, type Target } from '../aliyun/sdk-clients.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { codeOf, sendcloud, unique } from './management-test-kit.ts';

describe('SendCloud label/*', () => {
  let api: ApiHarness;
  let target: Target;

  beforeAll(async () => {
    api = await startApiHarness();
    target = sdkTarget(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('adds a label and answers its id, gets it, lists it by query, renames it and deletes it', async () => {
    const labelName = `promo_${unique()}`;
    const added = await sendcloud(api, 'label/add', { labelName });
    expect(added).toMatchObject({ result: true, statusCode: 200, info: { data: { labelName } } });
    const labelId = added.info.data.labelId as number;
    expect(labelId).toBeGreaterThan(0);
    expect(added.info.data.gmtCreated).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/u);

    expect((await sendcloud(api, 'label/get', { labelId: String(labelId) })).info.data).toMatchObject({ labelId, labelName });
    const listed = await sendcloud(api, 'label/list', { query: labelName.slice(0, 10).toUpperCase() });
    expect(listed.info).toMatchObject({ total: 1, count: 1, dataList: [{ labelId, labelName }] });

    const renamed = `sale_${unique()}`;
    expect(await sendcloud(api, 'label/update', { labelId: String(labelId), labelName: renamed })).toMatchObject({ result: true, info: { count: 1 } });
    expect((await sendcloud(api, 'label/get', { labelId: String(labelId) })).info.data.labelName).toBe(renamed);
    expect(await sendcloud(api, 'label/delete', { labelId: String(labelId) })).toMatchObject({ result: true, info: { count: 1 } });
    expect(await codeOf(api, 'label/get', { labelId: String(labelId) })).toBe(40106);
  });

  it('pages labels with start and limit', async () => {
    for (let i = 0; i < 3; i++) await sendcloud(api, 'label/add', { labelName: `pg_${unique()}` });
    const all = await sendcloud(api, 'label/list', {});
    const page = await sendcloud(api, 'label/list', { start: '1', limit: '2' });
    expect(page.info).toMatchObject({ total: all.info.total, count: 2 });
    expect(page.info.dataList).toEqual(all.info.dataList.slice(1, 3));
  });

  it('answers 40102, 40103, 40104, 40105, 40106, 40111, 40112 and 40113 in their situations', async () => {
    const taken = `t_${unique()}`;
    const other = await sendcloud(api, 'label/add', { labelName: `o_${unique()}` });
    await sendcloud(api, 'label/add', { labelName: taken });
    expect(await codeOf(api, 'label/get', {})).toBe(40102);
    expect(await codeOf(api, 'label/get', { labelId: 'abc' })).toBe(40103);
    expect(await codeOf(api, 'label/add', {})).toBe(40104);
    expect(await codeOf(api, 'label/add', { labelName: 'x'.repeat(256) })).toBe(40105);
    expect(await codeOf(api, 'label/delete', { labelId: '999999' })).toBe(40106);
    expect(await codeOf(api, 'label/update', { labelId: '999999', labelName: `z_${unique()}` })).toBe(40106);
    expect(await codeOf(api, 'label/list', { query: '' })).toBe(40111);
    expect(await codeOf(api, 'label/list', { query: 'q'.repeat(256) })).toBe(40112);
    expect(await codeOf(api, 'label/add', { labelName: taken })).toBe(40113);
    expect(await codeOf(api, 'label/update', { labelId: String(other.info.data.labelId), labelName: taken })).toBe(40113);
  });

  it("is DirectMail's tag: a label is a TagName with the same id, and a DirectMail tag is a label", async () => {
    const pop = popClient(target);
    const labelName = `sc_${unique()}`;
    const { labelId } = (await sendcloud(api, 'label/add', { labelName })).info.data;
    const tags = (await pop.request('QueryTagByParam', { KeyWord: labelName, PageSize: 10 }, 'POST')) as {
      data: { tag: { TagId: number; TagName: string }[] };
    };
    expect(tags.data.tag).toMatchObject([{ TagId: labelId, TagName: labelName }]);

    const tagName = `dm_${unique()}`;
    const { TagId } = (await pop.request('CreateTag', { TagName: tagName }, 'POST')) as { TagId: number };
    expect((await sendcloud(api, 'label/get', { labelId: String(TagId) })).info.data).toMatchObject({ labelId: TagId, labelName: tagName });
    expect(await codeOf(api, 'label/add', { labelName: tagName })).toBe(40113);
  });
});
