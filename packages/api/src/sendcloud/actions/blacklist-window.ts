import type { BlacklistEntry } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';
import type { DateWindow } from './management-values.ts';

async function entryAt(deps: ApiDeps, index: number): Promise<BlacklistEntry | undefined> {
  return (await deps.engine.suppressions.list({ offset: index, limit: 1 })).items[0];
}

/** The first index in [0, total) whose entry was created at or after `time` (`YYYY-MM-DD hh:mm:ss`), or total. */
async function firstAtOrAfter(deps: ApiDeps, total: number, time: string): Promise<number> {
  let lo = 0;
  let hi = total;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const entry = await entryAt(deps, mid);
    if (entry === undefined || entry.createTime >= time) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The positions [from, to) of the blacklist entries (SendCloud's unsubscribes) created within
 * `window`, in the blacklist's id order. Entries are numbered as they are created, so id order is
 * creation order and the bounds are found by binary search: O(log n) one-row reads, never a scan
 * (two adds in the same second may be numbered against their times; both fall in the same second).
 */
export async function blacklistRange(deps: ApiDeps, window: DateWindow | undefined): Promise<{ from: number; to: number }> {
  const total = (await deps.engine.suppressions.list({ offset: 0, limit: 1 })).total;
  if (window === undefined) return { from: 0, to: total };
  const from = await firstAtOrAfter(deps, total, `${window.startDate} 00:00:00`);
  const to = await firstAtOrAfter(deps, total, `${window.endDate} 23:59:60`);
  return { from, to: Math.max(from, to) };
}

/** The entry for exactly `email` (case-insensitive), or undefined; one page of the blacklist's substring match. */
export async function blacklistEntry(deps: ApiDeps, email: string): Promise<BlacklistEntry | undefined> {
  const page = await deps.engine.suppressions.list({ offset: 0, limit: Math.max(1, deps.limits.maxPageLimit), email });
  return page.items.find((e) => e.email.toLowerCase() === email.toLowerCase());
}
