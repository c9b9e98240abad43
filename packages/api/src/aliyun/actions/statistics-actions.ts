import { addressKey, calendarDate, domainOf, isCalendarDate, isValidEmail, normalizeEmail, type RecipientState } from '@postmill/core';
import type { DeliveryRow } from '@postmill/engine';
import { datesBetween, type Volume } from '@postmill/store';
import { actions } from '../action.ts';
import { invalid } from '../aliyun-api-error.ts';
import { formatCursor, parseCursor, scanDeliveries } from '../delivery-scan.ts';
import type { DirectMailPort } from '../engine-port.ts';
import type { ActionParams } from '../params.ts';
import { secondTime, utcSeconds } from '../wire-values.ts';

/** How far back delivery details and invalid addresses are read (DirectMail's window, and Postmill's status retention). */
const MAX_SPAN_DAYS = 30;

/**
 * DirectMail's detail Status: 0 delivered, 2 invalid address (a permanent failure), 4 failed (a
 * transient failure that exhausted its retries); 1 is Postmill's for mail still queued or
 * deferred (DirectMail documents no such state). 3 (spam) is never given: Postmill has no filter.
 */
function detailStatus(state: RecipientState): number {
  if (state.state === 'sent') return 0;
  if (state.state === 'failed') return state.transient ? 4 : 2;
  return 1;
}

function stateMessage(state: RecipientState): { message: string; classification: string; at: number } {
  switch (state.state) {
    case 'sent':
      return { message: state.response, classification: '', at: state.at };
    case 'failed':
    case 'deferred':
      return { message: state.message, classification: state.code, at: state.at };
    default:
      return { message: '', classification: '', at: state.queuedAt };
  }
}

/** `yyyy-MM-dd HH:mm` (or a bare date) in the deployment's zone, as DirectMail's detail range takes it. */
function localMinute(params: ActionParams, name: string, fallback: string): string {
  const value = params.optional(name, { maxLength: 16 }) ?? fallback;
  const m = /^(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}))?$/u.exec(value);
  if (!m || !isCalendarDate(m[1] ?? '')) throw invalid(name, 'a time as yyyy-MM-dd HH:mm is expected.');
  return m[2] === undefined ? `${m[1]} ${name === 'EndTime' ? '23:59' : '00:00'}` : value;
}

function spanDates(startDate: string, endDate: string, names: { start: string; end: string }): string[] {
  if (endDate < startDate) throw invalid(names.end, `must not be before ${names.start}.`);
  const dates = datesBetween(startDate, endDate);
  if (dates.length > MAX_SPAN_DAYS) throw invalid(names.end, `the range may span at most ${MAX_SPAN_DAYS} days.`);
  return dates;
}

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

/** What a track query reads: a date range, optionally one sender address's domain and/or one tag. */
interface TrackQuery {
  readonly dates: readonly string[];
  readonly senderDomain?: string;
  readonly tag?: string;
}

