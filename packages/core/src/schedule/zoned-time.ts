import { IANAZone } from 'luxon';
import { ScheduleError } from './schedule-error.ts';
import { DAY_MS, MAX_EPOCH_MS, MINUTE_MS } from './task-schedule.ts';

/**
 * Wall-clock arithmetic in IANA zones. A "wall clock" here is the local date-time of a zone encoded
 * as if it were UTC (so `Date.UTC(2025, 2, 30, 2, 30)` is "2025-03-30 02:30" on some zone's
 * clock); calendar arithmetic on it is plain UTC arithmetic, and converting it back to an instant
 * is where DST gaps and overlaps are decided, in one place.
 */

/** Tencent never states the zone of its times; Tencent Cloud uses Beijing time (reference §7 item 5). */
export const TENCENT_TIME_ZONE = 'Asia/Shanghai';

// Memo of zones known to be valid: luxon's isValidZone builds an Intl.DateTimeFormat per call,
// which dominated every offset lookup. Only valid names are kept (a few hundred exist), so
// arbitrary caller strings cannot grow it.
const knownZones = new Set<string>();

/** True when `timeZone` is an IANA zone name this runtime knows (e.g. `Europe/Berlin`, `UTC`); fixed offsets like `UTC+8` are refused. */
export function isValidTimeZone(timeZone: string): boolean {
  if (knownZones.has(timeZone)) return true;
  const valid = typeof timeZone === 'string' && timeZone !== '' && IANAZone.isValidZone(timeZone);
  if (valid) knownZones.add(timeZone);
  return valid;
}

function zone(timeZone: string): IANAZone {
  if (!isValidTimeZone(timeZone)) {
    throw new ScheduleError('InvalidTimeZone', `unknown IANA time zone ${JSON.stringify(timeZone)}`, { context: { timeZone } });
  }
  // IANAZone.create caches one instance per name; only reached for valid names.
  return IANAZone.create(timeZone);
}

function inDateRange(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_EPOCH_MS - 2 * DAY_MS;
}

/** UTC offset of `timeZone` at `epochMs`, in ms (rounded: pre-1900 LMT offsets have seconds). */
export function offsetMs(epochMs: number, timeZone: string): number {
  return Math.round(zone(timeZone).offset(epochMs) * MINUTE_MS);
}

/** The wall clock of `timeZone` at `epochMs`. */
export function wallClockOf(epochMs: number, timeZone: string): number {
  return epochMs + offsetMs(epochMs, timeZone);
}

/**
 * Every instant at which `timeZone`'s clock shows `wallMs`, ascending: one normally, two in a
 * DST overlap (fall back), none in a DST gap (spring forward). Offsets are sampled a day either
 * side, which covers every real zone (no zone changes offset twice within 48 h).
 */
export function instantsAtWallClock(wallMs: number, timeZone: string): number[] {
  if (!inDateRange(wallMs)) return [];
  const offsets = new Set([offsetMs(wallMs - DAY_MS, timeZone), offsetMs(wallMs, timeZone), offsetMs(wallMs + DAY_MS, timeZone)]);
  const instants = new Set<number>();
  for (const offset of offsets) {
    const candidate = wallMs - offset;
    if (wallClockOf(candidate, timeZone) === wallMs) instants.add(candidate);
  }
  return [...instants].sort((a, b) => a - b);
}

/**
 * The instant a schedule means by `wallMs` in `timeZone`. Guarantees:
 * - overlap (the hour repeated when clocks go back): the EARLIER instant, i.e. the first time the
 *   clock shows it (what cron does, and Temporal's/java.time's default);
 * - gap (the hour skipped when clocks go forward): shifted forward by the gap length, so
 *   "02:30" on a day Berlin jumps 02:00→03:00 means 03:30 (what cron-parser and luxon do).
 * Undefined only outside the `Date` range.
 */
export function resolveWallClock(wallMs: number, timeZone: string): number | undefined {
  if (!inDateRange(wallMs)) return undefined;
  const instants = instantsAtWallClock(wallMs, timeZone);
  if (instants[0] !== undefined) return instants[0];
  // In a gap, reading the wall time with the offset in force before the gap lands just after it.
  return wallMs - offsetMs(wallMs - DAY_MS, timeZone);
}
