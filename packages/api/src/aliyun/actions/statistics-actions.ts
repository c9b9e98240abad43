import { domainOf, isCalendarDate, normalizeEmail } from '@postmill/core';
import type { Volume } from '@postmill/store';
import { actions } from '../action.ts';
import { invalid } from '../aliyun-api-error.ts';
import type { ActionParams } from '../params.ts';

function date(params: ActionParams, name: string): string {
  const value = params.required(name, { maxLength: 10 });
  if (!isCalendarDate(value)) throw invalid(name, 'a date as yyyy-MM-dd is expected.');
  return value;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(2)}%`;
}

function statRow(v: Volume): Record<string, unknown> {
  const failed = Math.max(0, v.requestCount - v.deliveredCount - v.bounceCount);
  return {
    CreateTime: v.sendDate,
    requestCount: v.requestCount,
    successCount: v.deliveredCount,
    faildCount: failed,
    unavailableCount: v.bounceCount,
    succeededPercent: percent(v.deliveredCount, v.requestCount),
    unavailablePercent: percent(v.bounceCount, v.requestCount),
  };
}

/**
 * Statistics: SenderStatisticsByTagNameAndBatchID, from the daily volumes every dialect shares.
 * Volumes are kept per sender domain, not per address or tag: `AccountName` narrows to its domain
 * and `TagName` does not narrow (said so in the README).
 */
export const statisticsActions = actions({
  async SenderStatisticsByTagNameAndBatchID(params, { port }) {
    const startDate = date(params, 'StartTime');
    const endDate = date(params, 'EndTime');
    const account = params.optional('AccountName', { maxLength: 254 });
    params.optional('TagName');
    const report = await port.statistics.report({ startDate, endDate, ...(account === undefined ? {} : { senderDomain: domainOf(normalizeEmail(account)) }) });
    return { TotalCount: report.daily.length, data: { stat: report.daily.map(statRow) } };
  },
});
