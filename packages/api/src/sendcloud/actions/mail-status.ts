import { calendarDate, isCalendarDate, isValidEmail, normalizeEmail, type RecipientState } from '@postmill/core';
import type { RecipientStatusRow } from '@postmill/store';
import { TagStore } from '@postmill/store';
import type { SendCloudActionContext, SendCloudAnswer } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import type { SendCloudStatusCode } from '../status-codes.ts';
import { emailId, parseEmailId } from './mail-email-id.ts';

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

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** `yyyy-MM-dd HH:mm:ss` in `timeZone`, as SendCloud writes times. */
export function sendCloudTime(epochMs: number, timeZone: string): string {
  let f = timeFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    timeFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(epochMs).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A parameter present but empty: SendCloud's "不能为空" codes. */
function presentButEmpty(params: SendCloudParams, name: string): boolean {
  return params.names().includes(name) && params.optional(name) === undefined;
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
    first = addDays(today, 1 - days);
    last = today;
  } else if (startDate !== undefined || endDate !== undefined) {
    if (startDate === undefined) throw new SendCloudFailure(40007, 'startDate and endDate go together');
    if (endDate === undefined) throw new SendCloudFailure(40008, 'startDate and endDate go together');
    if (endDate < startDate) throw new SendCloudFailure(40008, 'endDate is before startDate');
    if (addDays(startDate, MAX_STATUS_DAYS - 1) < endDate) throw new SendCloudFailure(40008, `at most ${MAX_STATUS_DAYS} days from startDate`);
    first = startDate;
    last = endDate;
  } else {
    return undefined;
  }
  const dates: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) dates.push(d);
  return dates;
}

/** One row of the answer, before paging. */
interface StatusRow {
  readonly row: RecipientStatusRow;
  /** The recipient's position in its message (to, then cc, then bcc): the emailId's index. */
  readonly index: number;
  readonly tag: string | undefined;
}

/** Index and tag of each row's recipient, reading each message's metadata once (O(page)). */
async function describe(rows: readonly RecipientStatusRow[], ctx: SendCloudActionContext): Promise<StatusRow[]> {
  const ids = [...new Set(rows.map((r) => r.messageId))];
  const metas = new Map(await Promise.all(ids.map(async (id) => [id, await ctx.deps.messages.getMeta(id)] as const)));
  return rows.map((row) => {
    const meta = metas.get(row.messageId);
    const all = meta ? [...meta.to, ...meta.cc, ...meta.bcc].map(normalizeEmail) : [];
    return { row, index: Math.max(0, all.indexOf(normalizeEmail(row.recipient))), tag: meta?.tag };
  });
}

/** Rows of the given emailIds that still exist, in the order given (an id Postmill did not make, or expired, is left out). */
async function rowsOfEmailIds(emailIds: readonly string[], ctx: SendCloudActionContext): Promise<StatusRow[]> {
  const parts = emailIds.map(parseEmailId).filter((p) => p !== undefined);
  const messageIds = [...new Set(parts.map((p) => p.messageId))];
  const read = await Promise.all(
    messageIds.map(async (id) => {
      const [meta, states] = await Promise.all([ctx.deps.messages.getMeta(id), ctx.deps.messages.getRecipients(id)]);
      return [id, { meta, states }] as const;
    }),
  );
  const byId = new Map(read);
  const seen = new Set<string>();
  const rows: StatusRow[] = [];
  for (const p of parts) {
    const key = `${p.messageId}$${p.recipient}`;
    const message = byId.get(p.messageId);
    if (seen.has(key) || !message?.meta) continue;
    const state = message.states.get(p.recipient) ?? [...message.states].find(([r]) => normalizeEmail(r) === p.recipient)?.[1];
    if (!state) continue;
    seen.add(key);
    rows.push({
      row: {
        messageId: p.messageId,
        from: message.meta.from.address,
        recipient: p.recipient,
        subject: message.meta.subject,
        acceptedAt: message.meta.acceptedAt,
        state,
      },
      index: p.index,
      tag: message.meta.tag,
    });
  }
  return rows;
}

/**
 * One page of rows of the days in `dates` (oldest day first, then acceptance order), optionally
 * of one recipient. Reads each day's count (a counter) and then only the days the page falls on:
 * O(days + page).
 */
async function rowsOfDays(
  dates: readonly string[],
  filter: { recipient?: string },
  page: { start: number; limit: number },
  ctx: SendCloudActionContext,
): Promise<{ total: number; rows: RecipientStatusRow[] }> {
  const counts = await Promise.all(dates.map((date) => ctx.deps.messages.countStatus({ date, ...filter })));
  const total = counts.reduce((a, b) => a + b, 0);
  const rows: RecipientStatusRow[] = [];
  let skip = page.start;
  for (let i = 0; i < dates.length && rows.length < page.limit; i++) {
    const count = counts[i] ?? 0;
    if (skip >= count) {
      skip -= count;
      continue;
    }
    rows.push(...(await ctx.deps.messages.queryStatus({ date: dates[i] as string, ...filter, offset: skip, limit: page.limit - rows.length })));
    skip = 0;
  }
  return { total, rows };
}

/**
 * data/emailStatus (B.10): per-recipient delivery status of mail sent through Postmill's single
 * sends (mail/send, mail/sendtemplate, and the other dialects' single sends), by `emailIds`, or by
 * day (`days`, or `startDate` and `endDate`, ≤ 30 days: one of the two is required without
 * emailIds), narrowed by `email` and `labelId`, paged by `start` (default 0) and `limit` (0–100,
 * default 100). Refusals: 40001/40002 start, 40003/40004 limit, 40006 days (or no window),
 * 40007/40008 dates, 40012 email, 40015 labelId. `total` is the number of rows before paging,
 * except with `labelId` on a window: the day indexes count by day and recipient only, so the page
 * is narrowed by label after it is read (never more than `limit` rows) and `total` counts every
 * label. `apiUserList` is not a filter: every message belongs to the deployment, and `apiUser` is
 * the caller. Address-list (campaign) mail is not listed.
 */
export async function emailStatus(params: SendCloudParams, ctx: SendCloudActionContext): Promise<SendCloudAnswer> {
  if (presentButEmpty(params, 'start')) throw new SendCloudFailure(40001);
  if (presentButEmpty(params, 'limit')) throw new SendCloudFailure(40003);
  const start = params.optionalInt('start', 40002, { min: 0 }) ?? 0;
  const limit = params.optionalInt('limit', 40004, { min: 0, max: MAX_STATUS_LIMIT }) ?? MAX_STATUS_LIMIT;
  const emailRaw = params.optional('email')?.trim();
  if (emailRaw !== undefined && !isValidEmail(emailRaw)) throw new SendCloudFailure(40012, emailRaw);
  const recipient = emailRaw === undefined ? undefined : normalizeEmail(emailRaw);
  if (presentButEmpty(params, 'labelId')) throw new SendCloudFailure(40014);
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
        (recipient === undefined || r.row.recipient === recipient) &&
        (tag === undefined || r.tag === tag) &&
        (days === undefined || days.has(calendarDate(r.row.acceptedAt, ctx.deps.timeZone))),
    );
    total = all.length;
    rows = all.slice(start, start + limit);
  } else {
    if (dates === undefined) throw new SendCloudFailure(40006, 'give days, or startDate and endDate');
    const page = await rowsOfDays(dates, recipient === undefined ? {} : { recipient }, { start, limit }, ctx);
    total = page.total;
    rows = (await describe(page.rows, ctx)).filter((r) => tag === undefined || r.tag === tag);
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
