import type { RecipientStatusRow } from '@postmill/store';
import type { ApiDeps } from '../api-deps.ts';
import { invalid } from './aliyun-api-error.ts';

/** Rows read per status query while scanning (the status store's page). */
const SCAN_PAGE = 100;

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
 * Up to `length` delivery rows over `dates` (status store days, oldest first) that `keep` accepts,
 * from `cursor` on. Guarantees: rows come in store order; `next` is where the following page starts
 * (undefined when the range is exhausted), so paging never repeats or skips a row.
 */
export async function scanDeliveries(
  deps: ApiDeps,
  scan: {
    readonly dates: readonly string[];
    readonly recipient?: string | undefined;
    readonly cursor: ScanCursor;
    readonly length: number;
    readonly keep: (row: RecipientStatusRow) => boolean | Promise<boolean>;
  },
): Promise<{ rows: RecipientStatusRow[]; next: ScanCursor | undefined }> {
  const rows: RecipientStatusRow[] = [];
  for (let day = scan.cursor.day; day < scan.dates.length; day++) {
    const date = scan.dates[day] ?? '';
    for (let offset = day === scan.cursor.day ? scan.cursor.offset : 0; ; offset += SCAN_PAGE) {
      const page = await deps.messages.queryStatus({ date, offset, limit: SCAN_PAGE, ...(scan.recipient === undefined ? {} : { recipient: scan.recipient }) });
      for (const [i, row] of page.entries()) {
        if (!(await scan.keep(row))) continue;
        rows.push(row);
        if (rows.length === scan.length) return { rows, next: { day, offset: offset + i + 1 } };
      }
      if (page.length < SCAN_PAGE) break;
    }
  }
  return { rows, next: undefined };
}
