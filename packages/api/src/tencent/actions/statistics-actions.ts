import { ValidationError, calendarDate, isCalendarDate, isValidDomain } from '@postmill/core';
import type { Volume } from '@postmill/store';
import { z } from 'zod';
import { defineAction, type TencentAction } from '../action.ts';

const DAY_MS = 86_400_000;

function wrongDate(message: string, context: Record<string, unknown>): ValidationError {
  return new ValidationError('InvalidParameterValue.WrongDate', message, { context });
}

// "" means no filter; anything else must be a domain (a typo would otherwise silently report zeros).
function domainFilter(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const domain = value.trim().toLowerCase();
  if (!isValidDomain(domain)) throw new ValidationError('InvalidParameterValue', `\`${field}\` must be a domain such as gmail.com, got "${value}".`);
  return domain;
}

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
    if (!isCalendarDate(input.StartDate)) {
      throw new ValidationError('InvalidParameter.InvalidStartTimeFormat', '`StartDate` must be a date as YYYY-MM-DD.', { context: { value: input.StartDate } });
    }
    if (!isCalendarDate(input.EndDate)) {
      throw new ValidationError('InvalidParameter.InvalidEndTimeFormat', '`EndDate` must be a date as YYYY-MM-DD.', { context: { value: input.EndDate } });
    }
    const { StartDate: start, EndDate: end } = input;
    if (end < start) throw wrongDate(`\`EndDate\` ${end} is before \`StartDate\` ${start}.`, { start, end });
    const retentionDays = deps.statistics.retentionDays;
    const oldest = calendarDate(deps.clock.now() - retentionDays * DAY_MS, deps.timeZone);
    if (start < oldest) throw wrongDate(`Statistics are kept ${retentionDays} days: \`StartDate\` may not be before ${oldest}.`, { start, oldest });
    const days = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS + 1;
    if (days > retentionDays + 1) throw wrongDate(`A report covers at most ${retentionDays + 1} days, got ${days}.`, { start, end });
    const domain = domainFilter(input.Domain, 'Domain');
    const receivingMailboxType = domainFilter(input.ReceivingMailboxType, 'ReceivingMailboxType');
    const report = await deps.statistics.report({
      startDate: start,
      endDate: end,
      ...(domain ? { domain } : {}),
      ...(receivingMailboxType ? { receivingMailboxType } : {}),
    });
    return { DailyVolumes: report.daily.map(volume), OverallVolume: volume(report.overall) };
  },
});

/** The statistics actions (Tencent §2.5). */
export const statisticsActions: TencentAction[] = [getStatisticsReport];
