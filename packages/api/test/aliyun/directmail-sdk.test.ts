import { randomBytes } from 'node:crypto';
import { type AliyunClient, createAliyunClient } from '@postmill/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { $Dm, type DmClientInstance, dmCallApi, dmClient, popClient, sdkTarget, type Target } from './sdk-clients.ts';

// The official Alibaba Cloud SDKs against a real Postmill API on loopback (real Redis): every
// request is signed by the SDK itself and verified by the server. Where a test must fix the nonce
// or time, or ask for XML, the testkit's client signs instead (pop-core's GET for V1, the dm SDK's
// default for V3).

const unique = () => randomBytes(4).toString('hex');

describe('DirectMail with the official SDKs', () => {
  let api: ApiHarness;
  let target: Target;
  let v1: AliyunClient;
  let v3: AliyunClient;

  beforeAll(async () => {
    api = await startApiHarness();
    target = sdkTarget(api);
    v1 = createAliyunClient({ baseUrl: api.baseUrl, accessKeyId: api.secretId, secret: api.secretKey, shape: 'v1-get' });
    v3 = createAliyunClient({ baseUrl: api.baseUrl, accessKeyId: api.secretId, secret: api.secretKey, shape: 'v3' });
  });

  afterAll(async () => {
    await api?.close();
  });

  for (const signing of ['v3', 'v2'] as const) {
    describe(`dm SDK (${signing === 'v3' ? 'default V3 signing' : "signatureAlgorithm 'v2'"})`, () => {
      let client: DmClientInstance;
      beforeAll(() => {
        client = dmClient(target, { signing });
      });

      it('creates a domain, a sender address, a template, a tag and a recipient list with members, and reads each back with the vendor keys', async () => {
        const domain = `dm${unique()}.example.com`;
        const created = await client.createDomain(new $Dm.CreateDomainRequest({ domainName: domain }));
        expect(created.statusCode).toBe(200);
        const domainId = Number(created.body?.domainId);
        expect(domainId).toBeGreaterThan(0);
        const desc = await client.descDomain(new $Dm.DescDomainRequest({ domainId }));
        expect(desc.body?.domainName).toBe(domain);
        expect(desc.body?.spfRecordV2).toContain('v=spf1');
        const domains = await client.queryDomainByParam(new $Dm.QueryDomainByParamRequest({ keyWord: domain }));
        expect(domains.body?.data?.domain?.map((d) => d.domainName)).toEqual([domain]);

        const address = `news@${domain}`;
        const mail = await client.createMailAddress(
          new $Dm.CreateMailAddressRequest({ accountName: address, sendtype: 'batch', replyAddress: `reply@${domain}` }),
        );
        expect(Number(mail.body?.mailAddressId)).toBeGreaterThan(0);
        const addresses = await client.queryMailAddressByParam(new $Dm.QueryMailAddressByParamRequest({ keyWord: address }));
        expect(addresses.body?.totalCount).toBe(1);
        expect(addresses.body?.data?.mailAddress?.[0]).toMatchObject({
          accountName: address,
          sendtype: 'batch',
          replyAddress: `reply@${domain}`,
          replyStatus: '0',
        });

        const templateName = `t${unique()}`;
        const template = await dmCallApi(client, 'CreateTemplate', {
          TemplateName: templateName,
          TemplateSubject: 'Hello {UserName}',
          TemplateText: "<p>Dear {UserName} ({NickName})! 50% * 'off'</p>",
        });
        const templateId = Number(template.TemplateId);
        expect(templateId).toBeGreaterThan(0);
        const templates = await client.queryTemplateByParam(new $Dm.QueryTemplateByParamRequest({ keyWord: templateName }));
        expect(templates.body?.data?.template?.[0]).toMatchObject({ templateId: String(templateId), templateName });
        const described = await dmCallApi(client, 'DescTemplate', { TemplateId: String(templateId) });
        expect(described).toMatchObject({
          TemplateName: templateName,
          TemplateSubject: 'Hello {UserName}',
          TemplateText: "<p>Dear {UserName} ({NickName})! 50% * 'off'</p>",
        });

        const tagName = `tag_${unique()}`;
        const tag = await client.createTag(new $Dm.CreateTagRequest({ tagName, tagDescription: 'campaign' }));
        expect(Number(tag.body?.tagId)).toBeGreaterThan(0);
        const tags = await client.queryTagByParam(new $Dm.QueryTagByParamRequest({ keyWord: tagName }));
        expect(tags.body?.data?.tag?.[0]).toMatchObject({ tagName, tagDescription: 'campaign' });

        const listName = `l${unique()}`;
        const receiver = await client.createReceiver(
          new $Dm.CreateReceiverRequest({ receiversName: listName, receiversAlias: `${listName}@x.org`, desc: 'members' }),
        );
        const receiverId = receiver.body?.receiverId ?? '';
        expect(receiverId).toMatch(/^\d+$/u);
        const saved = await client.saveReceiverDetail(
          new $Dm.SaveReceiverDetailRequest({
            receiverId,
            detail: JSON.stringify([
              { e: 'alice@example.org', u: 'Alice', n: 'Al' },
              { e: 'bob@example.org', u: 'Bob', n: 'B' },
              { e: 'alice@example.org', u: 'Again', n: 'A' },
            ]),
          }),
        );
        expect(saved.body).toMatchObject({ successCount: 2, errorCount: 1 });
        const members = await client.queryReceiverDetail(new $Dm.QueryReceiverDetailRequest({ receiverId }));
        expect(members.body?.dataSchema).toBe('UserName,NickName');
        expect(members.body?.data?.detail?.map((d) => [d.email, d.data])).toEqual([
          ['alice@example.org', 'Alice,Al'],
          ['bob@example.org', 'Bob,B'],
        ]);
        const lists = await client.queryReceiverByParam(new $Dm.QueryReceiverByParamRequest({ keyWord: listName }));
        expect(lists.body?.data?.receiver?.[0]).toMatchObject({ receiverId, receiversName: listName, count: '2' });
      });

      it('raises ClientError SignatureDoesNotMatch (HTTP 400) when signed with another secret', async () => {
        const wrong = dmClient({ ...target, secret: 'not-the-secret' }, { signing });
        const err = await wrong.createDomain(new $Dm.CreateDomainRequest({ domainName: `x${unique()}.example.com` })).catch((e: unknown) => e);
        expect(err).toMatchObject({ name: 'ClientError', code: 'SignatureDoesNotMatch', statusCode: 400 });
      });

      it('raises InvalidAccessKeyId.NotFound for an AccessKeyId Postmill does not know', async () => {
        const stranger = dmClient({ ...target, accessKeyId: 'LTAInobody' }, { signing });
        const err = await stranger.queryTagByParam(new $Dm.QueryTagByParamRequest({})).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
      });

      it('raises InvalidMailAddress.NotFound for a MailAddressId that does not exist', async () => {
        const err = await client.deleteMailAddress(new $Dm.DeleteMailAddressRequest({ mailAddressId: 987654321 })).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'InvalidMailAddress.NotFound' });
      });
    });
  }

  for (const method of ['GET', 'POST'] as const) {
    it(`serves pop-core ${method} with raw JSON in the vendor's casing, and raises its error code`, async () => {
      const pop = popClient(target);
      const domain = `pop${unique()}.example.com`;
      const created = await pop.request('CreateDomain', { DomainName: domain }, method);
      expect(created).toMatchObject({ RequestId: expect.any(String), DomainId: expect.any(Number) });
      await pop.request('CreateMailAddress', { AccountName: `hello@${domain}`, Sendtype: 'trigger' }, method);
      const listed = await pop.request('QueryMailAddressByParam', { KeyWord: `hello@${domain}` }, method);
      expect(listed).toMatchObject({ TotalCount: 1, data: { mailAddress: [{ AccountName: `hello@${domain}`, Sendtype: 'trigger' }] } });
      const err = await pop.request('CreateMailAddress', { AccountName: `hello@${domain}`, Sendtype: 'trigger' }, method).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'InvalidMailAddressName.Duplicate' });
    });
  }

  it('refuses a reused SignatureNonce with SignatureNonceUsed, for V1 and V3, and runs the action only once', async () => {
    const nonce = randomBytes(16).toString('hex');
    const name = `n${unique()}`;
    const first = await v1.call('CreateTag', { TagName: name }, { nonce, format: 'JSON' });
    expect(first.status).toBe(200);
    const again = await v1.call('CreateTag', { TagName: name }, { nonce, format: 'JSON' });
    expect(again.status).toBe(400);
    expect(JSON.parse(again.text)).toMatchObject({ Code: 'SignatureNonceUsed', HostId: expect.any(String), RequestId: expect.any(String) });

    const v3nonce = randomBytes(32).toString('hex');
    expect((await v3.call('QueryTagByParam', {}, { nonce: v3nonce })).status).toBe(200);
    expect(await v3.call('QueryTagByParam', {}, { nonce: v3nonce })).toMatchObject({ status: 400, body: { Code: 'SignatureNonceUsed' } });
  });

  it('refuses a timestamp more than 15 minutes off with InvalidTimeStamp.Expired, for V1 and V3', async () => {
    const stale = Date.now() - 16 * 60_000;
    const staleV1 = await v1.call('QueryTagByParam', {}, { format: 'json', timestampMs: stale });
    expect(staleV1.status).toBe(400);
    expect(JSON.parse(staleV1.text)).toMatchObject({ Code: 'InvalidTimeStamp.Expired' });
    expect(await v3.call('QueryTagByParam', {}, { timestampMs: Date.now() + 16 * 60_000 })).toMatchObject({
      status: 400,
      body: { Code: 'InvalidTimeStamp.Expired' },
    });
  });

  it('answers XML when Format=XML (and when Format is absent on V1), lists as repeated elements, errors as <Error>', async () => {
    const domain = `xml${unique()}.example.com`;
    await v1.request('CreateDomain', { DomainName: domain }, { format: 'JSON' });
    await v1.request('CreateMailAddress', { AccountName: `a@${domain}`, Sendtype: 'batch' }, { format: 'JSON' });
    await v1.request('CreateMailAddress', { AccountName: `b@${domain}`, Sendtype: 'batch' }, { format: 'JSON' });
    const xml = await v1.call('QueryMailAddressByParam', { KeyWord: domain }, { format: 'XML' });
    expect(xml.status).toBe(200);
    expect(xml.contentType).toBe('text/xml;charset=utf-8');
    expect(xml.text).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><QueryMailAddressByParamResponse><RequestId>[0-9A-F-]{36}<\/RequestId>/u);
    expect(xml.text).toContain(`<data><mailAddress><MailAddressId>`);
    expect(xml.text.match(/<mailAddress>/gu)).toHaveLength(2);
    expect(xml.text).toContain(`<AccountName>a@${domain}</AccountName>`);
    const absent = await v1.call('QueryTagByParam', {}, { format: false });
    expect(absent.text).toMatch(/^<\?xml .*<QueryTagByParamResponse>/u);
    const error = await v1.call('DeleteMailAddress', { MailAddressId: '99999999' }, { format: 'xml' });
    expect(error.status).toBe(404);
    expect(error.text).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?><Error><RequestId>.+<\/RequestId><HostId>127\.0\.0\.1<\/HostId><Code>InvalidMailAddress\.NotFound<\/Code><Message>/u,
    );
  });

  it('answers InvalidAction.NotFound (404) for an unknown action and UnsupportedOperation for an account-only one', async () => {
    const unknown = await v3.call('NoSuchAction');
    expect(unknown).toMatchObject({ status: 404, body: { Code: 'InvalidAction.NotFound' } });
    const dedicated = await v3.call('DedicatedIpList');
    expect(dedicated).toMatchObject({ status: 400, body: { Code: 'UnsupportedOperation', Message: expect.stringContaining('dedicated IP') } });
  });

  it('answers Missing<Name> for a required parameter left out, never a 5xx', async () => {
    const answer = await v1.call('CreateMailAddress', { Sendtype: 'batch' }, { format: 'JSON' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ Code: 'MissingAccountName', Message: 'AccountName is mandatory for this action.' });
  });
});
