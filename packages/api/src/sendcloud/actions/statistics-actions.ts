import { calendarDate, isValidDomain } from '@postmill/core';
import { datesBetween, type HitFilter, type HitPage, type Volume } from '@postmill/store';
import type { SendCloudActionContext } from '../action.ts';
import { moduleActions } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { managementStores } from './management-stores.ts';
import { dateWindow, listInfo, optionalEmail, paging, sendCloudTime, shiftDate } from './management-values.ts';
import { aggregateOf, apiUserListOf, domainListOf, includesCaller, labelIdListOf } from './report-filters.ts';

/** One slice of a report: all mail, or one sender domain and/or one label. */
interface Slice {
  readonly domain?: string;
  readonly label?: { id: number; name: string };
}

interface DayCounts {
  readonly sendDate: string;
  readonly slice: Slice;
  readonly volume: Volume;
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((10_000 * part) / whole) / 100;
}

function isEmpty(v: Volume): boolean {
  return v.requestCount + v.deliveredCount + v.openedTotalCount + v.clickedTotalCount + v.bounceCount + v.unsubscribeCount === 0;
}

/**
 * The daily volumes of every requested slice (domainList × labelIdList; all mail when neither),
 * for the window (default: today), days without mail left out as SendCloud does. Each slice costs
 * one engine report (O(days)). Unknown labels and domains select nothing.
 */
async function dailyCounts(params: SendCloudParams, ctx: SendCloudActionContext): Promise<{ rows: DayCounts[]; aggregate: boolean }> {
  const { deps } = ctx;
  const apiUsers = apiUserListOf(params);
  const labelIds = labelIdListOf(params);
  const domains = domainListOf(params);
  const aggregate = aggregateOf(params);
  const today = calendarDate(ctx.nowMs, deps.timeZone);
  const window = dateWindow(params, { nowMs: ctx.nowMs, timeZone: deps.timeZone }) ?? { startDate: today, endDate: today };
  if (!includesCaller(apiUsers, ctx.apiUser)) return { rows: [], aggregate };
  const labels =
    labelIds === undefined
      ? [undefined]
      : (await Promise.all(labelIds.map((id) => managementStores(deps).tags.get(id)))).flatMap((t) => (t ? [{ id: t.id, name: t.name }] : []));
  const rows: DayCounts[] = [];
  // A malformed domain is no sender domain of this account: it selects nothing, as an unknown one does.
  for (const domain of domains?.filter(isValidDomain) ?? [undefined]) {
    for (const label of labels) {
      const report = await deps.engine.statistics.report({
        ...window,
        ...(domain === undefined ? {} : { senderDomain: domain }),
        ...(label === undefined ? {} : { tag: label.name }),
      });
      const slice: Slice = { ...(domain === undefined ? {} : { domain }), ...(label === undefined ? {} : { label }) };
      for (const volume of report.daily) if (!isEmpty(volume)) rows.push({ sendDate: volume.sendDate, slice, volume });
    }
  }
  return { rows, aggregate };
}

function sum(rows: readonly DayCounts[]): Volume {
  const total = {
    sendDate: '',
    requestCount: 0,
    acceptedCount: 0,
    deliveredCount: 0,
    openedCount: 0,
    clickedCount: 0,
    bounceCount: 0,
    unsubscribeCount: 0,
    openedTotalCount: 0,
    clickedTotalCount: 0,
  };
  for (const { volume: v } of rows) {
    for (const key of Object.keys(total) as (keyof typeof total)[]) if (key !== 'sendDate') total[key] += v[key];
  }
  return total;
}

/**
 * statday's counters from a volume: `openNum`/`clickNum` count every open/click by a person,
 * `uniqueOpensNum`/`uniqueClicksNum` each recipient once per message; machine fetches (scanners,
 * image proxies) count in neither. Postmill has no complaint feedback (spamReported 0) and refuses
 * invalid addresses at the API (never counted as sent: invalidEmails 0).
 */
function dayCounters(v: Volume): Record<string, number> {
  const n = v.requestCount;
  return {
    requestNum: n,
    deliveredNum: v.deliveredCount,
    clickNum: v.clickedTotalCount,
    openNum: v.openedTotalCount,
    bounceNum: v.bounceCount,
    spamReportedNum: 0,
    unsubscribeNum: v.unsubscribeCount,
    uniqueOpensNum: v.openedCount,
    uniqueClicksNum: v.clickedCount,
    invalidEmailsNum: 0,
    deliveredPercent: percent(v.deliveredCount, n),
    clickPercent: percent(v.clickedTotalCount, n),
    openPercent: percent(v.openedTotalCount, n),
    bouncePercent: percent(v.bounceCount, n),
    spamReportedPercent: 0,
    unsubscribePercent: percent(v.unsubscribeCount, n),
    uniqueOpensPercent: percent(v.openedCount, n),
    uniqueClicksPercent: percent(v.clickedCount, n),
    invalidEmailsPercent: 0,
  };
}

/**
 * invalidstat's reasons from a volume. Postmill does not classify bounces by reason: every bounce
 * is under `others`; unsubscribes under SendCloud's own spelling `ubsubscribe`.
 */
function invalidCounters(v: Volume): Record<string, number> {
  return {
    sendcloudBlacklist: 0,
    ubsubscribe: v.unsubscribeCount,
    espUnvaliable: 0,
    recipientAddressError: 0,
    ipOrDomainRejected: 0,
    recipientNotFound: 0,
    spamEmails: 0,
    senderOrRecipientRejected: 0,
    others: v.bounceCount,
  };
}

