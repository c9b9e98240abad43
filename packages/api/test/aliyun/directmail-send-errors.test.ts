import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { $Dm, type DmClientInstance, dmClient, popClient, sdkTarget } from './sdk-clients.ts';

// Every refusal of SingleSendMail and BatchSendMail that seed 000 (the BatchSendMail page) and the
// reference's list of DirectMail business errors (aliyun-sendcloud-api.md §A.5, the codes of the
// SingleSendMail and BatchSendMail pages) name, driven through the official clients, each with the
// HTTP status the vendor's pages give. Codes that cannot occur in Postmill are said so in the report
// of this change and in the README (InvalidSendMail.Spam: no spam filter; InvalidMailAddressStatus.Malformed:
// a sender address is never frozen).

const unique = () => randomBytes(4).toString('hex');

/** A refusal as either official client raises it: its code and the HTTP status of the answer. */
interface Refusal {
  readonly code: string;
  readonly status: number;
}

/**
 * The code and HTTP status of a refused call. The dm SDK's ClientError carries `statusCode`;
 * pop-core's error carries the status in `entry.response`.
 */
async function refusal(call: Promise<unknown>): Promise<Refusal> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as { code?: string; statusCode?: number; entry?: { response?: { statusCode?: number } } },
  );
  if (err === undefined) throw new Error('the call was accepted; a refusal was expected');
  return { code: String(err.code), status: Number(err.statusCode ?? err.entry?.response?.statusCode) };
}

