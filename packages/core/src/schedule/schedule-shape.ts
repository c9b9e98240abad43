import { validateCron } from './cron.ts';
import { ScheduleError } from './schedule-error.ts';
import { isEpochMs, isSchedulableMs, SCHEDULE_OK, type ScheduleCheck, scheduleProblem, type TaskSchedule } from './task-schedule.ts';
import { isValidTimeZone } from './zoned-time.ts';

/** Longest accepted interval: 100 years of hours, which keeps every product below the `Date` range. */
export const MAX_INTERVAL_HOURS = 876_000;

// A planned instant (`at`, `beginAt`) must be writable as "YYYY-MM-DD hh:mm:ss" in every zone;
// `endAt` is only a bound, never written, so any `Date` instant will do (occurrences stop at
// LATEST_SCHEDULE_MS whatever it says).
function checkTime(field: string, value: unknown): ScheduleCheck {
  return typeof value === 'number' && isSchedulableMs(value)
    ? SCHEDULE_OK
    : scheduleProblem('InvalidTime', `${field} must be an integral epoch-ms instant in years 0000 to 9999, got ${JSON.stringify(value)}`);
}

function checkBound(field: string, value: unknown): ScheduleCheck {
  return typeof value === 'number' && isEpochMs(value)
    ? SCHEDULE_OK
    : scheduleProblem('InvalidTime', `${field} must be an integral epoch-ms instant, got ${JSON.stringify(value)}`);
}

function checkBounds(schedule: { beginAt?: number; endAt?: number; maxOccurrences?: number }): ScheduleCheck {
  if (schedule.beginAt !== undefined) {
    const begin = checkTime('beginAt', schedule.beginAt);
    if (!begin.ok) return begin;
  }
  if (schedule.endAt !== undefined) {
    const end = checkBound('endAt', schedule.endAt);
    if (!end.ok) return end;
    if (schedule.beginAt !== undefined && schedule.endAt < schedule.beginAt) {
      return scheduleProblem('EmptySchedule', 'endAt is before beginAt');
    }
  }
  const max = schedule.maxOccurrences;
  if (max !== undefined && !(Number.isSafeInteger(max) && max >= 1)) {
    return scheduleProblem('InvalidLimit', `maxOccurrences must be a positive integer, got ${JSON.stringify(max)}`);
  }
  return SCHEDULE_OK;
}

/**
 * Checks every field of a schedule (types, ranges, zone, cron syntax) without computing any
 * occurrence. Guarantees the occurrence math neither loops forever nor leaves the `Date` range on
 * a schedule it accepts, and that `at` / `beginAt` lie in years 0000–9999 in every zone
 * (`isSchedulableMs`). Safe on untrusted JSON (unknown kinds are refused).
 */
export function checkScheduleShape(schedule: TaskSchedule): ScheduleCheck {
  switch (schedule?.kind) {
    case 'now':
      return SCHEDULE_OK;
    case 'once':
      return checkTime('at', schedule.at);
    case 'interval': {
      const { intervalHours } = schedule;
      if (!(Number.isSafeInteger(intervalHours) && intervalHours >= 1 && intervalHours <= MAX_INTERVAL_HOURS)) {
        return scheduleProblem('InvalidInterval', `intervalHours must be an integer from 1 to ${MAX_INTERVAL_HOURS}, got ${JSON.stringify(intervalHours)}`);
      }
      if (!isValidTimeZone(schedule.timeZone)) return scheduleProblem('InvalidTimeZone', `unknown IANA time zone ${JSON.stringify(schedule.timeZone)}`);
      if (schedule.beginAt === undefined) return checkTime('beginAt', schedule.beginAt);
      return checkBounds(schedule);
    }
    case 'cron': {
      const cron = validateCron(schedule.expression, schedule.timeZone);
      return cron.ok ? checkBounds(schedule) : cron;
    }
    default:
      return scheduleProblem('InvalidSchedule', `unknown schedule kind ${JSON.stringify((schedule as { kind?: unknown } | undefined)?.kind)}`);
  }
}

/** Throws `ScheduleError` with the check's code when {@link checkScheduleShape} refuses `schedule`. */
export function assertScheduleShape(schedule: TaskSchedule): void {
  const check = checkScheduleShape(schedule);
  if (!check.ok) throw new ScheduleError(check.code, check.message, { context: { schedule } });
}
