import { calendarDate, ManualClock } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { BROWSER_UA, hit, SCANNER_UA, trackedCopy } from '../tracking-hits.ts';
import { sendcloud, unique } from './management-test-kit.ts';
import { SendCloudTestClient } from './sendcloud-client.ts';

// Opens and clicks are recorded by fetching the real tracking endpoints of mail an apiUser with
// open and click tracking sent; the harness runs no worker, so the day's request and delivered
// counts are recorded here as the worker records them.
describe('SendCloud statday/list and openandclick/list with opens and clicks', () => {
  let api: ApiHarness;
  let today: string;
  let domain: string;
  let labelId: number;
  let apiUser: string;
  let nowMs: number;

  beforeAll(async () => {
    const now = Date.now();
    nowMs = now;
    api = await startApiHarness({ clock: new ManualClock(now), tracking: { domains: [] } });
    today = calendarDate(now, api.deps.timeZone);
    domain = `sd${unique()}.example.com`;
    await api.deps.engine.domains.create({ name: domain });
    await api.deps.engine.senders.create({ address: `news@${domain}` });
    const label = await sendcloud(api, 'label/add', { labelName: `promo_${unique()}` });
    labelId = label.info.data.labelId;
    const name = `u_${unique()}`;
    apiUser = api.secretId;
    const added = await sendcloud(api, 'apiuser/add', { name, emailType: '0', domainName: domain, open: '1', click: '1' });
    const user = new SendCloudTestClient(api.baseUrl, name, added.info.data.apiKey);
    const sent = await user.post('mail/send', {
      from: `news@${domain}`,
      to: 'ann@example.org;bob@example.org',
      subject: 'News',
      html: '<p>Hello <a href="https://shop.example/a">shop</a></p>',
      labelId: String(labelId),
    });
    expect(sent.body.result, JSON.stringify(sent.body)).toBe(true);
    const emailId: string = sent.body.info.emailIdList[0];
    const messageId = emailId.slice(0, emailId.lastIndexOf('.sc'));
    const tag = (await api.deps.messages.getSpec(messageId))?.tag;
    expect(tag).toBe(label.info.data.labelName);
    await api.deps.statistics.record([
      { at: now, fromDomain: domain, recipientDomain: 'example.org', metric: 'request', count: 2, ...(tag === undefined ? {} : { tag }) },
      { at: now, fromDomain: domain, recipientDomain: 'example.org', metric: 'delivered', count: 2, ...(tag === undefined ? {} : { tag }) },
    ]);
    const ann = await trackedCopy(api, messageId, 'ann@example.org');
    const bob = await trackedCopy(api, messageId, 'bob@example.org');
    // People: ann opens twice and clicks twice, bob opens once. Machines: a proxy fetches bob's pixel and link.
    for (const [path, ua] of [
      [ann.pixel, BROWSER_UA],
      [ann.pixel, BROWSER_UA],
      [ann.link, BROWSER_UA],
      [ann.link, BROWSER_UA],
      [bob.pixel, BROWSER_UA],
      [bob.pixel, SCANNER_UA],
      [bob.link, SCANNER_UA],
    ] as const) {
      await hit(api, path, ua);
    }
  });

  afterAll(async () => {
    await api?.close();
  });

  const counts = {
    requestNum: 2,
    deliveredNum: 2,
    openNum: 3,
    uniqueOpensNum: 2,
    clickNum: 2,
    uniqueClicksNum: 1,
    openPercent: 150,
    uniqueOpensPercent: 100,
    clickPercent: 100,
    uniqueClicksPercent: 50,
  };

  it('gives openNum/clickNum as every open and click by a person and uniqueOpensNum/uniqueClicksNum once per recipient, machine fetches left out', async () => {
    const all = await sendcloud(api, 'statday/list', { days: '1', domainList: domain });
    expect(all.info.dataList).toEqual([expect.objectContaining({ sendDate: today, domain, ...counts })]);
    const byLabel = await sendcloud(api, 'statday/list', { days: '1', labelIdList: String(labelId) });
    expect(byLabel.info.dataList).toEqual([expect.objectContaining({ sendDate: today, labelId, ...counts })]);
  });

  it('stathour/list carries the same opens and clicks in the hour (in the zone) they came', async () => {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: api.deps.timeZone, hour: '2-digit', hourCycle: 'h23' }).format(nowMs));
    const byLabel = await sendcloud(api, 'stathour/list', { days: '1', labelIdList: String(labelId) });
    expect(byLabel.info.dataList).toEqual([expect.objectContaining({ sendDate: today, sendHour: hour, labelId, ...counts })]);
  });

  it('sums opens and clicks as strings with aggregate=1', async () => {
    const sum = await sendcloud(api, 'statday/list', { days: '1', labelIdList: String(labelId), aggregate: '1' });
    expect(sum.info.dataList).toMatchObject({ openNum: '3', uniqueOpensNum: '2', clickNum: '2', uniqueClicksNum: '1', openPercent: '150' });
  });

  const annOpen = {
    trackType: 1,
    apiUser: expect.any(String),
    email: 'ann@example.org',
    url: '',
    currTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/u),
  };
  const annClick = { ...annOpen, trackType: 2, url: 'https://shop.example/a' };
  const bobOpen = { ...annOpen, email: 'bob@example.org' };

  it('openandclick/list lists each open and click by a person in order, machine fetches left out, paged by start and limit with the total', async () => {
    const all = await sendcloud(api, 'openandclick/list', { days: '1', labelId: String(labelId) });
    expect(all.info).toEqual({ total: 5, count: 5, dataList: [annOpen, annOpen, annClick, annClick, bobOpen] });
    expect(all.info.dataList[0].apiUser).toBe(apiUser);
    const page = await sendcloud(api, 'openandclick/list', { days: '1', labelId: String(labelId), start: '3', limit: '1' });
    expect(page.info).toEqual({ total: 5, count: 1, dataList: [annClick] });
  });

  it('openandclick/list narrows by trackType, by email (the window ignored) and to nothing for another label or another apiUserList', async () => {
    const clicks = await sendcloud(api, 'openandclick/list', { days: '1', labelId: String(labelId), trackType: '2' });
    expect(clicks.info).toEqual({ total: 2, count: 2, dataList: [annClick, annClick] });
    const bob = await sendcloud(api, 'openandclick/list', { email: 'bob@example.org', trackType: '1' });
    expect(bob.info).toEqual({ total: 1, count: 1, dataList: [bobOpen] });
    const other = await sendcloud(api, 'label/add', { labelName: `other_${unique()}` });
    const otherLabel = await sendcloud(api, 'openandclick/list', { days: '1', labelId: String(other.info.data.labelId) });
    expect(otherLabel.info).toEqual({ total: 0, count: 0, dataList: [] });
    const otherUser = await sendcloud(api, 'openandclick/list', { days: '1', apiUserList: 'someone_else' });
    expect(otherUser.info).toEqual({ total: 0, count: 0, dataList: [] });
    expect((await sendcloud(api, 'openandclick/list', { days: '1', labelId: 'x' })).statusCode).toBe(40015);
  });
});
