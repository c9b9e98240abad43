import { addressKey, calendarDate, domainOf, normalizeEmail, type RecipientState } from '@postmill/core';
import { datesBetween, type RecipientStatusRow } from '@postmill/store';
import { SCAN_MAX_ROWS_READ, scanDeliveries } from '../../aliyun/delivery-scan.ts';
import type { ApiDeps } from '../../api-deps.ts';
import type { SendCloudActionContext } from '../action.ts';
import { moduleActions } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { blacklistEntry, blacklistRange } from './blacklist-window.ts';
import { managementStores } from './management-stores.ts';
import { type DateWindow, dateWindow, emailParam, listInfo, optionalEmail, paging, sendCloudTime, shiftDate } from './management-values.ts';
import { apiUserListOf, includesCaller, labelIdListOf } from './report-filters.ts';

/** Bounce rows are read from the delivery ledger, which keeps this many days (the status retention setting). */
function ledgerDates(deps: ApiDeps, window: DateWindow | undefined, nowMs: number): string[] {
  const today = calendarDate(nowMs, deps.timeZone);
  const oldest = shiftDate(today, 1 - deps.limits.statusRetentionDays);
  const start = window === undefined || window.startDate < oldest ? oldest : window.startDate;
  const end = window === undefined || window.endDate > today ? today : window.endDate;
  if (window === undefined) return [today];
  return end < start ? [] : datesBetween(start, end);
}

/** A hard bounce: a permanent failure not dismissed (bounce/delete, DirectMail's DeleteInvalidAddress) since. */
function bounceFilter(deps: ApiDeps): (row: RecipientStatusRow) => Promise<boolean> {
  const invalid = managementStores(deps).invalidAddresses;
  return async (row) => {
    if (row.state.state !== 'failed' || row.state.transient) return false;
    const dismissed = (await invalid.dismissedAt([row.recipient])).get(addressKey(row.recipient));
    return dismissed === undefined || row.state.at > dismissed;
  };
}

function failedAt(state: RecipientState): { at: number; reason: string } {
  return state.state === 'failed' ? { at: state.at, reason: state.message } : { at: 0, reason: '' };
}

/**
 * Up to `start + limit` bounces of the window (or of one address), from the delivery ledger every
 * dialect writes. A call reads at most SCAN_MAX_ROWS_READ ledger rows (delivery-scan.ts), so on a
 * day with more mail than that the listing shows the bounces among the rows read.
 */
async function bounces(deps: ApiDeps, params: SendCloudParams, ctx: SendCloudActionContext, want: number): Promise<RecipientStatusRow[]> {
  const email = optionalEmail(params);
  const window = dateWindow(params, { nowMs: ctx.nowMs, timeZone: deps.timeZone });
  const dates = ledgerDates(deps, email === undefined ? window : (window ?? { startDate: '0000-01-01', endDate: '9999-12-31' }), ctx.nowMs);
  if (want === 0 || dates.length === 0) return [];
  const { rows } = await scanDeliveries(deps, { dates, recipient: email, cursor: { day: 0, offset: 0 }, length: want, keep: bounceFilter(deps) });
  return rows;
}

function requireTarget(params: SendCloudParams): void {
  const targeted = ['email', 'days', 'startDate', 'endDate'].some((n) => params.optional(n) !== undefined);
  if (!targeted) throw new SendCloudFailure(40011, 'give email, days, or startDate and endDate');
}

/**
 * Suppression lists. `unsubscribe/*` is the blacklist every dialect shares (Tencent's custom
 * blacklist, DirectMail's user suppression), so an unsubscribed address gets no mail from any
 * dialect. `bounce/*` are the hard bounces of the delivery ledger (DirectMail's invalid addresses):
 * `bounce/delete` dismisses them as DeleteInvalidAddress does; `bounce/count` is the bounce counter
 * of the daily statistics. `spamreported/list` is always empty: Postmill receives no complaint
 * feedback. Postmill keeps these per deployment, not per API_USER or label: `apiUserList` without
 * the caller selects nothing, and `labelIdList` is checked but does not narrow.
 */
