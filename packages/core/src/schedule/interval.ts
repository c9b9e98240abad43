import { DAY_MS, HOUR_MS, isSchedulableMs, type TaskSchedule } from './task-schedule.ts';
import { resolveWallClock, wallClockOf } from './zoned-time.ts';

export type IntervalSchedule = Extract<TaskSchedule, { kind: 'interval' }>;

/**
 * How "every IntervalTime hours" is counted (Tencent only says "任务周期 小时维度"):
 * - a multiple of 24 means CALENDAR DAYS in the schedule's zone: occurrence n is BeginTime's wall
 *   time (n - 1) × (hours / 24) days later, so "every 24 h from 09:00" stays at 09:00 local across
 *   DST (the interval is 23 h or 25 h on change days). Each occurrence is computed from BeginTime,
 *   never from the previous one, so a shifted occurrence does not drift the rest: a wall time in a
 *   spring-forward gap runs shifted forward by the gap (02:30 → 03:30) on that day only, and one in
 *   a repeated hour runs at its first instance (see `resolveWallClock`);
 * - any other value means ABSOLUTE hours: occurrence n is BeginTime + (n - 1) × hours × 3 600 000 ms,
 *   so "every hour" stays evenly spaced and the local clock reading jumps or repeats across DST.
 */
export function usesCalendarDays(intervalHours: number): boolean {
  return intervalHours % 24 === 0;
}

/**
 * Instant of occurrence `n` (1-based) ignoring `endAt`/`maxOccurrences`; undefined past
 * `LATEST_SCHEDULE_MS` (the schedule has ended there: no slot is planned after year 9999).
 */
export function intervalInstant(schedule: IntervalSchedule, n: number): number | undefined {
  const steps = n - 1;
  let at: number | undefined;
  if (usesCalendarDays(schedule.intervalHours)) {
    const wallMs = wallClockOf(schedule.beginAt, schedule.timeZone) + steps * (schedule.intervalHours / 24) * DAY_MS;
    at = resolveWallClock(wallMs, schedule.timeZone);
  } else {
    at = schedule.beginAt + steps * schedule.intervalHours * HOUR_MS;
  }
  return at !== undefined && isSchedulableMs(at) ? at : undefined;
}

/**
 * The number of the first occurrence strictly after `afterMs` (ignoring limits), in O(1): the
 * nominal step gives the answer for absolute hours and a guess off by at most one for calendar
 * days (DST moves an occurrence by hours, a step is at least a day), which is then corrected.
 */
export function intervalIndexAfter(schedule: IntervalSchedule, afterMs: number): number {
  if (afterMs < schedule.beginAt) return 1;
  const stepMs = schedule.intervalHours * HOUR_MS;
  let n = Math.floor((afterMs - schedule.beginAt) / stepMs) + 2;
  if (!usesCalendarDays(schedule.intervalHours)) return n;
  for (;;) {
    const previous = n > 1 ? intervalInstant(schedule, n - 1) : undefined;
    if (previous === undefined || previous <= afterMs) break;
    n -= 1;
  }
  for (;;) {
    const at = intervalInstant(schedule, n);
    if (at === undefined || at > afterMs) return n;
    n += 1;
  }
}
