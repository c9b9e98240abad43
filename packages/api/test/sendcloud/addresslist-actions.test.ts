import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { popClient, sdkTarget, type Target } from '../aliyun/sdk-clients.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { codeOf, sendcloud, unique } from './management-test-kit.ts';

const alias = () => `l${unique()}@maillist.sendcloud.org`;

describe('SendCloud addresslist/*', () => {
  let api: ApiHarness;
  let target: Target;

  beforeAll(async () => {
    api = await startApiHarness();
    target = sdkTarget(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('adds a list under its alias and answers it, lists it by alias, renames it, re-aliases it and deletes it', async () => {
    const address = alias();
    const name = `n${unique()}`;
    const added = await sendcloud(api, 'addresslist/add', { address, name, desc: 'customers' });
    expect(added).toMatchObject({ result: true, statusCode: 200, info: { data: { address, name, description: 'customers', memberCount: 0, listType: 0 } } });
    expect(added.info.data.gmtCreated).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/u);

    const listed = await sendcloud(api, 'addresslist/list', { address });
    expect(listed.info).toMatchObject({ total: 1, count: 1, dataList: [{ address, name, description: 'customers' }] });

    const newAddress = alias();
    const newName = `m${unique()}`;
    expect(await sendcloud(api, 'addresslist/update', { address, newAddress, name: newName, desc: 'all of them' })).toMatchObject({
      result: true,
      info: { count: 1 },
    });
    expect((await sendcloud(api, 'addresslist/list', { address })).info).toMatchObject({ total: 0, dataList: [] });
    expect((await sendcloud(api, 'addresslist/list', { address: newAddress })).info.dataList).toMatchObject([
      { address: newAddress, name: newName, description: 'all of them' },
    ]);
    // The old alias is free again.
    expect(await codeOf(api, 'addresslist/add', { address, name: `o${unique()}` })).toBe(200);

    expect(await sendcloud(api, 'addresslist/delete', { address: newAddress })).toMatchObject({ result: true, info: { count: 1 } });
    expect(await codeOf(api, 'addresslist/delete', { address: newAddress })).toBe(40517);
  });

  it('pages lists with start and limit, total counting every list', async () => {
    for (let i = 0; i < 3; i++) await sendcloud(api, 'addresslist/add', { address: alias(), name: `p${unique()}` });
    const all = await sendcloud(api, 'addresslist/list', { limit: '100' });
    const page = await sendcloud(api, 'addresslist/list', { start: '1', limit: '2' });
    expect(page.info.total).toBe(all.info.total);
    expect(page.info.count).toBe(2);
    expect(page.info.dataList.map((l: { address: string }) => l.address)).toEqual(all.info.dataList.slice(1, 3).map((l: { address: string }) => l.address));
  });

  it('answers 40501, 40502, 40503, 40504, 40511, 40506, 40507 and 40505 for a bad or taken add, 40508 for a taken name', async () => {
    const address = alias();
    const name = `q${unique()}`;
    expect(await codeOf(api, 'addresslist/add', { address })).toBe(40501);
    expect(await codeOf(api, 'addresslist/add', { address, name: 'x'.repeat(49) })).toBe(40502);
    expect(await codeOf(api, 'addresslist/add', { name })).toBe(40503);
    expect(await codeOf(api, 'addresslist/add', { address: `${'a'.repeat(30)}@maillist.sendcloud.org`, name })).toBe(40504);
    expect(await codeOf(api, 'addresslist/add', { address: 'not-an-address', name })).toBe(40511);
    expect(await codeOf(api, 'addresslist/add', { address, name, desc: '' })).toBe(40506);
    expect(await codeOf(api, 'addresslist/add', { address, name, desc: 'd'.repeat(251) })).toBe(40507);
    expect(await codeOf(api, 'addresslist/add', { address, name })).toBe(200);
    expect(await codeOf(api, 'addresslist/add', { address: address.toUpperCase(), name: `r${unique()}` })).toBe(40505);
    expect(await codeOf(api, 'addresslist/add', { address: alias(), name })).toBe(40508);
  });

  it('answers 40509, 40510, 40505 and 40517 for a bad update', async () => {
    const address = alias();
    const other = alias();
    await sendcloud(api, 'addresslist/add', { address, name: `s${unique()}` });
    await sendcloud(api, 'addresslist/add', { address: other, name: `t${unique()}` });
    expect(await codeOf(api, 'addresslist/update', { address })).toBe(40509);
    expect(await codeOf(api, 'addresslist/update', { address, newAddress: '' })).toBe(40509);
    expect(await codeOf(api, 'addresslist/update', { address, newAddress: `${'b'.repeat(30)}@maillist.sendcloud.org` })).toBe(40510);
    expect(await codeOf(api, 'addresslist/update', { address, newAddress: other })).toBe(40505);
    expect(await codeOf(api, 'addresslist/update', { address: alias(), name: 'x' })).toBe(40517);
  });

  it('adds two lists of one alias concurrently: exactly one is created', async () => {
    const address = alias();
    const codes = await Promise.all([
      codeOf(api, 'addresslist/add', { address, name: `u${unique()}` }),
      codeOf(api, 'addresslist/add', { address, name: `v${unique()}` }),
    ]);
    expect(codes.sort()).toEqual([200, 40505]);
    expect((await sendcloud(api, 'addresslist/list', { address })).info.total).toBe(1);
  });

  it('shows a SendCloud list in DirectMail with its alias, and addresses a DirectMail list by its ReceiversAlias', async () => {
    const pop = popClient(target);
    const address = alias();
    const name = `sc${unique()}`;
    await sendcloud(api, 'addresslist/add', { address, name, desc: 'from sendcloud' });
    const dmListed = (await pop.request('QueryReceiverByParam', { KeyWord: name, PageSize: 10 }, 'POST')) as {
      data: { receiver: { ReceiversName: string; ReceiversAlias: string; Desc: string }[] };
    };
    expect(dmListed.data.receiver).toMatchObject([{ ReceiversName: name, ReceiversAlias: address, Desc: 'from sendcloud' }]);

    // DirectMail takes aliases of at most 30 characters.
    const dmAlias = `d${unique()}@ml.example.org`;
    const dmName = `dm${unique()}`;
    await pop.request('CreateReceiver', { ReceiversName: dmName, ReceiversAlias: dmAlias, Desc: 'from dm' }, 'POST');
    expect((await sendcloud(api, 'addresslist/list', { address: dmAlias })).info.dataList).toMatchObject([
      { address: dmAlias, name: dmName, description: 'from dm' },
    ]);
    expect(await codeOf(api, 'addresslist/add', { address: dmAlias, name: `w${unique()}` })).toBe(40505);
    expect(await codeOf(api, 'addresslist/delete', { address: dmAlias })).toBe(200);
    const gone = (await pop.request('QueryReceiverByParam', { KeyWord: dmName, PageSize: 10 }, 'POST')) as { data: { receiver: unknown[] } };
    expect(gone.data.receiver).toEqual([]);
  });

  it('lists a Tencent receiver list (which has no alias) with address "", and shows a SendCloud list in Tencent\'s ListReceivers', async () => {
    const tcName = `tc${unique()}`;
    const created = await api.call('CreateReceiver', { ReceiversName: tcName, Desc: 'from tencent' });
    expect(created.body.Response.Error).toBeUndefined();
    const all = await sendcloud(api, 'addresslist/list', { limit: '100' });
    expect(all.info.dataList.find((l: { name: string }) => l.name === tcName)).toMatchObject({ address: '', description: 'from tencent', memberCount: 0 });

    const scName = `sc${unique()}`;
    await sendcloud(api, 'addresslist/add', { address: alias(), name: scName, desc: 'from sendcloud' });
    const tc = await api.call('ListReceivers', { Offset: 0, Limit: 100, KeyWord: scName });
    expect(tc.body.Response.Data.map((r: { ReceiversName: string; Desc: string }) => [r.ReceiversName, r.Desc])).toEqual([[scName, 'from sendcloud']]);
  });
});