export const suppressionActions = [
  ...moduleActions('unsubscribe', {
    async list(params, ctx) {
      const { deps } = ctx;
      const apiUsers = apiUserListOf(params);
      labelIdListOf(params);
      const email = optionalEmail(params);
      const window = dateWindow(params, { nowMs: ctx.nowMs, timeZone: deps.timeZone });
      const { start, limit } = paging(params, deps.limits.maxPageLimit);
      const row = (e: { email: string; createTime: string }) => ({
        email: e.email,
        domain: domainOf(e.email),
        labelId: 0,
        apiUser: ctx.apiUser,
        unsubscribeTime: e.createTime,
      });
      if (!includesCaller(apiUsers, ctx.apiUser)) return { info: listInfo([], 0) };
      if (email !== undefined) {
        const entry = await blacklistEntry(deps, email);
        const rows = entry === undefined ? [] : [row(entry)];
        return { info: listInfo(rows.slice(start, start + limit), rows.length) };
      }
      const range = await blacklistRange(deps, window);
      const offset = range.from + start;
      const take = Math.max(0, Math.min(limit, range.to - offset));
      const page = take === 0 ? [] : (await deps.engine.suppressions.list({ offset, limit: take })).items;
      return { info: listInfo(page.map(row), range.to - range.from) };
    },

    async add(params, ctx) {
      const email = emailParam(params);
      await ctx.deps.engine.suppressions.add([email]);
      const entry = await blacklistEntry(ctx.deps, email);
      const unsubscribeTime = entry?.createTime ?? sendCloudTime(ctx.nowMs, ctx.deps.timeZone);
      return { info: { data: { email, domain: domainOf(email), labelId: 0, apiUser: ctx.apiUser, unsubscribeTime } }, statusCode: 40401 };
    },

    async delete(params, ctx) {
      const { deps } = ctx;
      requireTarget(params);
      const email = optionalEmail(params);
      if (email !== undefined) {
        const entry = await blacklistEntry(deps, email);
        if (entry) await deps.engine.suppressions.remove([entry.email]);
        return { info: { count: entry ? 1 : 0 } };
      }
      const range = await blacklistRange(deps, dateWindow(params, { nowMs: ctx.nowMs, timeZone: deps.timeZone }));
      // Removing shifts later entries down: the window's remainder always starts at `from`.
      const pageSize = Math.max(1, deps.limits.maxPageLimit);
      let removed = 0;
      while (removed < range.to - range.from) {
        const page = await deps.engine.suppressions.list({ offset: range.from, limit: Math.min(pageSize, range.to - range.from - removed) });
        if (page.items.length === 0) break;
        await deps.engine.suppressions.remove(page.items.map((e) => e.email));
        removed += page.items.length;
      }
      return { info: { count: removed } };
    },
  }),

  ...moduleActions('bounce', {
    async list(params, ctx) {
      const { start, limit } = paging(params, ctx.deps.limits.maxPageLimit);
      const rows = (await bounces(ctx.deps, params, ctx, start + limit)).slice(start);
      return {
        info: listInfo(
          rows.map((r) => {
            const failed = failedAt(r.state);
            return { email: r.recipient, reason: failed.reason, bounceTime: sendCloudTime(failed.at, ctx.deps.timeZone), domain: domainOf(r.recipient) };
          }),
        ),
      };
    },

    async delete(params, ctx) {
      requireTarget(params);
      const email = optionalEmail(params);
      const invalid = managementStores(ctx.deps).invalidAddresses;
      if (email !== undefined) {
        const found = (await bounces(ctx.deps, params, ctx, 1)).length;
        await invalid.dismiss(email);
        return { info: { count: found } };
      }
      const rows = await bounces(ctx.deps, params, ctx, SCAN_MAX_ROWS_READ);
      const addresses = [...new Set(rows.map((r) => normalizeEmail(r.recipient)))];
      for (const address of addresses) await invalid.dismiss(address);
      return { info: { count: addresses.length } };
    },

    async count(params, ctx) {
      const window = dateWindow(params, { nowMs: ctx.nowMs, timeZone: ctx.deps.timeZone });
      const today = calendarDate(ctx.nowMs, ctx.deps.timeZone);
      const report = await ctx.deps.engine.statistics.report(window ?? { startDate: today, endDate: today });
      return { info: { count: report.overall.bounceCount } };
    },
  }),

  ...moduleActions('spamreported', {
    async list(params, ctx) {
      optionalEmail(params);
      dateWindow(params, { nowMs: ctx.nowMs, timeZone: ctx.deps.timeZone });
      paging(params, ctx.deps.limits.maxPageLimit);
      return { info: listInfo([], 0) };
    },
  }),
];
