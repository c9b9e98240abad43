import {
  EngineError,
  firstOccurrence,
  isSchedulableMs,
  isValidTimeZone,
  MAX_INTERVAL_HOURS,
  type Occurrence,
  parseTencentDateTime,
  ScheduleError,
  type TaskSchedule,
  validateCron,
  validateSchedule,
} from '@postmill/core';
import type { LocalDateTime, ScheduleField, ScheduleInput } from './schedule-input.ts';

/**
 * How far in the past a `beginAt` may be and still count as "now": a minute, for clock skew
 * between the caller and the server (and the time a request spends in transit).
 */
export const BEGIN_AT_GRACE_MS = 60_000;

/** The context of a schedule planned for a request: when it was accepted, and the zone its times default to. */
export interface ScheduleContext {
  readonly nowMs: number;
  /** The deployment's zone (SCHEDULE_TIMEZONE), for a schedule that names none. */
  readonly timeZone: string;
}

/** A campaign's schedule as stored, and its first run. */
export interface PlannedSchedule {
  readonly schedule: TaskSchedule;
  readonly first: Occurrence;
}

function badZone(timeZone: string): EngineError {
  return new EngineError('invalid-input', (f) => `${f('schedule')}: unknown IANA time zone ${JSON.stringify(timeZone)}`, {
    context: { field: 'schedule.timeZone' },
  });
}

/** The zone the schedule's times are read in: its own (refused when not an IANA zone) or the deployment's. */
function zoneOf(input: { readonly timeZone?: string }, context: ScheduleContext): string {
  if (input.timeZone === undefined) return context.timeZone;
  if (!isValidTimeZone(input.timeZone)) throw badZone(input.timeZone);
  return input.timeZone;
}

/**
 * A local date-time read in `timeZone`: refused (`invalid-date`, `format`) unless it is
 * "YYYY-MM-DD hh:mm:ss" with a real calendar date and a wall time that exists in the zone (the hour
 * skipped when DST starts is refused, not shifted: a requested time must mean what it says). The
 * hour repeated when DST ends reads as its earlier instant.
 */
function localTime(value: LocalDateTime, field: ScheduleField, timeZone: string): number {
  const at = parseTencentDateTime(value, timeZone);
  if (at === undefined) {
    throw new EngineError('invalid-date', (f) => `${f(field)} must be a time "YYYY-MM-DD hh:mm:ss" that exists in ${timeZone}.`, {
      context: { field, problem: 'format' },
    });
  }
  return at;
}

/**
 * A begin: a local time (see {@link localTime}) that is not in the past (`invalid-date`, `past`;
 * with {@link BEGIN_AT_GRACE_MS} of grace, and clamped to now) and is a plannable instant
 * (`invalid-date`, `range`): before 9999-12-31 00:00:00 UTC, so every zone still writes it as a
 * day of year 9999 (UTC−12 is still on 9999-12-30 then, UTC+14 on 9999-12-31). An end needs no
 * such check: it only bounds the slots, which stop before year 10000 anyway.
 */
function beginTime(value: LocalDateTime, timeZone: string, nowMs: number): number {
  const field = 'schedule.beginAt';
  const at = localTime(value, field, timeZone);
  if (at < nowMs - BEGIN_AT_GRACE_MS) {
    throw new EngineError('invalid-date', (f) => `${f(field)} is in the past.`, { context: { field, problem: 'past' } });
  }
  if (!isSchedulableMs(at)) {
    throw new EngineError('invalid-date', (f) => `${f(field)} must be before 9999-12-31 00:00:00 UTC (a time every zone still writes in year 9999).`, {
      context: { field, problem: 'range' },
    });
  }
  return Math.max(at, nowMs);
}

function bounds(input: { readonly endAt?: LocalDateTime; readonly runs?: number }, timeZone: string): { endAt?: number; maxOccurrences?: number } {
  return {
    ...(input.endAt === undefined ? {} : { endAt: localTime(input.endAt, 'schedule.endAt', timeZone) }),
    ...(input.runs === undefined ? {} : { maxOccurrences: input.runs }),
  };
}