function sliceFields(ctx: SendCloudActionContext, slice: Slice, withDomain: boolean): Record<string, unknown> {
  return {
    apiUser: ctx.apiUser,
    ...(withDomain ? { domain: slice.domain ?? '' } : {}),
    labelId: slice.label?.id ?? 0,
    labelName: slice.label?.name ?? '',
  };
}

/** With `aggregate=1` SendCloud answers one object whose numbers are strings. */
function aggregated(counters: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, String(v)]));
}

/**
 * The page of people's opens and clicks `openandclick/list` asks for: one address's (the window
 * ignored, as SendCloud does) or the window's (default today; days before the statistics retention
 * hold none, so they are not read), narrowed by `trackType` (1 open, 2 click; another value selects
 * nothing) and `labelId` (an unknown label selects nothing).
 */
async function trackedHits(params: SendCloudParams, ctx: SendCloudActionContext): Promise<HitPage> {
  const { deps } = ctx;
  const apiUsers = apiUserListOf(params);
  const email = optionalEmail(params);
  const window = dateWindow(params, { nowMs: ctx.nowMs, timeZone: deps.timeZone });
  const trackType = params.optional('trackType')?.trim();
  const labelId = params.optionalInt('labelId', 40015, { min: 1 });
  const page = paging(params, deps.limits.maxPageLimit);
  const none: HitPage = { total: 0, hits: [] };
  if (!includesCaller(apiUsers, ctx.apiUser)) return none;
  if (trackType !== undefined && trackType !== '1' && trackType !== '2') return none;
  const label = labelId === undefined ? undefined : await managementStores(deps).tags.get(labelId);
  if (labelId !== undefined && !label) return none;
  const filter: HitFilter = {
    ...(trackType === undefined ? {} : { kind: trackType === '1' ? 'open' : 'click' }),
    ...(label ? { tag: label.name } : {}),
  };
  const statistics = deps.statistics;
  if (email !== undefined) return statistics.hits.ofRecipient(email, filter, page);
  return statistics.hits.ofDays(retainedDates(window, ctx), filter, page);
}

/** The days of a window (default today) from the oldest the statistics keep to today at most. */
function retainedDates(window: { startDate: string; endDate: string } | undefined, ctx: SendCloudActionContext): string[] {
  const today = calendarDate(ctx.nowMs, ctx.deps.timeZone);
  const oldest = shiftDate(today, -ctx.deps.statistics.retentionDays);
  const from = window?.startDate ?? today;
  const to = window?.endDate ?? today;
  // Dates as YYYY-MM-DD text compare in time order; Math.max/min would read them as NaN.
  // biome-ignore lint/complexity/useMathMinMax: text dates, not numbers
  const start = from < oldest ? oldest : from;
  // biome-ignore lint/complexity/useMathMinMax: text dates, not numbers
  const end = to > today ? today : to;
  return end < start ? [] : datesBetween(start, end);
}

/**
 * Statistics (`statday/list`, `stathour/list`, `invalidstat/list`) from the daily volumes every
 * dialect shares, and `openandclick/list` from the day's and the recipient's lists of opens and clicks: per sender domain (`domainList`) and per tag (`labelIdList`, labels being tags).
 * `stathour/list` reads the hour counters of each day in the window (hours without mail left out),
 * per label of `labelIdList`.
 */
export const statisticsActions = [
  ...moduleActions('openandclick', {
    async list(params, ctx) {
      const { total, hits } = await trackedHits(params, ctx);
      const rows = hits.map((h) => ({
        trackType: h.kind === 'open' ? 1 : 2,
        apiUser: ctx.apiUser,
        email: h.recipient,
        url: h.url ?? '',
        currTime: sendCloudTime(h.at, ctx.deps.timeZone),
      }));
      return { info: listInfo(rows, total) };
    },
  }),

  ...moduleActions('statday', {
    async list(params, ctx) {
      const { rows, aggregate } = await dailyCounts(params, ctx);
      if (aggregate) return { info: { dataList: aggregated(dayCounters(sum(rows))), count: 1 } };
      return { info: listInfo(rows.map((r) => ({ sendDate: r.sendDate, ...sliceFields(ctx, r.slice, true), ...dayCounters(r.volume) }))) };
    },
  }),

  ...moduleActions('stathour', {
    async list(params, ctx) {
      const { deps } = ctx;
      const apiUsers = apiUserListOf(params);
      const labelIds = labelIdListOf(params);
      const dates = retainedDates(dateWindow(params, { nowMs: ctx.nowMs, timeZone: deps.timeZone }), ctx);
      if (!includesCaller(apiUsers, ctx.apiUser)) return { info: listInfo([]) };
      const labels =
        labelIds === undefined
          ? [undefined]
          : (await Promise.all(labelIds.map((id) => managementStores(deps).tags.get(id)))).flatMap((t) => (t ? [{ id: t.id, name: t.name }] : []));
      const rows: Record<string, unknown>[] = [];
      for (const label of labels) {
        for (const day of await deps.statistics.hourReport(dates, label?.name)) {
          for (const { sendHour, volume } of day.hours) {
            rows.push({ sendDate: day.sendDate, sendHour, ...sliceFields(ctx, label === undefined ? {} : { label }, false), ...dayCounters(volume) });
          }
        }
      }
      return { info: listInfo(rows) };
    },
  }),

  ...moduleActions('invalidstat', {
    async list(params, ctx) {
      const { rows, aggregate } = await dailyCounts(params, ctx);
      if (aggregate) return { info: { dataList: aggregated(invalidCounters(sum(rows))), count: 1 } };
      return { info: listInfo(rows.map((r) => ({ sendDate: r.sendDate, ...sliceFields(ctx, r.slice, true), ...invalidCounters(r.volume) }))) };
    },
  }),
];
