import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { $Dm, dmCallApi, dmClient, popClient, sdkTarget, type Target } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');

/** One way of calling DirectMail: an action name and parameters in the vendor's names, answering the raw body. */
type Call = (action: string, params: Record<string, string | number | boolean>) => Promise<Record<string, unknown>>;

function callers(target: Target): Record<string, Call> {
  const viaDm = (signing: 'v3' | 'v2'): Call => {
    const client = dmClient(target, { signing });
    return async (action, params) => {
      // The typed methods for the actions that have them (the form body of SingleSendMail included); callApi for the rest.
      if (action === 'SingleSendMail') {
        const r = await client.singleSendMail(
          new $Dm.SingleSendMailRequest({
            accountName: String(params.AccountName),
            addressType: Number(params.AddressType),
            replyToAddress: params.ReplyToAddress === true,
            toAddress: String(params.ToAddress),
            subject: String(params.Subject),
            htmlBody: String(params.HtmlBody),
            ...(params.TagName === undefined ? {} : { tagName: String(params.TagName) }),
            ...(params.ClickTrace === undefined ? {} : { clickTrace: String(params.ClickTrace) }),
          }),
        );
        return { EnvId: r.body?.envId };
      }
      if (action === 'BatchSendMail') {
        const r = await client.batchSendMail(
          new $Dm.BatchSendMailRequest({
            accountName: String(params.AccountName),
            addressType: Number(params.AddressType),
            templateName: String(params.TemplateName),
            receiversName: String(params.ReceiversName),
            ...(params.TagName === undefined ? {} : { tagName: String(params.TagName) }),
          }),
        );
        return { EnvId: r.body?.envId };
      }
      return dmCallApi(client, action, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
    };
  };
  const pop = popClient(target);
  return {
    'dm SDK, default V3': viaDm('v3'),
    "dm SDK, signatureAlgorithm 'v2'": viaDm('v2'),
    'pop-core GET': (action, params) => pop.request(action, params, 'GET'),
    'pop-core POST': (action, params) => pop.request(action, params, 'POST'),
  };
}

describe('DirectMail sending with the official SDKs', () => {
  let api: ApiHarness;
  let target: Target;

  beforeAll(async () => {
    api = await startApiHarness();
    target = sdkTarget(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  const names = ['dm SDK, default V3', "dm SDK, signatureAlgorithm 'v2'", 'pop-core GET', 'pop-core POST'];
  for (const name of names) {
    it(`${name}: domain → sender → template → list + members → SingleSendMail → BatchSendMail → QueryTaskByParam`, async () => {
      const call = callers(target)[name] as Call;
      const domain = `s${unique()}.example.com`;
      const sender = `news@${domain}`;
      await call('CreateDomain', { DomainName: domain });
      await call('CreateMailAddress', { AccountName: sender, Sendtype: 'batch' });
      const tag = `t_${unique()}`;
      await call('CreateTag', { TagName: tag });
      const templateName = `w${unique()}`;
      await call('CreateTemplate', {
        TemplateName: templateName,
        TemplateSubject: 'Hi {UserName}',
        TemplateNickName: 'News',
        TemplateText: '<p>Dear {UserName}</p>',
      });
      const listName = `l${unique()}`;
      const { ReceiverId } = await call('CreateReceiver', { ReceiversName: listName, ReceiversAlias: `${listName}@x.org` });
      await call('SaveReceiverDetail', {
        ReceiverId: String(ReceiverId),
        Detail: JSON.stringify([
          { e: 'alice@example.org', u: 'Alice' },
          { e: 'bob@example.org', u: 'Bob' },
        ]),
      });

      const single = await call('SingleSendMail', {
        AccountName: sender,
        AddressType: 1,
        ReplyToAddress: false,
        ToAddress: 'carol@example.org,dave@example.org',
        Subject: 'Hello (there)!',
        HtmlBody: "<p>50% * 'off'</p>",
        TagName: tag,
        ClickTrace: '1',
      });
      const envId = String(single.EnvId);
      const spec = await api.deps.messages.getSpec(envId);
      expect(spec).toMatchObject({
        from: { address: sender },
        to: ['carol@example.org', 'dave@example.org'],
        subject: 'Hello (there)!',
        html: "<p>50% * 'off'</p>",
        triggerType: 1,
      });

      const batch = await call('BatchSendMail', { AccountName: sender, AddressType: 1, TemplateName: templateName, ReceiversName: listName, TagName: tag });
      const taskId = String(batch.EnvId);
      expect(taskId).toMatch(/^\d+$/u);
      const tasks = await call('QueryTaskByParam', { KeyWord: templateName });
      expect(tasks).toMatchObject({
        TotalCount: 1,
        data: { task: [{ TaskId: taskId, TemplateName: templateName, ReceiversName: listName, TagName: tag, AddressType: '1' }] },
      });
      const task = await api.deps.tasks.get(Number(taskId));
      expect(task?.spec).toMatchObject({ receiverId: Number(ReceiverId), subject: 'Hi {{UserName}}' });
    });
  }

  it('refuses an unknown AccountName with InvalidMailAddress.NotFound, a missing ToAddress with MissingToAddress, and an unknown list with InvalidReceiverName.Malformed', async () => {
    const call = callers(target)['dm SDK, default V3'] as Call;
    const unknown = await call('SingleSendMail', {
      AccountName: 'nobody@nowhere.example',
      AddressType: 1,
      ReplyToAddress: false,
      ToAddress: 'a@example.org',
      Subject: 's',
      HtmlBody: 'b',
    }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ name: 'ClientError', code: 'InvalidMailAddress.NotFound', statusCode: 400 });

    const domain = `e${unique()}.example.com`;
    await call('CreateDomain', { DomainName: domain });
    await call('CreateMailAddress', { AccountName: `a@${domain}`, Sendtype: 'batch' });
    const pop = popClient(target);
    const noTo = await pop
      .request('SingleSendMail', { AccountName: `a@${domain}`, AddressType: 1, ReplyToAddress: false, Subject: 's', HtmlBody: 'b' }, 'POST')
      .catch((e: unknown) => e);
    expect(noTo).toMatchObject({ code: 'MissingToAddress' });
    const noList = await call('BatchSendMail', { AccountName: `a@${domain}`, AddressType: 1, TemplateName: 'x', ReceiversName: 'nolist' }).catch(
      (e: unknown) => e,
    );
    expect(noList).toMatchObject({ code: 'InvalidTemplateName.Malformed' });
    await call('CreateTemplate', { TemplateName: `x${domain.slice(1, 9)}`, TemplateText: '<p>x</p>' });
    const noList2 = await call('BatchSendMail', {
      AccountName: `a@${domain}`,
      AddressType: 1,
      TemplateName: `x${domain.slice(1, 9)}`,
      ReceiversName: 'nolist',
    }).catch((e: unknown) => e);
    expect(noList2).toMatchObject({ code: 'InvalidReceiverName.Malformed', statusCode: 400 });
  });

  it('sends AddressType 0 from a sender address of the same domain', async () => {
    const call = callers(target)['pop-core POST'] as Call;
    const domain = `r${unique()}.example.com`;
    await call('CreateDomain', { DomainName: domain });
    for (const local of ['a', 'b', 'c']) await call('CreateMailAddress', { AccountName: `${local}@${domain}`, Sendtype: 'trigger' });
    const froms = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const { EnvId } = await call('SingleSendMail', {
        AccountName: `a@${domain}`,
        AddressType: 0,
        ReplyToAddress: false,
        ToAddress: 'x@example.org',
        Subject: 's',
        HtmlBody: 'b',
      });
      froms.add((await api.deps.messages.getSpec(String(EnvId)))?.from.address ?? '');
    }
    expect([...froms].every((f) => f.endsWith(`@${domain}`))).toBe(true);
    expect(froms.size).toBeGreaterThan(1);
  });
});
