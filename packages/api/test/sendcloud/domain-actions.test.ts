import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $Dm, type DmClientInstance, dmClient, sdkTarget } from '../aliyun/sdk-clients.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { codeOf, sendcloud, unique } from './management-test-kit.ts';

describe('SendCloud domain/*', () => {
  let api: ApiHarness;
  let dm: DmClientInstance;

  beforeAll(async () => {
    api = await startApiHarness();
    dm = dmClient(sdkTarget(api), { signing: 'v3' });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('adds a domain and answers the SPF and DKIM records to publish in SendCloud field names, nothing verified yet', async () => {
    const name = `sc${unique()}.example.com`;
    const added = await sendcloud(api, 'domain/add', { name });
    expect(added).toMatchObject({
      result: true,
      statusCode: 200,
      info: {
        data: {
          name,
          type: '普通',
          verify: 0,
          'spf.domain': name,
          'spf.value': 'v=spf1 include:spf.postmill.invalid ~all',
          'dkim.domain': `postmill._domainkey.${name}`,
          'mx.value': '',
          'cname.value': '',
          'verifyKey.value': '',
        },
      },
    });
    expect(added.info.data['dkim.value']).toMatch(/^v=DKIM1; k=rsa; p=/u);
    const listed = await sendcloud(api, 'domain/list', { name: `${name};absent${unique()}.example.com` });
    expect(listed.info).toMatchObject({ count: 1, dataList: [{ name }] });
  });

  it('lists domains a page at a time and filters by type and verify', async () => {
    for (let i = 0; i < 3; i++) await sendcloud(api, 'domain/add', { name: `pg${unique()}.example.com` });
    const all = await sendcloud(api, 'domain/list', {});
    expect(all.info.count).toBeGreaterThanOrEqual(3);
    const page = await sendcloud(api, 'domain/list', { start: '1', limit: '2' });
    expect(page.info.dataList.map((d: { name: string }) => d.name)).toEqual(all.info.dataList.slice(1, 3).map((d: { name: string }) => d.name));
    expect((await sendcloud(api, 'domain/list', { type: '0' })).info.count).toBe(0);
    expect((await sendcloud(api, 'domain/list', { type: '1' })).info.count).toBe(all.info.count);
    expect((await sendcloud(api, 'domain/list', { verify: '>22' })).info.count).toBe(0);
    expect((await sendcloud(api, 'domain/list', { verify: '<12' })).info.count).toBe(all.info.count);
  });

  it('renames a domain with domain/update, refused with 41016 while a sender address uses it', async () => {
    const name = `old${unique()}.example.com`;
    const newName = `new${unique()}.example.com`;
    await sendcloud(api, 'domain/add', { name });
    const renamed = await sendcloud(api, 'domain/update', { name, newName });
    expect(renamed).toMatchObject({ result: true, info: { data: { name: newName } } });
    expect(await codeOf(api, 'domain/update', { name, newName: `x${unique()}.example.com` })).toBe(41014);

    await api.call('CreateEmailAddress', { EmailAddress: `news@${newName}` });
    expect(await codeOf(api, 'domain/update', { name: newName, newName: `y${unique()}.example.com` })).toBe(41016);
    expect((await sendcloud(api, 'domain/list', { name: newName })).info.count).toBe(1);
  });

  it('answers 41001, 41002, 41003, 41013, 41015 for a bad or taken add; 41004, 41005, 41006, 41014, 41016 for a bad update; 41008, 41010 for bad filters', async () => {
    const name = `t${unique()}.example.com`;
    await sendcloud(api, 'domain/add', { name });
    expect(await codeOf(api, 'domain/add', {})).toBe(41001);
    expect(await codeOf(api, 'domain/add', { name: `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.com` })).toBe(
      41002,
    );
    expect(await codeOf(api, 'domain/add', { name: 'not a domain' })).toBe(41003);
    expect(await codeOf(api, 'domain/add', { name: 'mail.sendcloud.example.com' })).toBe(41003);
    expect(await codeOf(api, 'domain/add', { name: 'a.example.com;b.example.com' })).toBe(41013);
    expect(await codeOf(api, 'domain/add', { name })).toBe(41015);
    expect(await codeOf(api, 'domain/update', { name })).toBe(41004);
    expect(await codeOf(api, 'domain/update', { name, newName: `${'a'.repeat(250)}.com` })).toBe(41005);
    expect(await codeOf(api, 'domain/update', { name, newName: 'bad name' })).toBe(41006);
    expect(await codeOf(api, 'domain/update', { name: `none${unique()}.example.com`, newName: `n${unique()}.example.com` })).toBe(41014);
    const other = `o${unique()}.example.com`;
    await sendcloud(api, 'domain/add', { name: other });
    expect(await codeOf(api, 'domain/update', { name, newName: other })).toBe(41016);
    expect(await codeOf(api, 'domain/list', { type: '2' })).toBe(41008);
    expect(await codeOf(api, 'domain/list', { verify: '=3' })).toBe(41010);
  });

  it('shows a SendCloud domain to DirectMail and Tencent, and a Tencent domain to SendCloud', async () => {
    const name = `sc${unique()}.example.com`;
    await sendcloud(api, 'domain/add', { name });
    const dmListed = await dm.queryDomainByParam(new $Dm.QueryDomainByParamRequest({ keyWord: name }));
    expect(dmListed.body?.data?.domain?.map((d) => d.domainName)).toEqual([name]);
    const tc = await api.call('GetEmailIdentity', { EmailIdentity: name });
    expect(tc.body.Response.Error).toBeUndefined();

    const tcName = `tc${unique()}.example.com`;
    await api.call('CreateEmailIdentity', { EmailIdentity: tcName });
    expect((await sendcloud(api, 'domain/list', { name: tcName })).info.dataList).toMatchObject([{ name: tcName, 'spf.domain': tcName }]);
  });
});
