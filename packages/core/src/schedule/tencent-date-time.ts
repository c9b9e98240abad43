import { ScheduleError } from './schedule-error.ts';
import { HOUR_MS, MAX_EPOCH_MS, MINUTE_MS } from './task-schedule.ts';
import { instantsAtWallClock, isValidTimeZone, wallClockOf } from './zoned-time.ts';

const TENCENT_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/u;

/**
 * Reads Tencent's `"YYYY-MM-DD hh:mm:ss"` (e.g. `BeginTime`) as a wall time in `timeZone` (use
 * `TENCENT_TIME_ZONE` when the caller gave none) and returns its epoch ms. Guarantees:
 * - undefined for anything but exactly that shape with a real calendar date and 00–23/00–59/00–59;
 * - undefined for a wall time that does not exist in the zone (the hour skipped when DST starts):
 *   REJECTED rather than shifted like luxon would, because a requested start time must mean what
 *   it says and `formatTencentDateTime` must give back the same text;
 * - for a wall time that occurs twice (the hour repeated when DST ends): the EARLIER instant.
 * Throws `ScheduleError('InvalidTimeZone')` for an unknown zone (a caller bug: check it with
 * `isValidTimeZone` at the API boundary).
 */
export function parseTencentDateTime(value: string, timeZone: string): number | undefined {
  if (!isValidTimeZone(timeZone)) {
    throw new ScheduleError('InvalidTimeZone', `unknown IANA time zone ${JSON.stringify(timeZone)}`, { context: { timeZone } });
  }
  const m = typeof value === 'string' ? TENCENT_DATE_TIME.exec(value) : null;
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const wallMs = date.getTime() + hour * HOUR_MS + minute * MINUTE_MS + second * 1000;
  return instantsAtWallClock(wallMs, timeZone)[0];
}

/**
 * Formats `epochMs` as Tencent's `"YYYY-MM-DD hh:mm:ss"` wall time in `timeZone`, milliseconds
 * truncated. Guarantees `parseTencentDateTime(formatTencentDateTime(t, z), z)` is `t` (to the
 * second) except for the later instant of a repeated DST hour, which reads back as the earlier one.
 * Throws `ScheduleError` for an unknown zone or an instant outside years 0000–9999.
 */
export function formatTencentDateTime(epochMs: number, timeZone: string): string {
  if (!Number.isFinite(epochMs) || Math.abs(epochMs) > MAX_EPOCH_MS) {
    throw new ScheduleError('InvalidTime', `not a representable instant: ${epochMs}`, { context: { epochMs } });
  }
  const wall = new Date(wallClockOf(Math.floor(epochMs), timeZone));
  const year = wall.getUTCFullYear();
  if (!Number.isInteger(year) || year < 0 || year > 9999) {
    throw new ScheduleError('InvalidTime', `year ${year} cannot be written as YYYY`, { context: { epochMs, timeZone } });
  }
  return wall.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * As {@link formatTencentDateTime}, but never throws: undefined for an instant that cannot be
 * written (not finite, outside years 0000–9999 in `timeZone`) or an unknown zone. For renderers
 * that must answer whatever a stored record holds.
 */
export function tryFormatTencentDateTime(epochMs: number, timeZone: string): string | undefined {
  try {
    return formatTencentDateTime(epochMs, timeZone);
  } catch (err) {
    if (err instanceof ScheduleError) return undefined;
    throw err;
  }
}
