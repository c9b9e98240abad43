import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { popClient, sdkTarget } from './aliyun/sdk-clients.ts';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { SendCloudTestClient } from './sendcloud/sendcloud-client.ts';

const unique = () => randomBytes(4).toString('hex');

// Each dialect's own switch decides what a send tracks; TRACKING_DOMAINS is empty here, so a send
// without a switch of its own tracks nothing.
describe('tracking switches of each dialect', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness({ tracking: { domains: [] } });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('tracks opens and clicks of DirectMail SingleSendMail and BatchSendMail with ClickTrace=1, and nothing without it', async () => {
    const pop = popClient(sdkTarget(api));
    const domain = `ct${unique()}.example.com`;
    const sender = `news@${domain}`;
    await pop.request('CreateDomain', { DomainName: domain }, 'POST');
    await pop.request('CreateMailAddress', { AccountName: sender, Sendtype: 'batch' }, 'POST');
    const single = (extra: Record<string, string>) =>
      pop.request(
        'SingleSendMail',
        {
          AccountName: sender,
          AddressType: 1,
          ReplyToAddress: false,
          ToAddress: 'a@example.org',
          Subject: 's',
          HtmlBody: '<a href="https://x.example/">x</a>',
          ...extra,
        },
        'POST',
      );
    const traced = await single({ ClickTrace: '1' });
    expect((await api.deps.messages.getSpec(String(traced.EnvId)))?.tracking).toMatchObject({ opens: true, clicks: true, baseUrl: 'http://localhost:8080' });
    for (const extra of [{ ClickTrace: '0' }, {}]) {
      const plain = await single(extra);
      expect((await api.deps.messages.getSpec(String(plain.EnvId)))?.tracking).toBeUndefined();
    }

    const templateName = `w${unique()}`;
    await pop.request('CreateTemplate', { TemplateName: templateName, TemplateText: '<p><a href="https://x.example/">x</a></p>' }, 'POST');
    const listName = `l${unique()}`;
    const { ReceiverId } = await pop.request('CreateReceiver', { ReceiversName: listName, ReceiversAlias: `${listName}@x.org` }, 'POST');
    await pop.request('SaveReceiverDetail', { ReceiverId: String(ReceiverId), Detail: JSON.stringify([{ e: 'b@example.org' }]) }, 'POST');
    const batch = await pop.request(
      'BatchSendMail',
      { AccountName: sender, AddressType: 1, TemplateName: templateName, ReceiversName: listName, ClickTrace: '1' },
      'POST',
    );
    expect((await api.deps.tasks.get(Number(batch.EnvId)))?.spec.tracking).toMatchObject({ opens: true, clicks: true });
  });

  it('tracks SendCloud mail as its apiUser’s open and click settings say', async () => {
    const domain = `sc${unique()}.example.com`;
    await api.deps.engine.domains.create({ name: domain });
    await api.deps.engine.senders.create({ address: `news@${domain}` });
    const admin = new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey);
    const sendAs = async (settings: Record<string, string>) => {
      const name = `u_${unique()}`;
      const added = await admin.post('apiuser/add', { name, emailType: '0', domainName: domain, ...settings });
      expect(added.body.result, JSON.stringify(added.body)).toBe(true);
      const user = new SendCloudTestClient(api.baseUrl, name, added.body.info.data.apiKey);
      const sent = await user.post('mail/send', { from: `news@${domain}`, to: 'c@example.org', subject: 's', html: '<a href="https://x.example/">x</a>' });
      expect(sent.body.result, JSON.stringify(sent.body)).toBe(true);
      const emailId: string = sent.body.info.emailIdList[0];
      return (await api.deps.messages.getSpec(emailId.slice(0, emailId.lastIndexOf('.sc'))))?.tracking;
    };
    expect(await sendAs({ open: '0', click: '1' })).toMatchObject({ opens: false, clicks: true });
    // SendCloud's own defaults: open 1, click 0.
    expect(await sendAs({})).toMatchObject({ opens: true, clicks: false });
    expect(await sendAs({ open: '0', click: '0' })).toBeUndefined();
  });
});
