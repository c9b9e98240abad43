import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { $Dm, type DmClientInstance, dmCallApi, dmClient, sdkTarget } from '../aliyun/sdk-clients.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { codeOf, sendcloud, unique } from './management-test-kit.ts';
import { SendCloudTestClient } from './sendcloud-client.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/u;

function addFields(invokeName: string, extra: Record<string, string> = {}): Record<string, string> {
  return { invokeName, name: 'Bill', html: '<p>Dear %name%, you owe %money%.</p>', subject: 'Bill for %name%', templateType: '0', ...extra };
}

describe('SendCloud template/*', () => {
  let api: ApiHarness;
  let dm: DmClientInstance;

  beforeAll(async () => {
    api = await startApiHarness({ limits: { maxTemplateBytes: 2000, maxSubjectLength: 40 } });
    dm = dmClient(sdkTarget(api), { signing: 'v3' });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('adds a template approved at once and answers it with %name% variables, then gets, updates and deletes it by invokeName', async () => {
    const invokeName = `bill_${unique()}`;
    const added = await sendcloud(api, 'template/add', addFields(invokeName, { templateType: '1', isSubmitAudit: '1' }));
    expect(added).toMatchObject({
      result: true,
      statusCode: 200,
      info: { data: { invokeName, name: 'Bill', templateType: 1, templateStat: 1, html: '<p>Dear %name%, you owe %money%.</p>', subject: 'Bill for %name%' } },
    });
    expect(added.info.data.gmtCreated).toMatch(TIME);

    const got = await sendcloud(api, 'template/get', { invokeName });
    expect(got.info.data).toMatchObject({
      invokeName,
      name: 'Bill',
      templateType: 1,
      templateStat: 1,
      html: '<p>Dear %name%, you owe %money%.</p>',
      contentSummary: '',
    });

    const updated = await sendcloud(api, 'template/update', { invokeName, name: 'Invoice', html: '<p>Hi %name%</p>', templateType: '0' });
    expect(updated).toMatchObject({ result: true, info: { count: 1 } });
    expect((await sendcloud(api, 'template/get', { invokeName })).info.data).toMatchObject({
      name: 'Invoice',
      html: '<p>Hi %name%</p>',
      subject: 'Bill for %name%',
      templateType: 0,
    });

    expect(await sendcloud(api, 'template/delete', { invokeName })).toMatchObject({ result: true, info: { count: 1 } });
    expect(await codeOf(api, 'template/get', { invokeName })).toBe(40216);
  });

  it('lists templates a page at a time with total and count, filtered by invokeName, templateType and templateStat', async () => {
    const names = [`la_${unique()}`, `lb_${unique()}`, `lc_${unique()}`];
    for (const [i, n] of names.entries()) await sendcloud(api, 'template/add', addFields(n, { templateType: i === 1 ? '1' : '0' }));
    const all = await sendcloud(api, 'template/list', { start: '0', limit: '100' });
    expect(all.info.total).toBeGreaterThanOrEqual(3);
    const page = await sendcloud(api, 'template/list', { start: '1', limit: '1' });
    expect(page.info).toMatchObject({ total: all.info.total, count: 1 });
    expect(page.info.dataList[0].invokeName).toBe(all.info.dataList[1].invokeName);

    const one = await sendcloud(api, 'template/list', { invokeName: names[0] ?? '' });
    expect(one.info).toMatchObject({ total: 1, count: 1, dataList: [{ invokeName: names[0], templateStat: 1, templateType: 0 }] });
    const batch = await sendcloud(api, 'template/list', { templateType: '1' });
    expect(batch.info.dataList.map((t: { invokeName: string }) => t.invokeName)).toContain(names[1]);
    expect(batch.info.dataList.every((t: { templateType: number }) => t.templateType === 1)).toBe(true);
    expect((await sendcloud(api, 'template/list', { templateStat: '0' })).info).toMatchObject({ total: 0, count: 0, dataList: [] });
  });

  it('answers each documented refusal of template/add: 40201, 40202, 40207, 40208, 40209, 40210, 40211, 40212, 40203, 40204, 40222, 40220', async () => {
    const n = `r_${unique()}`;
    const without = (field: string) => Object.fromEntries(Object.entries(addFields(n)).filter(([k]) => k !== field));
    expect(await codeOf(api, 'template/add', without('invokeName'))).toBe(40201);
    expect(await codeOf(api, 'template/add', addFields('x'.repeat(101)))).toBe(40202);
    expect(await codeOf(api, 'template/add', without('name'))).toBe(40207);
    expect(await codeOf(api, 'template/add', addFields(n, { name: 'n'.repeat(251) }))).toBe(40208);
    expect(await codeOf(api, 'template/add', without('subject'))).toBe(40209);
    expect(await codeOf(api, 'template/add', addFields(n, { subject: 's'.repeat(41) }))).toBe(40210);
    expect(await codeOf(api, 'template/add', without('html'))).toBe(40211);
    expect(await codeOf(api, 'template/add', addFields(n, { html: 'h'.repeat(2001) }))).toBe(40212);
    expect(await codeOf(api, 'template/add', without('templateType'))).toBe(40203);
    expect(await codeOf(api, 'template/add', addFields(n, { templateType: '2' }))).toBe(40204);
    expect(await codeOf(api, 'template/add', addFields(n, { isSubmitAudit: 'yes' }))).toBe(40222);
    expect(await codeOf(api, 'template/add', addFields(n))).toBe(200);
    expect(await codeOf(api, 'template/add', addFields(n))).toBe(40220);
  });

  it('answers template/get over GET with the query as the doc shows, and an unknown invokeName with 40216 and its documented message', async () => {
    const invokeName = `get_${unique()}`;
    await sendcloud(api, 'template/add', addFields(invokeName));
    const client = new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey);
    const got = await client.get('template/get', { invokeName });
    expect(got.body).toMatchObject({ result: true, statusCode: 200, message: '请求成功', info: { data: { invokeName, subject: 'Bill for %name%' } } });
    const missing = await client.get('template/get', { invokeName: `${invokeName}_none` });
    expect(missing.status).toBe(200);
    expect(missing.body).toMatchObject({ result: false, statusCode: 40216, info: {} });
    expect(missing.body.message).toMatch(/^模板调用名称对应的模板不存在/u);
  });

  it('adds a template of one invokeName concurrently from SendCloud and DirectMail: exactly one is created', async () => {
    const invokeName = `race${unique()}`;
    const results = await Promise.all([
      codeOf(api, 'template/add', addFields(invokeName)),
      codeOf(api, 'template/add', addFields(invokeName)),
      dmCallApi(dm, 'CreateTemplate', { TemplateName: invokeName, TemplateText: '<p>x</p>' }).then(
        () => 200,
        (err: { code?: string }) => (err.code === 'InvalidTemplateName.Duplicate' ? 40220 : -1),
      ),
    ]);
    expect(results.filter((c) => c === 200)).toHaveLength(1);
    expect(results.filter((c) => c === 40220)).toHaveLength(2);
    expect((await sendcloud(api, 'template/list', { invokeName })).info.total).toBe(1);
  });

  it('answers 40216 for get, update and delete of an unknown invokeName, 40206 for a bad templateStat and 40002/40004 for a bad page', async () => {
    const n = `none_${unique()}`;
    expect(await codeOf(api, 'template/get', { invokeName: n })).toBe(40216);
    expect(await codeOf(api, 'template/update', { invokeName: n, name: 'x' })).toBe(40216);
    expect(await codeOf(api, 'template/delete', { invokeName: n })).toBe(40216);
    expect(await codeOf(api, 'template/list', { templateStat: '3' })).toBe(40206);
    expect(await codeOf(api, 'template/list', { start: '-1' })).toBe(40002);
    expect(await codeOf(api, 'template/list', { limit: '101' })).toBe(40004);
    expect(await codeOf(api, 'template/list', { start: '' })).toBe(40001);
    expect(await codeOf(api, 'template/list', { limit: '' })).toBe(40003);
  });

  it("shows a SendCloud template in DirectMail under its invokeName with DirectMail's {name} variables, and DirectMail cannot take the name", async () => {
    const invokeName = `sc${unique()}`;
    await sendcloud(api, 'template/add', addFields(invokeName));
    const listed = await dm.queryTemplateByParam(new $Dm.QueryTemplateByParamRequest({ keyWord: invokeName }));
    const id = listed.body?.data?.template?.[0]?.templateId;
    expect(listed.body?.data?.template?.map((t) => t.templateName)).toEqual([invokeName]);
    expect(await dmCallApi(dm, 'DescTemplate', { TemplateId: String(id) })).toMatchObject({
      TemplateName: invokeName,
      TemplateSubject: 'Bill for {name}',
      TemplateText: '<p>Dear {name}, you owe {money}.</p>',
    });
    const again = await dmCallApi(dm, 'CreateTemplate', { TemplateName: invokeName, TemplateText: '<p>x</p>' }).catch((e: unknown) => e);
    expect(again).toMatchObject({ statusCode: 400 });
  });

  it('finds a DirectMail template and a Tencent template by their names as invokeName, with %name% variables', async () => {
    const dmName = `dm${unique()}`;
    await dmCallApi(dm, 'CreateTemplate', { TemplateName: dmName, TemplateSubject: 'Hello {UserName}', TemplateText: '<p>Dear {UserName}</p>' });
    expect((await sendcloud(api, 'template/get', { invokeName: dmName })).info.data).toMatchObject({
      invokeName: dmName,
      name: dmName,
      subject: 'Hello %UserName%',
      html: '<p>Dear %UserName%</p>',
      templateType: 0,
      templateStat: 1,
    });
    expect(await codeOf(api, 'template/add', addFields(dmName))).toBe(40220);

    const tcName = `tc${unique()}`;
    const created = await api.call('CreateEmailTemplate', { TemplateName: tcName, TemplateContent: { Html: b64('<p>Hi {{UserName}}</p>') } });
    expect(created.body.Response.Error).toBeUndefined();
    expect((await sendcloud(api, 'template/get', { invokeName: tcName })).info.data).toMatchObject({ invokeName: tcName, html: '<p>Hi %UserName%</p>' });
    expect(await codeOf(api, 'template/add', addFields(tcName))).toBe(40220);

    const scName = `sc${unique()}`;
    await sendcloud(api, 'template/add', addFields(scName));
    const listed = await api.call('ListEmailTemplates', { Limit: 100, Offset: 0 });
    const meta = listed.body.Response.TemplatesMetadata.find((t: { TemplateName: string }) => t.TemplateName === scName);
    const got = await api.call('GetEmailTemplate', { TemplateID: meta.TemplateID });
    expect(unb64(got.body.Response.TemplateContent.Html)).toBe('<p>Dear {{name}}, you owe {{money}}.</p>');
  });
});