// A range is at most as long as the statistics are kept (the engine's bound on a report), checked
// before its days are listed.
function trackQuery(params: ActionParams, retentionDays: number): TrackQuery {
  const startDate = date(params, 'StartTime');
  const endDate = date(params, 'EndTime');
  if (endDate < startDate) throw invalid('EndTime', 'must not be before StartTime.');
  const span = (Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / 86_400_000 + 1;
  if (span > retentionDays + 1) throw invalid('EndTime', `the range may span at most ${retentionDays + 1} days.`);
  const account = params.optional('AccountName', { maxLength: 254 });
  const tag = params.optional('TagName', { maxLength: 128 });
  return {
    dates: datesBetween(startDate, endDate),
    ...(account === undefined ? {} : { senderDomain: domainOf(normalizeEmail(account)) }),
    ...(tag === undefined ? {} : { tag }),
  };
}

/**
 * One page of a track query: its days (every day of the range, oldest first, zeros included), read
 * with one engine report over the page's days only, so a page costs PageSize days whatever the range.
 */
async function trackPage(
  params: ActionParams,
  port: DirectMailPort,
  retentionDays: number,
): Promise<{ page: Record<string, unknown>; stat: Record<string, string>[] }> {
  const query = trackQuery(params, retentionDays);
  const pageNo = params.int('PageNumber', { min: 1, max: 1_000_000, fallback: 1 });
  const pageSize = params.int('PageSize', { min: 1, max: 100, fallback: 10 });
  const days = query.dates.slice((pageNo - 1) * pageSize, pageNo * pageSize);
  const first = days[0];
  const last = days.at(-1);
  const daily =
    first === undefined || last === undefined
      ? []
      : (
          await port.statistics.report({
            startDate: first,
            endDate: last,
            ...(query.senderDomain === undefined ? {} : { senderDomain: query.senderDomain }),
            ...(query.tag === undefined ? {} : { tag: query.tag }),
          })
        ).daily;
  const total = query.dates.length;
  return { page: { PageNo: pageNo, PageSize: pageSize, Total: total, TotalPages: Math.ceil(total / pageSize) }, stat: daily.map(trackRow) };
}

/**
 * GetTrackList's row of one day, every value a string as the SDK types it. TotalNumber is the mail
 * delivered that day (the base of the rates); Rcpt*Count count every open/click by a person,
 * RcptUnique*Count each recipient once per message; machine fetches (scanners, image proxies)
 * count in neither.
 */
function trackRow(v: Volume): Record<string, string> {
  const whole = v.deliveredCount;
  return {
    CreateTime: v.sendDate,
    TotalNumber: String(whole),
    RcptOpenCount: String(v.openedTotalCount),
    RcptOpenRate: percent(v.openedTotalCount, whole),
    RcptUniqueOpenCount: String(v.openedCount),
    RcptUniqueOpenRate: percent(v.openedCount, whole),
    RcptClickCount: String(v.clickedTotalCount),
    RcptClickRate: percent(v.clickedTotalCount, whole),
    RcptUniqueClickCount: String(v.clickedCount),
    RcptUniqueClickRate: percent(v.clickedCount, whole),
  };
}

function zoneMinute(ms: number, timeZone: string): string {
  // sv-SE writes "2021-05-13 15:54", which compares as text in time order.
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ms);
}

/**
 * Statistics: SenderStatisticsByTagNameAndBatchID, GetTrackList and
 * GetTrackListByMailFromAndTagName, from the daily volumes every dialect shares.
 * Volumes are kept per sender domain (and per tag), not per address: `AccountName` narrows to its
 * domain; `TagName` to the mail sent with that tag (counted as the worker records outcomes, from
 * this change on: mail sent before it was not counted by tag).
 */
