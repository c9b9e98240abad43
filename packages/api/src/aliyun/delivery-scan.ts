import { isEngineError } from '@postmill/core';
import type { DeliveryRow } from '@postmill/engine';
import type { ApiDeps } from '../api-deps.ts';
import { invalid } from './aliyun-api-error.ts';

/** Rows read per engine page while scanning (at most the deployment's `maxPageLimit`). */
const SCAN_PAGE = 100;

/**
 * Most status rows one call reads, matching or not (ten store pages). A filter the status index
 * cannot answer (sender, status, tag, keyword) is applied to the rows as they are read, so without
 * a bound a sparse filter would read a whole day of a million messages in one call. With it, a call
 * costs at most this many rows and may answer fewer than `Length` rows (even none) with a
 * `NextStart`: DirectMail's paging is by cursor, and its clients read on while `NextStart` is set.
 */
export const SCAN_MAX_ROWS_READ = 1_000;

/** A position in a scan over days: the day's index in the range and the row offset within it. */
export interface ScanCursor {
  readonly day: number;
  readonly offset: number;
}

/** Reads a `NextStart` written by `formatCursor` (absent: the start). */
export function parseCursor(name: string, text: string | undefined): ScanCursor {
  if (text === undefined) return { day: 0, offset: 0 };
  const m = /^(\d{1,3})_(\d{1,9})$/u.exec(text);
  if (!m) throw invalid(name, 'pass back the NextStart of the previous page.');
  return { day: Number(m[1]), offset: Number(m[2]) };
}

export function formatCursor(c: ScanCursor): string {
  return `${c.day}_${c.offset}`;
}

/**
 * Up to `length` delivery rows of single messages over `dates` (oldest first) that `keep`
 * accepts, from `cursor` on, reading at most `maxRowsRead` rows (default SCAN_MAX_ROWS_READ) through
 * the engine's day pages (deliveries.byDate). Guarantees: rows come in the engine's order; `next` is
 * where the following page starts (undefined when the range is exhausted), so paging never repeats
 * or skips a row; a call's cost is bounded by `maxRowsRead` whatever the filter and the day's
 * volume; a day outside the status retention (the engine refuses it) has no rows.
 */
export async function scanDeliveries(
  deps: ApiDeps,
  scan: {
    readonly dates: readonly string[];
    readonly recipient?: string | undefined;
    readonly cursor: ScanCursor;
    readonly length: number;
    readonly keep: (row: DeliveryRow) => boolean | Promise<boolean>;
    readonly maxRowsRead?: number;
  },
): Promise<{ rows: DeliveryRow[]; next: ScanCursor | undefined }> {
  const rows: DeliveryRow[] = [];
  const pageSize = Math.max(1, Math.min(SCAN_PAGE, deps.limits.maxPageLimit));
  let budget = Math.max(1, scan.maxRowsRead ?? SCAN_MAX_ROWS_READ);
  for (let day = scan.cursor.day; day < scan.dates.length; day++) {
    const date = scan.dates[day] ?? '';
    for (let offset = day === scan.cursor.day ? scan.cursor.offset : 0; ; ) {
      if (budget === 0) return { rows, next: { day, offset } };
      const limit = Math.min(pageSize, budget);
      const page = await dayPage(deps, { date, offset, limit, ...(scan.recipient === undefined ? {} : { recipient: scan.recipient }) });
      budget -= page.length;
      for (const [i, row] of page.entries()) {
        if (!(await scan.keep(row))) continue;
        rows.push(row);
        if (rows.length === scan.length) return { rows, next: { day, offset: offset + i + 1 } };
      }
      if (page.length < limit) break;
      offset += page.length;
    }
  }
  return { rows, next: undefined };
}

/** A page of the day's single messages; none for a day outside the status retention. */
async function dayPage(deps: ApiDeps, q: { date: string; offset: number; limit: number; recipient?: string }): Promise<DeliveryRow[]> {
  try {
    return await deps.engine.deliveries.byDate({ ...q, source: 'message' });
  } catch (err) {
    if (isEngineError(err, 'invalid-date') && err.context.problem === 'retention') return [];
    throw err;
  }
}
