import { randomBytes } from 'node:crypto';
import { calendarDate, ManualClock } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { BROWSER_UA, hit, SCANNER_UA, trackedCopy } from '../tracking-hits.ts';
import { $Dm, type DmClientInstance, dmClient, popClient, sdkTarget } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');
const DAY_MS = 86_400_000;
const zeroDay = (createTime: string) => ({
  createTime,
  totalNumber: '0',
  rcptOpenCount: '0',
  rcptOpenRate: '0%',
  rcptUniqueOpenCount: '0',
  rcptUniqueOpenRate: '0%',
  rcptClickCount: '0',
  rcptClickRate: '0%',
  rcptUniqueClickCount: '0',
  rcptUniqueClickRate: '0%',
});

// Opens and clicks are recorded by fetching the real tracking endpoints of a ClickTrace=1 send; the
// harness runs no worker, so the day's delivered count is recorded here as the worker records it.
describe('DirectMail GetTrackList and GetTrackListByMailFromAndTagName', () => {
  let api: ApiHarness;
  let sdk: DmClientInstance;
  let today: string;
  let yesterday: string;
  let twoDaysAgo: string;
  let sender: string;
  let tag: string;

  beforeAll(async () => {
    const now = Date.now();
    api = await startApiHarness({ clock: new ManualClock(now), tracking: { domains: [] } });
    today = calendarDate(now, api.deps.timeZone);
    yesterday = calendarDate(now - DAY_MS, api.deps.timeZone);
    twoDaysAgo = calendarDate(now - 2 * DAY_MS, api.deps.timeZone);
    sdk = dmClient(sdkTarget(api), { signing: 'v3' });
    const pop = popClient(sdkTarget(api));
    const domain = `tr${unique()}.example.com`;
    sender = `news@${domain}`;
    tag = `t_${unique()}`;
    await pop.request('CreateDomain', { DomainName: domain }, 'POST');
    await pop.request('CreateMailAddress', { AccountName: sender, Sendtype: 'batch' }, 'POST');
    await pop.request('CreateTag', { TagName: tag }, 'POST');
    const sent = await pop.request(
      'SingleSendMail',
      {
        AccountName: sender,
        AddressType: 1,
        ReplyToAddress: false,
        ToAddress: 'ann@example.org,bob@example.org',
        Subject: 'News',
        HtmlBody: '<p>Hello <a href="https://shop.example/a">shop</a></p>',
        ClickTrace: '1',
        TagName: tag,
      },
      'POST',
    );
    await api.deps.statistics.record([{ at: now, fromDomain: domain, recipientDomain: 'example.org', metric: 'delivered', count: 2, tag }]);
    const ann = await trackedCopy(api, String(sent.EnvId), 'ann@example.org');
    const bob = await trackedCopy(api, String(sent.EnvId), 'bob@example.org');
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

  const todayRow = () => ({
    createTime: today,
    totalNumber: '2',
    rcptOpenCount: '3',
    rcptOpenRate: '150.00%',
    rcptUniqueOpenCount: '2',
    rcptUniqueOpenRate: '100.00%',
    rcptClickCount: '2',
    rcptClickRate: '100.00%',
    rcptUniqueClickCount: '1',
    rcptUniqueClickRate: '50.00%',
  });

  it('GetTrackList (official SDK, V3) counts a person’s every open and click, and each recipient once as unique, leaving machine fetches out', async () => {
    const answer = await sdk.getTrackList(new $Dm.GetTrackListRequest({ accountName: sender, startTime: today, endTime: today }));
    expect(answer.body?.data?.stat?.map((s) => ({ ...s }))).toEqual([todayRow()]);
    expect(answer.body).toMatchObject({ pageNo: 1, pageSize: 10, total: 1, totalPages: 1 });
  });

  it('GetTrackList pages over every day of the range, oldest first, zeros included, with Total and TotalPages', async () => {
    const request = (pageNumber: string) =>
      sdk.getTrackList(new $Dm.GetTrackListRequest({ accountName: sender, startTime: twoDaysAgo, endTime: today, pageNumber, pageSize: '2' }));
    const first = await request('1');
    expect(first.body).toMatchObject({ pageNo: 1, pageSize: 2, total: 3, totalPages: 2 });
    expect(first.body?.data?.stat?.map((s) => ({ ...s }))).toEqual([zeroDay(twoDaysAgo), zeroDay(yesterday)]);
    const second = await request('2');
    expect(second.body).toMatchObject({ pageNo: 2, total: 3, totalPages: 2 });
    expect(second.body?.data?.stat?.map((s) => ({ ...s }))).toEqual([todayRow()]);
    expect((await request('3')).body?.data?.stat ?? []).toEqual([]);
  });

  it('GetTrackListByMailFromAndTagName answers under TrackList.Stat with TotalPages as a string, narrowed to the tag and the sender’s domain', async () => {
    const byTag = await sdk.getTrackListByMailFromAndTagName(
      new $Dm.GetTrackListByMailFromAndTagNameRequest({ accountName: sender, tagName: tag, startTime: today, endTime: today }),
    );
    expect(byTag.body?.trackList?.stat?.map((s) => ({ ...s }))).toEqual([todayRow()]);
    expect(byTag.body).toMatchObject({ pageNo: 1, total: 1, totalPages: '1' });
    const otherTag = await sdk.getTrackListByMailFromAndTagName(
      new $Dm.GetTrackListByMailFromAndTagNameRequest({ accountName: sender, tagName: `${tag}x`, startTime: today, endTime: today }),
    );
    expect(otherTag.body?.trackList?.stat?.map((s) => ({ ...s }))).toEqual([zeroDay(today)]);
    const otherSender = await sdk.getTrackList(
      new $Dm.GetTrackListRequest({ accountName: `news@other${unique()}.example.com`, startTime: today, endTime: today }),
    );
    expect(otherSender.body?.data?.stat?.map((s) => ({ ...s }))).toEqual([zeroDay(today)]);
  });

  it('refuses an EndTime before StartTime, a malformed date and a range longer than the statistics are kept, with HTTP 400', async () => {
    const reversed = await sdk.getTrackList(new $Dm.GetTrackListRequest({ startTime: today, endTime: twoDaysAgo })).catch((e: unknown) => e);
    expect(reversed).toMatchObject({ statusCode: 400 });
    const malformed = await sdk.getTrackList(new $Dm.GetTrackListRequest({ startTime: '2026/01/01', endTime: today })).catch((e: unknown) => e);
    expect(malformed).toMatchObject({ statusCode: 400 });
    const endless = await sdk.getTrackList(new $Dm.GetTrackListRequest({ startTime: today, endTime: '9999-12-31' })).catch((e: unknown) => e);
    expect(endless).toMatchObject({ statusCode: 400 });
  });
});
