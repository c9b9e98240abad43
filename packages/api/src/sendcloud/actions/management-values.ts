import { calendarDate, isCalendarDate, isValidEmail } from '@postmill/core';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import type { SendCloudStatusCode } from '../status-codes.ts';

/** SendCloud's largest page (`limit` 0–100 on every listing). */
export const SENDCLOUD_MAX_LIMIT = 100;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `2015-10-19 15:39:27`: SendCloud's times (gmtCreated, gmtUpdated…), in the deployment's zone. */
export function sendCloudTime(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    // sv-SE writes "2015-10-19 15:39:27".
    f = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f.format(ms);
}

/** A page of a listing: `start` (≥ 0, default 0; 40001 empty, 40002 invalid) and `limit` (0 to `maxLimit`, default `maxLimit`; 40003, 40004). */
export function paging(params: SendCloudParams, maxLimit: number): { start: number; limit: number } {
  if (params.present('start') && params.optional('start') === undefined) throw new SendCloudFailure(40001);
  if (params.present('limit') && params.optional('limit') === undefined) throw new SendCloudFailure(40003);
  const start = params.optionalInt('start', 40002, { min: 0 }) ?? 0;
  const max = Math.min(SENDCLOUD_MAX_LIMIT, maxLimit);
  const limit = params.optionalInt('limit', 40004, { min: 0, max }) ?? max;
  return { start, limit };
}

/** A required email address: 40011 absent, 40012 not an address. */
export function emailParam(params: SendCloudParams): string {
  const email = params.required('email', 40011).trim();
  if (!isValidEmail(email)) throw new SendCloudFailure(40012, `"${email.slice(0, 60)}" is not an email address`);
  return email;
}

/** An optional email filter (40012 when it is not an address). */
export function optionalEmail(params: SendCloudParams): string | undefined {
  if (params.present('email') && params.optional('email') === undefined) throw new SendCloudFailure(40011);
  const email = params.optional('email')?.trim();
  if (email !== undefined && !isValidEmail(email)) throw new SendCloudFailure(40012, `"${email.slice(0, 60)}" is not an email address`);
  return email;
}

/** `date` moved by `days` (YYYY-MM-DD arithmetic in UTC, where every day has 24 hours). */
export function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Calendar days, inclusive, in the deployment's zone. */
export interface DateWindow {
  readonly startDate: string;
  readonly endDate: string;
}

function dateParam(params: SendCloudParams, name: 'startDate' | 'endDate', code: SendCloudStatusCode): string | undefined {
  const v = params.optional(name)?.trim();
  if (v === undefined) return undefined;
  if (!isCalendarDate(v)) throw new SendCloudFailure(code, `${name} must be a date like 2013-03-19`);
  return v;
}

/**
 * The time window of a listing or report: `days` (the last N days, `days=1` = today; 40006) or
 * `startDate` + `endDate` (both, `yyyy-MM-dd`, end not before start; 40007, 40008). Undefined
 * when neither is given (each action says what that means).
 */
export function dateWindow(params: SendCloudParams, at: { nowMs: number; timeZone: string }): DateWindow | undefined {
  if (params.present('days') && params.optional('days') === undefined) throw new SendCloudFailure(40006);
  const days = params.optionalInt('days', 40006, { min: 1, max: 36_500 });
  const startDate = dateParam(params, 'startDate', 40007);
  const endDate = dateParam(params, 'endDate', 40008);
  const today = calendarDate(at.nowMs, at.timeZone);
  if (days !== undefined) return { startDate: shiftDate(today, 1 - days), endDate: today };
  if (startDate === undefined && endDate === undefined) return undefined;
  if (startDate === undefined) throw new SendCloudFailure(40007, 'startDate is required with endDate');
  if (endDate === undefined) throw new SendCloudFailure(40008, 'endDate is required with startDate');
  if (endDate < startDate) throw new SendCloudFailure(40008, 'endDate must not be before startDate');
  return { startDate, endDate };
}

/** The `info` of a listing: `dataList`, `count` (rows in this answer) and `total` when known. */
export function listInfo(dataList: readonly unknown[], total?: number): Record<string, unknown> {
  return { dataList, ...(total === undefined ? {} : { total }), count: dataList.length };
}
