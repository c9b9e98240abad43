import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { SendCloudTestClient } from './sendcloud-client.ts';
import { ACTIONS_WITH_PROBES } from './wire-probe-actions.ts';

const DOMAIN = 'mail.apiuser-test.example';

describe('SendCloud apiuser/add and apiuser/list', () => {
  let api: ApiHarness;
  let sc: SendCloudTestClient;
  let seq = 0;
  const uniqueName = () => `user_${Date.now().toString(36)}_${seq++}`;
  beforeAll(async () => {
    api = await startApiHarness({ sendCloudActions: ACTIONS_WITH_PROBES, sendCloud: { maxApiUsers: 4 } });
    sc = new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey);
    await api.deps.engine.domains.create({ name: DOMAIN });
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(async () => {
    await api.deps.redis.del(api.deps.keys.sendCloudApiUsers);
  });

  it('creates an apiUser on a Postmill domain and answers its data with a new apiKey, which then authenticates as that type', async () => {
    const name = uniqueName();
    const added = await sc.post('apiuser/add', { name, emailType: '1', domainName: DOMAIN });
    expect(added.body).toMatchObject({
      result: true,
      statusCode: 200,
      message: '请求成功',
      info: { total: 1, data: { name, cType: '非测试', emailType: '批量', domain: DOMAIN, neteaseSender: '', click: 0, open: 1, unsubscribe: 1 } },
    });
    const apiKey: string = added.body.info.data.apiKey;
    expect(apiKey).toMatch(/^[A-Za-z0-9_-]{32}$/u);
    const asUser = await new SendCloudTestClient(api.baseUrl, name, apiKey).post('probe/echo');
    expect(asUser.body).toMatchObject({ result: true, info: { apiUser: name, apiUserType: 'batch' } });
    expect((await new SendCloudTestClient(api.baseUrl, name, `${apiKey}x`).post('probe/echo')).body.statusCode).toBe(40005);
    // Only a hash of the key is stored.
    expect(await api.deps.redis.hget(api.deps.keys.sendCloudApiUsers, name)).not.toContain(apiKey);
  });

  it('lists the added apiUsers oldest first with their type as text and flags as 0/1, narrowed by emailType, cType and domainName, never showing a key', async () => {
    const trigger = uniqueName();
    const batch = uniqueName();
    await sc.post('apiuser/add', { name: trigger, emailType: '0', domainName: DOMAIN, open: '0', click: '1', unsubscribe: '0', cType: '0' });
    await sc.post('apiuser/add', { name: batch, emailType: '1', domainName: DOMAIN });
    const all = await sc.get('apiuser/list');
    expect(all.body).toMatchObject({ result: true, statusCode: 200, info: { count: 2 } });
    expect(all.body.info.dataList).toEqual([
      { name: trigger, cType: '测试', emailType: '触发', domainName: DOMAIN, neteaseSender: '', click: 1, open: 0, unsubscribe: 0 },
      { name: batch, cType: '非测试', emailType: '批量', domainName: DOMAIN, neteaseSender: '', click: 0, open: 1, unsubscribe: 1 },
    ]);
    expect((await sc.get('apiuser/list', { emailType: '0' })).body.info.dataList.map((u: { name: string }) => u.name)).toEqual([trigger]);
    expect((await sc.get('apiuser/list', { cType: '1' })).body.info.dataList.map((u: { name: string }) => u.name)).toEqual([batch]);
    expect((await sc.get('apiuser/list', { domainName: 'other.example' })).body.info).toEqual({ count: 0, dataList: [] });
    expect((await sc.get('apiuser/list', { emailType: '2' })).body.statusCode).toBe(41102);
    expect((await sc.get('apiuser/list', { cType: 'x' })).body.statusCode).toBe(41104);
  });

  it.each([
    ['name missing', { emailType: '0', domainName: DOMAIN }, 41110],
    ['name empty', { name: '', emailType: '0', domainName: DOMAIN }, 41110],
    ['name of 5 characters', { name: 'abcde', emailType: '0', domainName: DOMAIN }, 41111],
    ['name of 33 characters', { name: 'a'.repeat(33), emailType: '0', domainName: DOMAIN }, 41111],
    ['name with a hyphen', { name: 'abc-def', emailType: '0', domainName: DOMAIN }, 41111],
    ['emailType missing', { name: 'valid_name', domainName: DOMAIN }, 41101],
    ['emailType 2', { name: 'valid_name', emailType: '2', domainName: DOMAIN }, 41102],
    ['cType sent empty', { name: 'valid_name', emailType: '0', domainName: DOMAIN, cType: '' }, 41103],
    ['cType 3', { name: 'valid_name', emailType: '0', domainName: DOMAIN, cType: '3' }, 41104],
    ['domainName missing', { name: 'valid_name', emailType: '0' }, 41105],
    ['domainName not a domain', { name: 'valid_name', emailType: '0', domainName: 'not a domain' }, 41106],
    ['domainName over 250 characters', { name: 'valid_name', emailType: '0', domainName: `${'a'.repeat(60)}.`.repeat(5) + 'com' }, 41107],
    ['domainName Postmill does not have', { name: 'valid_name', emailType: '0', domainName: 'unknown.example' }, 41108],
    ['open sent empty', { name: 'valid_name', emailType: '0', domainName: DOMAIN, open: '' }, 41113],
    ['open 2', { name: 'valid_name', emailType: '0', domainName: DOMAIN, open: '2' }, 41114],
    ['click sent empty', { name: 'valid_name', emailType: '0', domainName: DOMAIN, click: '' }, 41115],
    ['click yes', { name: 'valid_name', emailType: '0', domainName: DOMAIN, click: 'yes' }, 41116],
    ['unsubscribe sent empty', { name: 'valid_name', emailType: '0', domainName: DOMAIN, unsubscribe: '' }, 41117],
    ['unsubscribe -1', { name: 'valid_name', emailType: '0', domainName: DOMAIN, unsubscribe: '-1' }, 41118],
  ])('refuses apiuser/add with %s with %i and creates nothing', async (_what, params, code) => {
    const answer = await sc.post('apiuser/add', params);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ result: false, statusCode: code, info: {} });
    expect((await sc.get('apiuser/list')).body.info.count).toBe(0);
  });

  it('refuses a name already taken, or the built-in apiUser, with 41119 (apiUser创建失败)', async () => {
    const name = uniqueName();
    expect((await sc.post('apiuser/add', { name, emailType: '0', domainName: DOMAIN })).body.statusCode).toBe(200);
    expect((await sc.post('apiuser/add', { name, emailType: '1', domainName: DOMAIN })).body).toMatchObject({ result: false, statusCode: 41119 });
    const builtIn = await sc.post('apiuser/add', { name: api.secretId, emailType: '1', domainName: DOMAIN });
    expect(builtIn.body).toMatchObject({ result: false, statusCode: 41119 });
  });

  it('refuses the apiUser over SENDCLOUD_MAX_API_USERS (4 here) with 41112, also when the adds race', async () => {
    const answers = await Promise.all(Array.from({ length: 7 }, () => sc.post('apiuser/add', { name: uniqueName(), emailType: '0', domainName: DOMAIN })));
    const codes = answers.map((a) => a.body.statusCode).sort();
    expect(codes).toEqual([200, 200, 200, 200, 41112, 41112, 41112]);
    expect((await sc.get('apiuser/list')).body.info.count).toBe(4);
    const over = answers.find((a) => a.body.statusCode === 41112);
    expect(over?.body.message).toBe('apiUser不能超过10个: at most 4 apiUsers may exist');
  });
});
