import {
  MAX_INTERVAL_HOURS,
  type Occurrence,
  ScheduleError,
  type TaskSchedule,
  type TaskScheduleParams,
  ValidationError,
  firstOccurrence,
  isSchedulableMs,
  parseTencentDateTime,
  validateCron,
  validateSchedule,
} from '@postmill/core';
import type { BatchSendEmailInput } from './batch-send-input.ts';

/** How far in the past a BeginTime may be and still count as "now" (clock skew between caller and server). */
const BEGIN_TIME_GRACE_MS = 60_000;

function dateTime(value: string, field: string, timeZone: string): number {
  const at = parseTencentDateTime(value, timeZone);
  if (at === undefined) {
    throw new ValidationError('InvalidParameterValue', `\`${field}\` must be a time "YYYY-MM-DD hh:mm:ss" that exists in ${timeZone}.`, {
      context: { field, value },
    });
  }
  return at;
}

function notBeforeNow(at: number, field: string, nowMs: number): void {
  if (at < nowMs - BEGIN_TIME_GRACE_MS) {
    throw new ValidationError('InvalidParameterValue.BeginTimeBeforeNow', `\`${field}\` is in the past.`);
  }
}

/**
 * A BeginTime: a time that exists in the zone, is not in the past (`BeginTimeBeforeNow`, with a
 * minute of grace for clock skew) and is a plannable instant, i.e. before 9999-12-31
 * 00:00:00 UTC, so every zone (the deployment's, where ListSendTasks writes NextRunTime) shows it
 * within year 9999. An EndTime needs no such check: it only bounds the slots, which stop there.
 */
function beginTime(value: string, field: string, timeZone: string, nowMs: number): number {
  const at = dateTime(value, field, timeZone);
  notBeforeNow(at, field, nowMs);
  if (!isSchedulableMs(at)) {
    throw new ValidationError('InvalidParameterValue', `\`${field}\` must be before 9999-12-31 00:00:00 UTC (a time every zone still writes in year 9999).`, {
      context: { field, value },
    });
  }
  return at;
}

/** A schedule read from a BatchSendEmail request, with its first run. */
export interface BatchSchedule {
  readonly schedule: TaskSchedule;
  readonly params: TaskScheduleParams;
  /** Run 1 (for TaskType 1: the acceptance time). */
  readonly first: Occurrence;
}

/**
 * Turns TaskType + TimedParam / CycleParam / CronParam into a schedule and its first run, with
 * Tencent's errors. Times are read in `timeZone` (SCHEDULE_TIMEZONE) unless CronParam.TimeZone
 * says otherwise. `CycleParam.TermCycle = 1` means the recurrence is terminated: only the first
 * occurrence runs. Guarantees the schedule returned passes `validateSchedule` and every instant it
 * plans lies before 9999-12-31 00:00:00 UTC (later slots do not exist), so the occurrence math
 * never throws on it and ListSendTasks can write every time it holds. Whatever it refuses
 * (EndTime before BeginTime, IntervalTime 0 or over 100 years, a BeginTime past year 9999, no
 * occurrence at all) is the caller's `InvalidParameterValue`, never an internal error.
 */
export function scheduleFromInput(input: BatchSendEmailInput, timeZone: string, nowMs: number): BatchSchedule {
  const result = buildSchedule(input, timeZone, nowMs);
  let first: Occurrence | undefined;
  try {
    const check = validateSchedule(result.schedule);
    if (!check.ok) {
      const why = check.code === 'EmptySchedule' ? 'it has no occurrence before the end of year 9999 (check EndTime, MaxOccurrences and the expression)' : check.message;
      throw new ValidationError('InvalidParameterValue', `The schedule is invalid: ${why}.`, { context: { code: check.code } });
    }
    first = firstOccurrence(result.schedule, nowMs);
  } catch (err) {
    // The schedule math refuses what validation let through (e.g. cron-parser giving up on an
    // expression): still the caller's bad input, not a server fault.
    if (err instanceof ScheduleError) throw new ValidationError('InvalidParameterValue', `The schedule is invalid: ${err.message}.`, { cause: err });
    throw err;
  }
  if (!first) throw new ValidationError('InvalidParameterValue', 'The schedule has no occurrence (EndTime before BeginTime, or MaxOccurrences 0).');
  return { ...result, first };
}