export const statisticsActions = actions({
  async SenderStatisticsByTagNameAndBatchID(params, { port }) {
    const startDate = date(params, 'StartTime');
    const endDate = date(params, 'EndTime');
    const account = params.optional('AccountName', { maxLength: 254 });
    const tag = params.optional('TagName', { maxLength: 128 });
    const report = await port.statistics.report({
      startDate,
      endDate,
      ...(account === undefined ? {} : { senderDomain: domainOf(normalizeEmail(account)) }),
      ...(tag === undefined ? {} : { tag }),
    });
    return { TotalCount: report.daily.length, data: { stat: report.daily.map(statRow) } };
  },

  /** Opens and clicks per day (configured zone), paged by PageNumber/PageSize over the range's days. */
  async GetTrackList(params, { deps, port }) {
    const { page, stat } = await trackPage(params, port, deps.statistics.retentionDays);
    return { ...page, data: { stat } };
  },

  /** GetTrackList's answer as DirectMail shapes this one: `TrackList.Stat`, TotalPages as a string. */
  async GetTrackListByMailFromAndTagName(params, { deps, port }) {
    const { page, stat } = await trackPage(params, port, deps.statistics.retentionDays);
    return { ...page, TotalPages: String(page.TotalPages), TrackList: { Stat: stat } };
  },

  /** Per-recipient delivery details from the status ledger every dialect writes, oldest first. */
  async SenderStatisticsDetailByParam(params, { deps, port, nowMs }) {
    const today = calendarDate(nowMs, deps.timeZone);
    const start = localMinute(params, 'StartTime', `${today} 00:00`);
    const end = localMinute(params, 'EndTime', `${today} 23:59`);
    const dates = spanDates(start.slice(0, 10), end.slice(0, 10), { start: 'StartTime', end: 'EndTime' });
    const account = params.optional('AccountName', { maxLength: 254 });
    const tag = params.optional('TagName', { maxLength: 128 });
    const to = params.optional('ToAddress', { maxLength: 254 });
    const status = params.optionalOneOf('Status', ['0', '1', '2', '3', '4']);
    const length = params.int('Length', { min: 1, max: 100, fallback: 5 });
    const cursor = parseCursor('NextStart', params.optional('NextStart', { maxLength: 24 }));
    const accountKey = account === undefined ? undefined : addressKey(account);
    const keep = async (row: DeliveryRow): Promise<boolean> => {
      const at = zoneMinute(row.acceptedAt, deps.timeZone);
      if (at < start || at > end) return false;
      if (accountKey !== undefined && addressKey(row.from) !== accountKey) return false;
      if (status !== undefined && String(detailStatus(row.state)) !== status) return false;
      if (tag !== undefined && (await port.annotations.forMessage(row.messageId)).tagName !== tag) return false;
      return true;
    };
    const { rows, next } = await scanDeliveries(deps, { dates, recipient: to, cursor, length, keep });
    return {
      NextStart: next === undefined ? '' : formatCursor(next),
      data: {
        mailDetail: rows.map((r) => {
          const s = stateMessage(r.state);
          return {
            AccountName: r.from,
            ToAddress: r.recipient,
            Subject: r.subject,
            Status: detailStatus(r.state),
            Message: s.message,
            ErrorClassification: s.classification,
            LastUpdateTime: secondTime(s.at),
            UtcLastUpdateTime: utcSeconds(s.at),
            IpPoolId: '',
            IpPoolName: '',
            ConfigSetId: '',
            ConfigSetName: '',
          };
        }),
      },
    };
  },

  /**
   * Recipients whose mail failed permanently (DirectMail's invalid addresses), from the status
   * ledger, less those dismissed with DeleteInvalidAddress before their failure.
   */
  async QueryInvalidAddress(params, { deps, port, nowMs }) {
    const today = calendarDate(nowMs, deps.timeZone);
    const startDate = params.optional('StartTime', { maxLength: 10 }) ?? today;
    const endDate = params.optional('EndTime', { maxLength: 10 }) ?? today;
    if (!isCalendarDate(startDate)) throw invalid('StartTime', 'a date as yyyy-MM-dd is expected.');
    if (!isCalendarDate(endDate)) throw invalid('EndTime', 'a date as yyyy-MM-dd is expected.');
    const dates = spanDates(startDate, endDate, { start: 'StartTime', end: 'EndTime' });
    const keyword = params.optional('KeyWord', { maxLength: 254 })?.toLowerCase();
    const length = params.int('Length', { min: 1, max: 100, fallback: 10 });
    const cursor = parseCursor('NextStart', params.optional('NextStart', { maxLength: 24 }));
    const keep = async (row: DeliveryRow): Promise<boolean> => {
      if (row.state.state !== 'failed' || row.state.transient) return false;
      if (keyword !== undefined && !row.recipient.toLowerCase().includes(keyword)) return false;
      const dismissed = (await port.invalidAddresses.dismissedAt([row.recipient])).get(addressKey(row.recipient));
      return dismissed === undefined || row.state.at > dismissed;
    };
    const { rows, next } = await scanDeliveries(deps, { dates, cursor, length, keep });
    return {
      NextStart: next === undefined ? '' : formatCursor(next),
      TotalCount: rows.length,
      data: {
        mailDetail: rows.map((r) => {
          const at = stateMessage(r.state).at;
          return { ToAddress: r.recipient, LastUpdateTime: secondTime(at), UtcLastUpdateTime: utcSeconds(at) };
        }),
      },
    };
  },

  /** Dismisses an address from the invalid-address list (a later failure lists it again). */
  async DeleteInvalidAddress(params, { port }) {
    const address = params.required('ToAddress', { maxLength: 254 });
    if (!isValidEmail(address)) throw invalid('ToAddress', `"${address.slice(0, 60)}" is not an email address.`);
    await port.invalidAddresses.dismiss(normalizeEmail(address));
    return {};
  },
});