describe('DirectMail sending refusals through the official SDKs', () => {
  let api: ApiHarness;
  let dm: DmClientInstance;
  let dmV1: DmClientInstance;
  let pop: ReturnType<typeof popClient>;

  beforeAll(async () => {
    // Each test makes its own domain and senders; Tencent's cap of 10 sender addresses would run out.
    api = await startApiHarness({ limits: { maxSenderAddresses: 100 } });
    const target = sdkTarget(api);
    dm = dmClient(target, { signing: 'v3' });
    dmV1 = dmClient(target, { signing: 'v2' });
    pop = popClient(target);
  });

  afterAll(async () => {
    await api?.close();
  });

  /** A domain with senders of the given types, a template and a list with members, all new. */
  async function account(options: { senders?: Readonly<Record<string, 'batch' | 'trigger'>>; members?: number } = {}) {
    const domain = `se${unique()}.example.com`;
    await pop.request('CreateDomain', { DomainName: domain }, 'POST');
    const senders = options.senders ?? { news: 'batch' };
    for (const [local, type] of Object.entries(senders)) await pop.request('CreateMailAddress', { AccountName: `${local}@${domain}`, Sendtype: type }, 'POST');
    const templateName = `t${unique()}`;
    await pop.request('CreateTemplate', { TemplateName: templateName, TemplateSubject: 'Hi {UserName}', TemplateText: '<p>Dear {UserName}</p>' }, 'POST');
    const listName = `l${unique()}`;
    const { ReceiverId } = await pop.request('CreateReceiver', { ReceiversName: listName, ReceiversAlias: `${listName}@lists.example.org` }, 'POST');
    const members = Array.from({ length: options.members ?? 2 }, (_, i) => ({ e: `m${i}@example.org`, u: `M${i}` }));
    if (members.length > 0) await pop.request('SaveReceiverDetail', { ReceiverId: String(ReceiverId), Detail: JSON.stringify(members) }, 'POST');
    return { domain, sender: `${Object.keys(senders)[0]}@${domain}`, templateName, listName };
  }

  const batch = (client: DmClientInstance, p: { accountName: string; templateName: string; receiversName: string; addressType?: number }) =>
    client.batchSendMail(new $Dm.BatchSendMailRequest({ addressType: 1, ...p }));

  const single = (client: DmClientInstance, p: { accountName: string; addressType?: number; toAddress?: string; subject?: string; htmlBody?: string }) =>
    client.singleSendMail(
      new $Dm.SingleSendMailRequest({ addressType: 1, replyToAddress: false, toAddress: 'to@example.org', subject: 'Hello', htmlBody: '<p>b</p>', ...p }),
    );

  describe('BatchSendMail, every error code of seed 000', () => {
    it('answers InvalidMailAddress.NotFound with HTTP 400 for an AccountName that is no sender address', async () => {
      const a = await account();
      expect(await refusal(batch(dm, { accountName: `nobody@${a.domain}`, templateName: a.templateName, receiversName: a.listName }))).toEqual({
        code: 'InvalidMailAddress.NotFound',
        status: 400,
      });
    });

    it('answers InvalidMailAddressSendType.Malformed with HTTP 400 for a trigger-type sender address (batch mail needs a batch address)', async () => {
      const a = await account({ senders: { alerts: 'trigger' } });
      expect(await refusal(batch(dmV1, { accountName: a.sender, templateName: a.templateName, receiversName: a.listName }))).toEqual({
        code: 'InvalidMailAddressSendType.Malformed',
        status: 400,
      });
    });

    it('answers InvalidReceiverName.Malformed with HTTP 400 for a list that does not exist, a list that is empty and a name longer than 30', async () => {
      const a = await account();
      const empty = await account({ members: 0 });
      const call = (receiversName: string) =>
        refusal(pop.request('BatchSendMail', { AccountName: a.sender, AddressType: 1, TemplateName: a.templateName, ReceiversName: receiversName }, 'GET'));
      const expected = { code: 'InvalidReceiverName.Malformed', status: 400 };
      expect(await call(`no${unique()}`)).toEqual(expected);
      expect(await call(empty.listName)).toEqual(expected);
      expect(await call('x'.repeat(31))).toEqual(expected);
    });

    it('answers InvalidTemplateName.Malformed with HTTP 400 for a template name that names no template, or is longer than 30', async () => {
      const a = await account();
      const call = (templateName: string) =>
        refusal(pop.request('BatchSendMail', { AccountName: a.sender, AddressType: 1, TemplateName: templateName, ReceiversName: a.listName }, 'POST'));
      expect(await call(`no${unique()}`)).toEqual({ code: 'InvalidTemplateName.Malformed', status: 400 });
      expect(await call('x'.repeat(31))).toEqual({ code: 'InvalidTemplateName.Malformed', status: 400 });
    });

    it("answers InvalidMailAddressDomain.Malformed with HTTP 400 when the sender address's domain no longer exists", async () => {
      const a = await account();
      // DeleteDomain refuses a domain with addresses; an address created while its domain was being
      // deleted survives without it (the engine's domains.delete says so). Arrange that state directly.
      expect(await api.deps.identities.delete(a.domain)).toBe(true);
      expect(await refusal(batch(dm, { accountName: a.sender, templateName: a.templateName, receiversName: a.listName }))).toEqual({
        code: 'InvalidMailAddressDomain.Malformed',
        status: 400,
      });
    });
  });

  describe('SingleSendMail, every business code of its page that Postmill can reach', () => {
    it('answers InvalidMailAddress.NotFound with HTTP 400 for an AccountName that is no sender address', async () => {
      expect(await refusal(single(dm, { accountName: `nobody@n${unique()}.example.com` }))).toEqual({ code: 'InvalidMailAddress.NotFound', status: 400 });
    });

    it("answers InvalidMailAddressDomain.Malformed with HTTP 400 when the sender address's domain no longer exists", async () => {
      const a = await account({ senders: { alerts: 'trigger' } });
      expect(await api.deps.identities.delete(a.domain)).toBe(true);
      expect(await refusal(single(dmV1, { accountName: a.sender }))).toEqual({ code: 'InvalidMailAddressDomain.Malformed', status: 400 });
    });

    it('refuses no sender address by its send type: a batch and a trigger address both send single mail', async () => {
      // The reference gives SingleSendMail no send-type rule (InvalidMailAddressSendType.Malformed is
      // BatchSendMail's "only the batch-type sender address is allowed"), so Postmill refuses none.
      const a = await account({ senders: { news: 'batch', alerts: 'trigger' } });
      for (const sender of [`news@${a.domain}`, `alerts@${a.domain}`]) {
        const sent = await single(dm, { accountName: sender });
        expect((await api.deps.messages.getSpec(String(sent.body?.envId)))?.from.address).toBe(sender);
      }
    });

    it('answers InvalidToAddress with HTTP 400 for a malformed recipient and for more than 100 recipients', async () => {
      const a = await account({ senders: { alerts: 'trigger' } });
      expect(await refusal(single(dm, { accountName: a.sender, toAddress: 'not-an-address' }))).toEqual({ code: 'InvalidToAddress', status: 400 });
      const many = Array.from({ length: 101 }, (_, i) => `r${i}@example.org`).join(',');
      expect(await refusal(single(dm, { accountName: a.sender, toAddress: many }))).toEqual({ code: 'InvalidToAddress', status: 400 });
    });

    it('answers InvalidBody with HTTP 400 when neither HtmlBody nor TextBody is given', async () => {
      const a = await account({ senders: { alerts: 'trigger' } });
      const call = pop.request(
        'SingleSendMail',
        { AccountName: a.sender, AddressType: 1, ReplyToAddress: 'false', ToAddress: 'to@example.org', Subject: 's' },
        'POST',
      );
      expect(await refusal(call)).toEqual({ code: 'InvalidBody', status: 400 });
    });

    it('answers InvalidSubject.Malformed with HTTP 400 for a subject over DirectMail’s 256 characters, however long', async () => {
      const a = await account({ senders: { alerts: 'trigger' } });
      // DirectMail's cap is 256 (older pages said 100; ALIYUN_MAX_SUBJECT_LENGTH), not Tencent's 100.
      for (const length of [257, 1000]) {
        expect(await refusal(single(dm, { accountName: a.sender, subject: 's'.repeat(length) }))).toEqual({ code: 'InvalidSubject.Malformed', status: 400 });
      }
    });

    it('answers InvalidToAddress.Spam with HTTP 400 when every recipient unsubscribed from the sender', async () => {
      const a = await account({ senders: { alerts: 'trigger' } });
      await api.deps.suppressions.unsubscribe(a.sender, 'gone@example.org');
      expect(await refusal(single(dm, { accountName: a.sender, toAddress: 'gone@example.org' }))).toEqual({ code: 'InvalidToAddress.Spam', status: 400 });
    });

    it('answers InvalidTemplate.NotFound with HTTP 404 for a Template whose TemplateId names no template', async () => {
      const a = await account({ senders: { alerts: 'trigger' } });
      const call = pop.request(
        'SingleSendMail',
        {
          AccountName: a.sender,
          AddressType: 1,
          ReplyToAddress: 'false',
          ToAddress: 'to@example.org',
          Subject: 's',
          Template: JSON.stringify({ TemplateId: 987_654_321, TemplateData: {} }),
        },
        'POST',
      );
      expect(await refusal(call)).toEqual({ code: 'InvalidTemplate.NotFound', status: 404 });
    });
  });

  it('answers InvalidMailAddressDomain.Malformed with HTTP 400 to CreateMailAddress on a domain that does not exist (the engine kind domain-not-found)', async () => {
    expect(await refusal(pop.request('CreateMailAddress', { AccountName: `a@nd${unique()}.example.com`, Sendtype: 'batch' }, 'POST'))).toEqual({
      code: 'InvalidMailAddressDomain.Malformed',
      status: 400,
    });
  });

  describe('AddressType 0 (a random sender address of the AccountName domain)', () => {
    it("sends single mail from one of the domain's created sender addresses, never from another domain's", async () => {
      const a = await account({ senders: { a: 'trigger', b: 'trigger', c: 'batch' } });
      const other = await account({ senders: { z: 'trigger' } });
      const created = new Set([`a@${a.domain}`, `b@${a.domain}`, `c@${a.domain}`]);
      for (let i = 0; i < 8; i++) {
        const sent = await single(dm, { accountName: `a@${a.domain}`, addressType: 0 });
        const from = (await api.deps.messages.getSpec(String(sent.body?.envId)))?.from.address ?? '';
        expect(from.endsWith(`@${a.domain}`)).toBe(true);
        expect(created.has(from)).toBe(true);
        expect(from).not.toBe(other.sender);
      }
    });

    it("sends a batch from one of the domain's created sender addresses", async () => {
      const a = await account({ senders: { news: 'batch', promo: 'batch' } });
      const sent = await batch(dm, { accountName: a.sender, templateName: a.templateName, receiversName: a.listName, addressType: 0 });
      const task = await api.deps.tasks.get(Number(sent.body?.envId));
      const from = task?.spec.from.address ?? '';
      expect(from.endsWith(`@${a.domain}`)).toBe(true);
      expect([`news@${a.domain}`, `promo@${a.domain}`]).toContain(from);
    });
  });
});