/**
 * The stored form of a schedule. Refuses, in this order: for `every`, an `intervalHours` that is
 * not a whole number from 1 to MAX_INTERVAL_HOURS (`invalid-input`); an unknown `timeZone`, and
 * for `cron` an expression `validateCron` refuses (`invalid-input`, the message quoting its reason);
 * then a `beginAt` that is malformed, does not exist in the zone, lies in the past or in the last
 * day of year 9999 (`invalid-date`: `format`, `past`, `range`); then a malformed `endAt`.
 */
export function resolveSchedule(input: ScheduleInput, context: ScheduleContext): TaskSchedule {
  switch (input.kind) {
    case 'now':
      return { kind: 'now' };
    case 'once': {
      const timeZone = zoneOf(input, context);
      return { kind: 'once', at: beginTime(input.beginAt, timeZone, context.nowMs) };
    }
    case 'every': {
      const hours = input.intervalHours;
      if (!(Number.isSafeInteger(hours) && hours >= 1 && hours <= MAX_INTERVAL_HOURS)) {
        throw new EngineError('invalid-input', (f) => `${f('schedule.intervalHours')} must be a whole number of hours from 1 to ${MAX_INTERVAL_HOURS}.`, {
          context: { field: 'schedule.intervalHours' },
        });
      }
      const timeZone = zoneOf(input, context);
      const beginAt = beginTime(input.beginAt, timeZone, context.nowMs);
      return { kind: 'interval', beginAt, intervalHours: hours, timeZone, ...bounds(input, timeZone) };
    }
    case 'cron': {
      const timeZone = input.timeZone ?? context.timeZone;
      const check = validateCron(input.expression, timeZone);
      if (!check.ok) {
        throw new EngineError('invalid-input', (f) => `${f('schedule')}: ${check.message}`, {
          context: { field: check.code === 'InvalidTimeZone' ? 'schedule.timeZone' : 'schedule.expression' },
        });
      }
      const beginAt = input.beginAt === undefined ? context.nowMs : beginTime(input.beginAt, timeZone, context.nowMs);
      return { kind: 'cron', expression: input.expression, timeZone, beginAt, ...bounds(input, timeZone) };
    }
    default:
      throw new EngineError('invalid-input', `The schedule kind ${JSON.stringify((input as { kind?: unknown }).kind)} is not now, once, every or cron.`, {
        context: { field: 'schedule' },
      });
  }
}

function badSchedule(why: string, cause?: unknown): EngineError {
  return new EngineError('invalid-input', `The schedule is invalid: ${why}.`, { context: { field: 'schedule' }, ...(cause === undefined ? {} : { cause }) });
}

/**
 * The first run of a stored schedule. Guarantees the schedule passes `validateSchedule` and has an
 * occurrence, so the occurrence math never throws on it later; whatever it refuses (an end before
 * the begin, `runs` below 1, no occurrence before the end of year 9999, an expression cron-parser
 * gives up on) is the caller's `invalid-input` (field `schedule`), never an internal error.
 */
export function firstRun(schedule: TaskSchedule, nowMs: number): Occurrence {
  let first: Occurrence | undefined;
  try {
    const check = validateSchedule(schedule);
    if (!check.ok) {
      throw badSchedule(
        check.code === 'EmptySchedule'
          ? 'it has no occurrence before the end of year 9999 (check the end, the most occurrences and the expression)'
          : check.message,
      );
    }
    first = firstOccurrence(schedule, nowMs);
  } catch (err) {
    // The schedule math refuses what validation let through (e.g. cron-parser giving up on an
    // expression): still the caller's bad input, not a server fault.
    if (err instanceof ScheduleError) throw badSchedule(err.message, err);
    throw err;
  }
  if (!first)
    throw new EngineError('invalid-input', 'The schedule has no occurrence (an end before the begin, or at most 0 occurrences).', {
      context: { field: 'schedule' },
    });
  return first;
}

/**
 * Plans a campaign's schedule: its stored form ({@link resolveSchedule}) and its first run
 * ({@link firstRun}). Guarantees a planned schedule has a first run between now and the end of
 * year 9999, and that its later runs can be computed without error.
 */
export function planSchedule(input: ScheduleInput, context: ScheduleContext): PlannedSchedule {
  const schedule = resolveSchedule(input, context);
  return { schedule, first: firstRun(schedule, context.nowMs) };
}
