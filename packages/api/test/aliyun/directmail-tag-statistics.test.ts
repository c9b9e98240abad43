import { randomBytes } from 'node:crypto';
import { calendarDate } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { popClient, sdkTarget } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');

type StatAnswer = { data: { stat: { CreateTime: string; requestCount: number; successCount: number; unavailableCount: number }[] } };

// The worker counts outcomes under the tag the send carries (its own test, in packages/queue); the
// API harness runs no worker, so outcomes are counted here as the worker counts them.
describe('DirectMail statistics by TagName', () => {
  let api: ApiHarness;
  let pop: ReturnType<typeof popClient>;

  beforeAll(async () => {
    api = await startApiHarness();
    pop = popClient(sdkTarget(api));
  });

  afterAll(async () => {
    await api?.close();
  });

  it('gives the TagName of SingleSendMail and BatchSendMail to the engine as the send tag the worker counts under', async () => {
    const domain = `tg${unique()}.example.com`;
    const sender = `news@${domain}`;
    const tag = `t_${unique()}`;
    await pop.request('CreateDomain', { DomainName: domain }, 'POST');
    await pop.request('CreateMailAddress', { AccountName: sender, Sendtype: 'batch' }, 'POST');
    await pop.request('CreateTag', { TagName: tag }, 'POST');
    const single = await pop.request(
      'SingleSendMail',
      { AccountName: sender, AddressType: 1, ReplyToAddress: false, ToAddress: 'a@example.org', Subject: 's', HtmlBody: 'b', TagName: tag },
      'POST',
    );
    expect((await api.deps.messages.getSpec(String(single.EnvId)))?.tag).toBe(tag);
    const untagged = await pop.request(
      'SingleSendMail',
      { AccountName: sender, AddressType: 1, ReplyToAddress: false, ToAddress: 'a@example.org', Subject: 's', HtmlBody: 'b' },
      'POST',
    );
    expect((await api.deps.messages.getSpec(String(untagged.EnvId)))?.tag).toBeUndefined();

    const templateName = `w${unique()}`;
    await pop.request('CreateTemplate', { TemplateName: templateName, TemplateText: '<p>x</p>' }, 'POST');
    const listName = `l${unique()}`;
    const { ReceiverId } = await pop.request('CreateReceiver', { ReceiversName: listName, ReceiversAlias: `${listName}@x.org` }, 'POST');
    await pop.request('SaveReceiverDetail', { ReceiverId: String(ReceiverId), Detail: JSON.stringify([{ e: 'b@example.org' }]) }, 'POST');
    const batch = await pop.request(
      'BatchSendMail',
      { AccountName: sender, AddressType: 1, TemplateName: templateName, ReceiversName: listName, TagName: tag },
      'POST',
    );
    expect((await api.deps.tasks.get(Number(batch.EnvId)))?.spec.tag).toBe(tag);
  });

  it('narrows SenderStatisticsByTagNameAndBatchID to the mail sent with TagName, and to the AccountName domain within it', async () => {
    const tag = `t_${unique()}`;
    const domain = `s${unique()}.example.com`;
    const now = Date.now();
    const today = calendarDate(now, api.deps.timeZone);
    await api.deps.statistics.record([
      { at: now, fromDomain: domain, recipientDomain: 'gmail.com', metric: 'request', count: 4, tag },
      { at: now, fromDomain: domain, recipientDomain: 'gmail.com', metric: 'delivered', count: 3, tag },
      { at: now, fromDomain: domain, recipientDomain: 'gmail.com', metric: 'bounce', count: 1, tag },
      { at: now, fromDomain: `other${domain}`, recipientDomain: 'qq.com', metric: 'request', count: 2, tag },
      { at: now, fromDomain: domain, recipientDomain: 'gmail.com', metric: 'request', count: 50 },
    ]);
    const byTag = (await pop.request('SenderStatisticsByTagNameAndBatchID', { StartTime: today, EndTime: today, TagName: tag }, 'GET')) as StatAnswer;
    expect(byTag.data.stat).toEqual([expect.objectContaining({ CreateTime: today, requestCount: 6, successCount: 3, unavailableCount: 1 })]);
    const byTagAndAccount = (await pop.request(
      'SenderStatisticsByTagNameAndBatchID',
      { StartTime: today, EndTime: today, TagName: tag, AccountName: `news@${domain}` },
      'GET',
    )) as StatAnswer;
    expect(byTagAndAccount.data.stat.map((s) => s.requestCount)).toEqual([4]);
    const otherTag = (await pop.request(
      'SenderStatisticsByTagNameAndBatchID',
      { StartTime: today, EndTime: today, TagName: `x_${unique()}` },
      'GET',
    )) as StatAnswer;
    expect(otherTag.data.stat.map((s) => s.requestCount)).toEqual([0]);
    const byAccount = (await pop.request(
      'SenderStatisticsByTagNameAndBatchID',
      { StartTime: today, EndTime: today, AccountName: `news@${domain}` },
      'GET',
    )) as StatAnswer;
    expect(byAccount.data.stat.map((s) => s.requestCount)).toEqual([54]);
  });
});
