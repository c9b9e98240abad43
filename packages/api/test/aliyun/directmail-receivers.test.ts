import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { $Dm, type DmClientInstance, dmClient, popClient, sdkTarget } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');

describe('DirectMail recipient lists', () => {
  let api: ApiHarness;
  let dm: DmClientInstance;
  let pop: ReturnType<typeof popClient>;

  beforeAll(async () => {
    api = await startApiHarness();
    const target = sdkTarget(api);
    dm = dmClient(target, { signing: 'v3' });
    pop = popClient(target);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('stores the ReceiversAlias given to CreateReceiver and returns it in QueryReceiverByParam, through the official SDK', async () => {
    const name = `al${unique()}`;
    const alias = `${name}@lists.example.org`;
    const created = await dm.createReceiver(new $Dm.CreateReceiverRequest({ receiversName: name, receiversAlias: alias, desc: 'members' }));
    const listed = await dm.queryReceiverByParam(new $Dm.QueryReceiverByParamRequest({ keyWord: name }));
    expect(listed.body?.data?.receiver?.map((r) => [r.receiverId, r.receiversName, r.receiversAlias, r.desc])).toEqual([
      [created.body?.receiverId, name, alias, 'members'],
    ]);
  });

  it('lists a list made through Tencent (which has no alias) with an empty ReceiversAlias', async () => {
    const name = `tc${unique()}`;
    expect((await api.call('CreateReceiver', { ReceiversName: name, Desc: '' })).body.Response.Error).toBeUndefined();
    const listed = (await pop.request('QueryReceiverByParam', { KeyWord: name }, 'GET')) as { data: { receiver: { ReceiversAlias: string }[] } };
    expect(listed.data.receiver.map((r) => r.ReceiversAlias)).toEqual(['']);
  });
});
