import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { $Dm, type DmClientInstance, dmCallApi, dmClient, sdkTarget } from './sdk-clients.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const unique = () => randomBytes(4).toString('hex');

// One store behind both dialects: what one makes, the other sees, each in its own shape.
describe('Tencent and DirectMail on one Postmill', () => {
  let api: ApiHarness;
  let dm: DmClientInstance;

  beforeAll(async () => {
    api = await startApiHarness();
    dm = dmClient(sdkTarget(api), { signing: 'v3' });
  });

  afterAll(async () => {
    await api?.close();
  });

  it("shows a template made with Tencent's CreateEmailTemplate in QueryTemplateByParam, with DirectMail's {Name} variables", async () => {
    const name = `tc${unique()}`;
    const created = await api.call('CreateEmailTemplate', { TemplateName: name, TemplateContent: { Html: b64('<p>Hi {{UserName}}</p>') } });
    const id = created.body.Response.TemplateID as number;
    const listed = await dm.queryTemplateByParam(new $Dm.QueryTemplateByParamRequest({ keyWord: name }));
    expect(listed.body?.data?.template?.map((t) => [t.templateId, t.templateName])).toEqual([[String(id), name]]);
    expect(await dmCallApi(dm, 'DescTemplate', { TemplateId: String(id) })).toMatchObject({ TemplateName: name, TemplateText: '<p>Hi {UserName}</p>' });
  });

  it("shows a template made with DirectMail's CreateTemplate in Tencent's GetEmailTemplate, with Tencent's {{Name}} variables", async () => {
    const name = `dm${unique()}`;
    const { TemplateId } = await dmCallApi(dm, 'CreateTemplate', { TemplateName: name, TemplateSubject: 'Hello', TemplateText: '<p>Dear {UserName}</p>' });
    const got = await api.call('GetEmailTemplate', { TemplateID: Number(TemplateId) });
    expect(got.body.Response.Error).toBeUndefined();
    expect(unb64(got.body.Response.TemplateContent.Html)).toBe('<p>Dear {{UserName}}</p>');
    const listed = await api.call('ListEmailTemplates', { Limit: 100, Offset: 0 });
    expect(listed.body.Response.TemplatesMetadata.map((t: { TemplateName: string }) => t.TemplateName)).toContain(name);
  });

  it('numbers a domain and a sender made through Tencent for DirectMail, and deletes them by those ids', async () => {
    const domain = `tc${unique()}.example.com`;
    await api.call('CreateEmailIdentity', { EmailIdentity: domain });
    await api.call('CreateEmailAddress', { EmailAddress: `news@${domain}` });
    const domains = await dm.queryDomainByParam(new $Dm.QueryDomainByParamRequest({ keyWord: domain }));
    const domainId = Number(domains.body?.data?.domain?.[0]?.domainId);
    expect(domainId).toBeGreaterThan(0);
    const addresses = await dm.queryMailAddressByParam(new $Dm.QueryMailAddressByParamRequest({ keyWord: domain }));
    const mailAddressId = Number(addresses.body?.data?.mailAddress?.[0]?.mailAddressId);
    expect(mailAddressId).toBeGreaterThan(0);

    const blocked = await dm.deleteDomain(new $Dm.DeleteDomainRequest({ domainId })).catch((e: unknown) => e);
    expect(blocked).toMatchObject({ code: 'InvalidDomainStatus.Malformed', statusCode: 400 });
    await dm.deleteMailAddress(new $Dm.DeleteMailAddressRequest({ mailAddressId }));
    await dm.deleteDomain(new $Dm.DeleteDomainRequest({ domainId }));
    const gone = await api.call('GetEmailIdentity', { EmailIdentity: domain });
    expect(gone.body.Response.Error?.Code).toBeDefined();
  });

  it("suppresses an address on the blacklist Tencent's ListBlackEmailAddress reads, and removes it by SuppressionId", async () => {
    const address = `blocked${unique()}@example.org`;
    const created = await dm.createUserSuppression(new $Dm.CreateUserSuppressionRequest({ address }));
    const suppressionId = created.body?.suppressionId ?? '';
    expect(suppressionId).toMatch(/^\d+$/u);
    const listed = await dm.listUserSuppression(new $Dm.ListUserSuppressionRequest({ address }));
    expect(listed.body?.data?.userSuppressions?.map((s) => s.address)).toEqual([address]);
    await dm.removeUserSuppression(new $Dm.RemoveUserSuppressionRequest({ suppressionIds: suppressionId }));
    expect((await dm.listUserSuppression(new $Dm.ListUserSuppressionRequest({ address }))).body?.data?.userSuppressions ?? []).toEqual([]);
  });

  it('counts what both dialects made in DescAccountSummary', async () => {
    const before = await dm.descAccountSummary(new $Dm.DescAccountSummaryRequest({}));
    await api.call('CreateEmailIdentity', { EmailIdentity: `sum${unique()}.example.com` });
    const after = await dm.descAccountSummary(new $Dm.DescAccountSummaryRequest({}));
    expect(Number(after.body?.domains)).toBe(Number(before.body?.domains) + 1);
    expect(after.body?.userStatus).toBe(0);
  });
});
