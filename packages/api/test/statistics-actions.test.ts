import { ManualClock } from '@postmill/core';
import type { StatEvent } from '@postmill/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

// 2026-03-15 10:00:00 in Asia/Shanghai (02:00 UTC).
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const DAY = 86_400_000;

const zero = (SendDate: string) => ({
  SendDate,
  RequestCount: 0,
  AcceptedCount: 0,
  DeliveredCount: 0,
  OpenedCount: 0,
  ClickedCount: 0,
  BounceCount: 0,
  UnsubscribeCount: 0,
});

function events(at: number, fromDomain: string, recipientDomain: string, counts: Partial<Record<StatEvent['metric'], number>>): StatEvent[] {
  return Object.entries(counts).map(([metric, count]) => ({ at, fromDomain, recipientDomain, metric: metric as StatEvent['metric'], count }));
}

describe('GetStatisticsReport', () => {
  let clock: ManualClock;
  let api: ApiHarness;

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    api = await startApiHarness({ clock });
    await api.deps.statistics.record([
      ...events(NOW - 2 * DAY, 'qcloud.com', 'gmail.com', {
        request: 1000,
        accepted: 999,
        delivered: 998,
        opened: 300,
        clicked: 199,
        bounce: 5,
        unsubscribe: 1,
      }),
      ...events(NOW - 2 * DAY, 'qcloud.com', 'qq.com', { request: 10, accepted: 10, delivered: 9 }),
      ...events(NOW, 'other.org', 'gmail.com', { request: 3, accepted: 3 }),
    ]);
  });
  afterEach(async () => {
    await api.close();
  });

  it("answers Tencent's example shape: one DailyVolumes entry per day and the OverallVolume, filtered by Domain and ReceivingMailboxType", async () => {
    const res = ok(
      await api.call('GetStatisticsReport', { Domain: 'qcloud.com', StartDate: '2026-03-13', EndDate: '2026-03-15', ReceivingMailboxType: 'gmail.com' }),
    );
    const example = { RequestCount: 1000, AcceptedCount: 999, DeliveredCount: 998, OpenedCount: 300, ClickedCount: 199, BounceCount: 5, UnsubscribeCount: 1 };
    expect(res).toEqual({
      DailyVolumes: [{ SendDate: '2026-03-13', ...example }, zero('2026-03-14'), zero('2026-03-15')],
      OverallVolume: { SendDate: '2026-03-13', ...example },
      RequestId: expect.any(String),
    });
  });

  it('sums every domain without filters, and treats empty filters as none', async () => {
    const res = ok(await api.call('GetStatisticsReport', { StartDate: '2026-03-13', EndDate: '2026-03-15', Domain: '', ReceivingMailboxType: '' }));
    expect(res.OverallVolume).toMatchObject({ RequestCount: 1013, AcceptedCount: 1012, DeliveredCount: 1007 });
    expect((res.DailyVolumes as { RequestCount: number }[]).map((d) => d.RequestCount)).toEqual([1010, 0, 3]);
    const gmail = ok(await api.call('GetStatisticsReport', { StartDate: '2026-03-13', EndDate: '2026-03-15', ReceivingMailboxType: 'GMAIL.com' }));
    expect(gmail.OverallVolume).toMatchObject({ RequestCount: 1003 });
  });

  it('reports a single day, and days after today as zero', async () => {
    const res = ok(await api.call('GetStatisticsReport', { StartDate: '2026-03-15', EndDate: '2026-03-16' }));
    expect(res.DailyVolumes).toEqual([{ ...zero('2026-03-15'), RequestCount: 3, AcceptedCount: 3 }, zero('2026-03-16')]);
  });

  it('refuses a malformed StartDate with InvalidParameter.InvalidStartTimeFormat and EndDate with InvalidParameter.InvalidEndTimeFormat', async () => {
    for (const bad of ['2026-3-13', '2026-02-30', '20260313', '']) {
      expect(errorCode(await api.call('GetStatisticsReport', { StartDate: bad, EndDate: '2026-03-15' }))).toBe('InvalidParameter.InvalidStartTimeFormat');
      expect(errorCode(await api.call('GetStatisticsReport', { StartDate: '2026-03-13', EndDate: bad }))).toBe('InvalidParameter.InvalidEndTimeFormat');
    }
  });

  it('refuses EndDate before StartDate, a StartDate older than the 90-day retention, and a range over 91 days with InvalidParameterValue.WrongDate', async () => {
    expect(errorCode(await api.call('GetStatisticsReport', { StartDate: '2026-03-15', EndDate: '2026-03-14' }))).toBe('InvalidParameterValue.WrongDate');
    // 90 days before 2026-03-15 is 2025-12-15.
    ok(await api.call('GetStatisticsReport', { StartDate: '2025-12-15', EndDate: '2026-03-15' }));
    expect(errorCode(await api.call('GetStatisticsReport', { StartDate: '2025-12-14', EndDate: '2026-03-15' }))).toBe('InvalidParameterValue.WrongDate');
    expect(errorCode(await api.call('GetStatisticsReport', { StartDate: '2026-03-15', EndDate: '2026-06-14' }))).toBe('InvalidParameterValue.WrongDate');
    clock.advance(DAY);
    expect(errorCode(await api.call('GetStatisticsReport', { StartDate: '2025-12-15', EndDate: '2025-12-16' }))).toBe('InvalidParameterValue.WrongDate');
  });

  it('refuses a Domain or ReceivingMailboxType that is not a domain with InvalidParameterValue', async () => {
    expect(errorCode(await api.call('GetStatisticsReport', { StartDate: '2026-03-15', EndDate: '2026-03-15', Domain: 'not a domain' }))).toBe(
      'InvalidParameterValue',
    );
    expect(errorCode(await api.call('GetStatisticsReport', { StartDate: '2026-03-15', EndDate: '2026-03-15', ReceivingMailboxType: 'gmail' }))).toBe(
      'InvalidParameterValue',
    );
  });

  it('answers MissingParameter, InvalidParameter and UnknownParameter for malformed requests, and InvalidAction for a wrong spelling', async () => {
    expect(errorCode(await api.call('GetStatisticsReport', { EndDate: '2026-03-15' }))).toBe('MissingParameter');
    expect(errorCode(await api.call('GetStatisticsReport', { StartDate: 20260315, EndDate: '2026-03-15' }))).toBe('InvalidParameter');
    expect(errorCode(await api.call('GetStatisticsReport', { StartDate: '2026-03-15', EndDate: '2026-03-15', TaskId: 1 }))).toBe('UnknownParameter');
    expect(errorCode(await api.call('GetStatisticReport', { StartDate: '2026-03-15', EndDate: '2026-03-15' }))).toBe('InvalidAction');
    expect(errorCode(await api.call('GetStatisticsreport', { StartDate: '2026-03-15', EndDate: '2026-03-15' }))).toBe('InvalidAction');
  });
});
