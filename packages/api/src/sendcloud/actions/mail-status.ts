import { calendarDate, isCalendarDate, isValidEmail, normalizeEmail, type RecipientState } from '@postmill/core';
import { TagStore } from '@postmill/store';
import type { SendCloudActionContext, SendCloudAnswer } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import type { SendCloudStatusCode } from '../status-codes.ts';
import { emailId } from './mail-email-id.ts';
import { describeRows, rowsOfDays, rowsOfEmailIds, type StatusRow } from './mail-status-rows.ts';
import { paging, sendCloudTime, shiftDate } from './management-values.ts';

/** Longest window data/emailStatus reads, in days (SendCloud's "不超过30天"). */
export const MAX_STATUS_DAYS = 30;
/** Largest `limit`, and its default (SendCloud's 100). */
export const MAX_STATUS_LIMIT = 100;

/** SendCloud's delivery status of one recipient (B.10 `status`) and the log line shown with it. */
export function sendCloudStatus(state: RecipientState): { status: string; sendLog: string; modifiedAt: number } {
  switch (state.state) {
    case 'queued':
      return { status: '请求成功', sendLog: '', modifiedAt: state.queuedAt };
    case 'sent':
      return { status: '投递成功', sendLog: state.response, modifiedAt: state.at };
    case 'deferred':
      // Refused for now by the receiving side; retried (SendCloud's soft bounce).
      return { status: '软退信', sendLog: `${state.code}: ${state.message}`, modifiedAt: state.at };
    case 'failed':
      return { status: state.transient ? '软退信' : '无效邮件', sendLog: `${state.code}: ${state.message}`, modifiedAt: state.at };
  }
}

function dateParam(params: SendCloudParams, name: string, invalid: SendCloudStatusCode): string | undefined {
  const v = params.optional(name)?.trim();
  if (v === undefined) return undefined;
  if (!isCalendarDate(v)) throw new SendCloudFailure(invalid);
  return v;
}

/**
 * The days to read, oldest first: `days` (the last N days, today included) or `startDate` to
 * `endDate`; at most 30 days. Undefined when none is given.
 */
function windowOf(params: SendCloudParams, ctx: SendCloudActionContext): string[] | undefined {
  const days = params.optionalInt('days', 40006, { min: 1, max: MAX_STATUS_DAYS });
  const startDate = dateParam(params, 'startDate', 40007);
  const endDate = dateParam(params, 'endDate', 40008);
  const today = calendarDate(ctx.deps.clock.now(), ctx.deps.timeZone);
  let first: string;
  let last: string;
  if (days !== undefined) {
    first = shiftDate(today, 1 - days);
    last = today;
  } else if (startDate !== undefined || endDate !== undefined) {
    if (startDate === undefined) throw new SendCloudFailure(40007, 'startDate and endDate go together');
    if (endDate === undefined) throw new SendCloudFailure(40008, 'startDate and endDate go together');
    if (endDate < startDate) throw new SendCloudFailure(40008, 'endDate is before startDate');
    if (shiftDate(startDate, MAX_STATUS_DAYS - 1) < endDate) throw new SendCloudFailure(40008, `at most ${MAX_STATUS_DAYS} days from startDate`);
    first = startDate;
    last = endDate;
  } else {
    return undefined;
  }
  const dates: string[] = [];
  for (let d = first; d <= last; d = shiftDate(d, 1)) dates.push(d);
  return dates;
}

/**
 * data/emailStatus (B.10): per-recipient delivery status of mail sent through Postmill, single
 * sends (mail/send, mail/sendtemplate, the other dialects' single sends) and address-list
 * (campaign) mail alike, read through the engine's deliveries: by `emailIds`, or by day (`days`, or
 * `startDate` and `endDate`, ≤ 30 days: one of the two is required without emailIds; in a day single
 * mail first, then campaign mail in run-start then list order), narrowed by `email` and `labelId`,
 * paged by `start` (default 0) and `limit` (0–100, default 100). Refusals: 40001/40002 start,
 * 40003/40004 limit, 40006 days (or no window), 40007/40008 dates, 40012 email, 40014 labelId sent
 * empty, 40015 labelId. Campaign rows' emailIds are `pm-task-<task>-<run>-<index>.sc0$<recipient>`
 * (mail-email-id.ts), which emailIds looks up again. `total` is the exact number of rows before
 * paging, with every filter: with `labelId` on a window, single mail is counted and paged through
 * the label's own day index (written when the mail is accepted) and campaign mail through the runs
 * of tasks sent with the label. Cost: O(days + campaign runs of the window + page); with `email`,
 * one list lookup per campaign run of the window (and, with `labelId` too, that recipient's rows
 * of each day). `apiUserList` is not a filter: every message belongs to
 * the deployment, and `apiUser` is the caller.
 */
export async function emailStatus(params: SendCloudParams, ctx: SendCloudActionContext): Promise<SendCloudAnswer> {
  const { start, limit } = paging(params, MAX_STATUS_LIMIT);
  const emailRaw = params.optional('email')?.trim();
  if (emailRaw !== undefined && !isValidEmail(emailRaw)) throw new SendCloudFailure(40012, emailRaw);
  const recipient = emailRaw === undefined ? undefined : normalizeEmail(emailRaw);
  if (params.present('labelId') && params.optional('labelId') === undefined) throw new SendCloudFailure(40014);
  const labelId = params.optionalInt('labelId', 40015, { min: 1 });
  let tag: string | undefined;
  if (labelId !== undefined) {
    tag = (await new TagStore({ redis: ctx.deps.redis, keys: ctx.deps.keys, clock: ctx.deps.clock }).get(labelId))?.name;
    // A label that does not exist labels no mail.
    if (tag === undefined) return { info: { total: '0', voListSize: 0, voList: [] } };
  }
  const dates = windowOf(params, ctx);
  const emailIds = params.list('emailIds');

  let total: number;
  let rows: StatusRow[];
  if (emailIds.length > 0) {
    const days = dates === undefined ? undefined : new Set(dates);
    const all = (await rowsOfEmailIds(emailIds, ctx)).filter(
      (r) =>
        (recipient === undefined || normalizeEmail(r.row.recipient) === recipient) &&
        (tag === undefined || r.tag === tag) &&
        (days === undefined || days.has(calendarDate(r.row.acceptedAt, ctx.deps.timeZone))),
    );
    total = all.length;
    rows = all.slice(start, start + limit);
  } else {
    if (dates === undefined) throw new SendCloudFailure(40006, 'give days, or startDate and endDate');
    const page = await rowsOfDays(dates, { recipient, tag }, { start, limit }, ctx);
    total = page.total;
    rows = await describeRows(page.rows, ctx);
  }
  const voList = rows.map(({ row, index }) => {
    const s = sendCloudStatus(row.state);
    return {
      emailId: emailId({ messageId: row.messageId, index, recipient: normalizeEmail(row.recipient) }),
      status: s.status,
      apiUser: ctx.apiUser,
      recipients: row.recipient,
      requestTime: sendCloudTime(row.acceptedAt, ctx.deps.timeZone),
      modifiedTime: sendCloudTime(s.modifiedAt, ctx.deps.timeZone),
      sendLog: s.sendLog,
    };
  });
  return { info: { total: String(total), voListSize: voList.length, voList } };
}