function buildSchedule(input: BatchSendEmailInput, timeZone: string, nowMs: number): { schedule: TaskSchedule; params: TaskScheduleParams } {
  switch (input.TaskType) {
    case 1:
      return { schedule: { kind: 'now' }, params: {} };
    case 2: {
      if (!input.TimedParam?.BeginTime) throw new ValidationError('MissingParameter.TimedParamNecessary', 'TaskType 2 needs `TimedParam.BeginTime`.');
      const at = beginTime(input.TimedParam.BeginTime, 'TimedParam.BeginTime', timeZone, nowMs);
      return { schedule: { kind: 'once', at: Math.max(at, nowMs) }, params: { TimedParam: input.TimedParam } };
    }
    case 3: {
      if (input.CronParam) {
        const tz = input.CronParam.TimeZone ?? timeZone;
        const check = validateCron(input.CronParam.Expression, tz);
        if (!check.ok) throw new ValidationError('InvalidParameterValue', `\`CronParam\`: ${check.message}`);
        const beginAt = input.CronParam.BeginTime ? beginTime(input.CronParam.BeginTime, 'CronParam.BeginTime', tz, nowMs) : nowMs;
        const endAt = input.CronParam.EndTime ? dateTime(input.CronParam.EndTime, 'CronParam.EndTime', tz) : undefined;
        return {
          schedule: {
            kind: 'cron',
            expression: input.CronParam.Expression,
            timeZone: tz,
            beginAt: Math.max(beginAt, nowMs),
            ...(endAt !== undefined ? { endAt } : {}),
            ...(input.CronParam.MaxOccurrences !== undefined ? { maxOccurrences: input.CronParam.MaxOccurrences } : {}),
          },
          params: { CronParam: input.CronParam },
        };
      }
      const cycle = input.CycleParam;
      // IntervalTime 0 counts as absent, as an unset integer does in Tencent's API.
      if (!cycle?.BeginTime || !cycle.IntervalTime) {
        throw new ValidationError('MissingParameter.CycleParamNecessary', 'TaskType 3 needs `CycleParam.BeginTime` and `CycleParam.IntervalTime` (hours), or the `CronParam` extension.');
      }
      if (cycle.IntervalTime > MAX_INTERVAL_HOURS) {
        throw new ValidationError('InvalidParameterValue', `\`CycleParam.IntervalTime\` must be a whole number of hours from 1 to ${MAX_INTERVAL_HOURS}.`, {
          context: { intervalTime: cycle.IntervalTime },
        });
      }
      const beginAt = beginTime(cycle.BeginTime, 'CycleParam.BeginTime', timeZone, nowMs);
      const endAt = cycle.EndTime ? dateTime(cycle.EndTime, 'CycleParam.EndTime', timeZone) : undefined;
      const maxOccurrences = cycle.TermCycle === 1 ? 1 : cycle.MaxOccurrences;
      return {
        schedule: {
          kind: 'interval',
          beginAt: Math.max(beginAt, nowMs),
          intervalHours: cycle.IntervalTime,
          timeZone,
          ...(endAt !== undefined ? { endAt } : {}),
          ...(maxOccurrences !== undefined ? { maxOccurrences } : {}),
        },
        params: { CycleParam: cycle },
      };
    }
    default:
      throw new ValidationError('InvalidParameterValue', '`TaskType` must be 1 (now), 2 (at TimedParam.BeginTime) or 3 (recurring).');
  }
}
