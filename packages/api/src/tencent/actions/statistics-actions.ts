import type { Volume } from '@postmill/store';
import { z } from 'zod';
import { defineAction, type TencentAction } from '../action.ts';

function volume(v: Volume): Record<string, unknown> {
  return {
    SendDate: v.sendDate,
    RequestCount: v.requestCount,
    AcceptedCount: v.acceptedCount,
    DeliveredCount: v.deliveredCount,
    OpenedCount: v.openedCount,
    ClickedCount: v.clickedCount,
    BounceCount: v.bounceCount,
    UnsubscribeCount: v.unsubscribeCount,
  };
}

/**
 * GetStatisticsReport: one Volume per day of [StartDate, EndDate] (configured zone; days without
 * mail are all zero) and their sum, optionally for one sender `Domain` and/or one recipient domain
 * (`ReceivingMailboxType`, e.g. gmail.com). Guarantees on dates:
 * - not YYYY-MM-DD → `InvalidParameter.InvalidStartTimeFormat` / `InvalidParameter.InvalidEndTimeFormat`;
 * - EndDate before StartDate, StartDate older than the statistics retention (today minus
 *   `retentionDays`, default 90: those counters are gone, so zeros would be a lie), or a range
 *   longer than retentionDays + 1 days → `InvalidParameterValue.WrongDate`.
 * Days after today are allowed within that span and read as zero.
 */
const getStatisticsReport = defineAction({
  name: 'GetStatisticsReport',
  input: z.strictObject({
    StartDate: z.string(),
    EndDate: z.string(),
    Domain: z.string().optional(),
    ReceivingMailboxType: z.string().optional(),
  }),
  async handle(input, { deps }) {
    const report = await deps.engine.statistics.report({
      startDate: input.StartDate,
      endDate: input.EndDate,
      ...(input.Domain === undefined ? {} : { senderDomain: input.Domain }),
      ...(input.ReceivingMailboxType === undefined ? {} : { recipientDomain: input.ReceivingMailboxType }),
    });
    return { DailyVolumes: report.daily.map(volume), OverallVolume: volume(report.overall) };
  },
});

/** The statistics actions (Tencent §2.5). */
export const statisticsActions: TencentAction[] = [getStatisticsReport];
