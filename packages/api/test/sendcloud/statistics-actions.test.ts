import { ManualClock } from '@postmill/core';
import type { StatMetric } from '@postmill/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { apiUserOf, codeOf, sendcloud } from './management-test-kit.ts';

const DAY_MS = 86_400_000;
// 2026-05-02 12:00 in Asia/Shanghai (the harness's zone).
const NOW_MS = Date.parse('2026-05-02T04:00:00Z');

describe('SendCloud statday/list, stathour/list, invalidstat/list', () => {
  let api: ApiHarness;
  let labelId: number;

  beforeAll(async () => {
    api = await startApiHarness({ clock: new ManualClock(NOW_MS) });
    labelId = (await sendcloud(api, 'label/add', { labelName: 'promo' })).info.data.labelId;
    const event = (daysAgo: number, fromDomain: string, metric: StatMetric, count: number, tag?: string) => ({
      at: NOW_MS - daysAgo * DAY_MS,
      fromDomain,
      recipientDomain: 'example.org',
      metric,
      count,
      ...(tag === undefined ? {} : { tag }),
    });
    await api.deps.statistics.record([
      event(1, 'a.example.com', 'request', 10),
      event(1, 'a.example.com', 'delivered', 8),
      event(1, 'a.example.com', 'bounce', 2),
      event(0, 'a.example.com', 'request', 4, 'promo'),
      event(0, 'a.example.com', 'delivered', 4, 'promo'),
      event(0, 'a.example.com', 'opened', 1, 'promo'),
      event(0, 'a.example.com', 'openedTotal', 1, 'promo'),
      event(0, 'b.example.com', 'request', 6),
      event(0, 'b.example.com', 'unsubscribe', 3),
    ]);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('answers one row per day with mail, with SendCloud counters and percentages, for all domains', async () => {
    const answer = await sendcloud(api, 'statday/list', { days: '3' });
    expect(answer).toMatchObject({ result: true, statusCode: 200 });
    expect(answer.info.dataList).toEqual([
      expect.objectContaining({
        sendDate: '2026-05-01',
        apiUser: apiUserOf(api),
        domain: '',
        labelId: 0,
        labelName: '',
        requestNum: 10,
        deliveredNum: 8,
        bounceNum: 2,
        deliveredPercent: 80,
        bouncePercent: 20,
      }),
      expect.objectContaining({
        sendDate: '2026-05-02',
        requestNum: 10,
        deliveredNum: 4,
        openNum: 1,
        unsubscribeNum: 3,
        spamReportedNum: 0,
        openPercent: 10,
        unsubscribePercent: 30,
      }),
    ]);
  });

  it('narrows by domainList and labelIdList (a label is a tag), and sums with aggregate=1 into one object of strings', async () => {
    const byDomain = await sendcloud(api, 'statday/list', { startDate: '2026-05-01', endDate: '2026-05-02', domainList: 'b.example.com' });
    expect(byDomain.info.dataList).toEqual([expect.objectContaining({ sendDate: '2026-05-02', domain: 'b.example.com', requestNum: 6, unsubscribeNum: 3 })]);
    const byLabel = await sendcloud(api, 'statday/list', { days: '2', labelIdList: String(labelId) });
    expect(byLabel.info.dataList).toEqual([expect.objectContaining({ sendDate: '2026-05-02', labelId, labelName: 'promo', requestNum: 4, openNum: 1 })]);
    const both = await sendcloud(api, 'statday/list', { days: '2', domainList: 'a.example.com;b.example.com', labelIdList: String(labelId) });
    expect(both.info.dataList).toEqual([expect.objectContaining({ domain: 'a.example.com', labelId, requestNum: 4 })]);
    const sum = await sendcloud(api, 'statday/list', { days: '2', aggregate: '1' });
    expect(sum.info.dataList).toMatchObject({ requestNum: '20', deliveredNum: '12', bounceNum: '2', unsubscribeNum: '3', deliveredPercent: '60' });
    expect((await sendcloud(api, 'statday/list', { days: '2', apiUserList: 'another_user' })).info.dataList).toEqual([]);
    expect((await sendcloud(api, 'statday/list', { days: '2', domainList: 'not a domain;c.example.com' })).info.dataList).toEqual([]);
  });

  it('answers invalidstat/list with bounces under others and unsubscribes under ubsubscribe', async () => {
    const invalid = await sendcloud(api, 'invalidstat/list', { days: '2' });
    expect(invalid.info.dataList).toEqual([
      expect.objectContaining({ sendDate: '2026-05-01', others: 2, ubsubscribe: 0, recipientNotFound: 0, sendcloudBlacklist: 0 }),
      expect.objectContaining({ sendDate: '2026-05-02', others: 0, ubsubscribe: 3 }),
    ]);
    expect((await sendcloud(api, 'invalidstat/list', { days: '2', aggregate: '1' })).info.dataList).toMatchObject({ others: '2', ubsubscribe: '3' });
  });

  it('answers stathour/list with one row per hour with mail (in the zone), per label of labelIdList, without domain', async () => {
    const all = await sendcloud(api, 'stathour/list', { days: '2' });
    expect(all.info.dataList).toEqual([
      expect.objectContaining({ sendDate: '2026-05-01', sendHour: 12, labelId: 0, requestNum: 10, deliveredNum: 8, bounceNum: 2 }),
      expect.objectContaining({ sendDate: '2026-05-02', sendHour: 12, labelId: 0, requestNum: 10, openNum: 1, uniqueOpensNum: 1, unsubscribeNum: 3 }),
    ]);
    expect(all.info.dataList[0]).not.toHaveProperty('domain');
    const byLabel = await sendcloud(api, 'stathour/list', { days: '2', labelIdList: String(labelId) });
    expect(byLabel.info.dataList).toEqual([
      expect.objectContaining({ sendDate: '2026-05-02', sendHour: 12, labelId, labelName: 'promo', requestNum: 4, openNum: 1 }),
    ]);
    expect((await sendcloud(api, 'stathour/list', { days: '2', apiUserList: 'another_user' })).info.dataList).toEqual([]);
  });

  it('answers 40006, 40007, 40008, 40009, 40010, 40013, 40015, 40016 and 40017 for bad windows and filters', async () => {
    expect(await codeOf(api, 'statday/list', { days: 'x' })).toBe(40006);
    expect(await codeOf(api, 'statday/list', { startDate: '2026-5-1', endDate: '2026-05-02' })).toBe(40007);
    expect(await codeOf(api, 'statday/list', { startDate: '2026-05-01' })).toBe(40008);
    expect(await codeOf(api, 'statday/list', { labelIdList: '' })).toBe(40009);
    expect(await codeOf(api, 'statday/list', { apiUserList: '' })).toBe(40010);
    expect(await codeOf(api, 'statday/list', { domainList: '' })).toBe(40013);
    expect(await codeOf(api, 'statday/list', { labelIdList: 'abc' })).toBe(40015);
    expect(await codeOf(api, 'invalidstat/list', { apiUserList: 'no spaces' })).toBe(40016);
    expect(await codeOf(api, 'statday/list', { aggregate: '2' })).toBe(40017);
    expect(await codeOf(api, 'stathour/list', { labelIdList: '0' })).toBe(40015);
  });
});
