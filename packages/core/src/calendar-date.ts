// Building an Intl.DateTimeFormat costs ~0.1 ms and native (ICU) memory the GC does not see, while
// formatting with a built one costs about a microsecond; campaigns ask for dates per chunk and per
// statistics event, so formatters are kept, one per zone (a deployment uses one or a few zones).
const formatters = new Map<string, Intl.DateTimeFormat>();

// The last answer, by whole second: zone offsets are whole seconds, so a date never changes within
// one, and the API asks for the date of every message it accepts (thousands per second).
let last = { second: Number.NaN, timeZone: '', date: '' };

/** The calendar date (YYYY-MM-DD) of `epochMs` in `timeZone` (an IANA name). Throws RangeError for an unknown zone. */
export function calendarDate(epochMs: number, timeZone: string): string {
  const second = Math.floor(epochMs / 1000);
  if (second === last.second && timeZone === last.timeZone) return last.date;
  const date = formatDate(epochMs, timeZone);
  last = { second, timeZone, date };
  return date;
}

function formatDate(epochMs: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(epochMs);
}

/** True when `value` is a real YYYY-MM-DD date. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/u.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/**
 * The calendar date after `value` (a YYYY-MM-DD date, `isCalendarDate`), as YYYY-MM-DD; undefined
 * after 9999-12-31 (a five-digit year cannot be written) or for anything that is not such a date.
 */
export function nextCalendarDate(value: string): string | undefined {
  if (!isCalendarDate(value)) return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  const year = d.getUTCFullYear();
  return year > 9999 ? undefined : d.toISOString().slice(0, 10);
}
