import { type TaskSchedule, type TaskScheduleParams, ValidationError, parseTencentDateTime, validateCron, validateSchedule } from '@postmill/core';
import type { BatchSendEmailInput } from './batch-send-input.ts';

/** How far in the past a BeginTime may be and still count as "now" (clock skew between caller and server). */
const BEGIN_TIME_GRACE_MS = 60_000;

function dateTime(value: string, field: string, timeZone: string): number {
  const at = parseTencentDateTime(value, timeZone);
  if (at === undefined) {
    throw new ValidationError('InvalidParameterValue', `\`${field}\` must be a time "YYYY-MM-DD hh:mm:ss" that exists in ${timeZone}.`);
  }
  return at;
}

function notBeforeNow(at: number, field: string, nowMs: number): void {
  if (at < nowMs - BEGIN_TIME_GRACE_MS) {
    throw new ValidationError('InvalidParameterValue.BeginTimeBeforeNow', `\`${field}\` is in the past.`);
  }
}

/**
 * Turns TaskType + TimedParam / CycleParam / CronParam into a schedule, with Tencent's errors.
 * Times are read in `timeZone` (SCHEDULE_TIMEZONE) unless CronParam.TimeZone says otherwise.
 * `CycleParam.TermCycle = 1` means the recurrence is terminated: only the first occurrence runs.
 * Guarantees the schedule returned passes `validateSchedule`, so the occurrence math never throws
 * on it: a schedule it refuses (EndTime before BeginTime, IntervalTime over 100 years, no
 * occurrence at all) is the caller's `InvalidParameterValue`, not an internal error.
 */
export function scheduleFromInput(input: BatchSendEmailInput, timeZone: string, nowMs: number): { schedule: TaskSchedule; params: TaskScheduleParams } {
  const result = buildSchedule(input, timeZone, nowMs);
  const check = validateSchedule(result.schedule);
  if (!check.ok) throw new ValidationError('InvalidParameterValue', `The schedule is invalid: ${check.message}.`);
  return result;
}

function buildSchedule(input: BatchSendEmailInput, timeZone: string, nowMs: number): { schedule: TaskSchedule; params: TaskScheduleParams } {
  switch (input.TaskType) {
    case 1:
      return { schedule: { kind: 'now' }, params: {} };
    case 2: {
      if (!input.TimedParam?.BeginTime) throw new ValidationError('MissingParameter.TimedParamNecessary', 'TaskType 2 needs `TimedParam.BeginTime`.');
      const at = dateTime(input.TimedParam.BeginTime, 'TimedParam.BeginTime', timeZone);
      notBeforeNow(at, 'TimedParam.BeginTime', nowMs);
      return { schedule: { kind: 'once', at: Math.max(at, nowMs) }, params: { TimedParam: input.TimedParam } };
    }
    case 3: {
      if (input.CronParam) {
        const tz = input.CronParam.TimeZone ?? timeZone;
        const check = validateCron(input.CronParam.Expression, tz);
        if (!check.ok) throw new ValidationError('InvalidParameterValue', `\`CronParam\`: ${check.message}`);
        const beginAt = input.CronParam.BeginTime ? dateTime(input.CronParam.BeginTime, 'CronParam.BeginTime', tz) : nowMs;
        if (input.CronParam.BeginTime) notBeforeNow(beginAt, 'CronParam.BeginTime', nowMs);
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
      if (!cycle?.BeginTime || !cycle.IntervalTime) {
        throw new ValidationError('MissingParameter.CycleParamNecessary', 'TaskType 3 needs `CycleParam.BeginTime` and `CycleParam.IntervalTime` (hours), or the `CronParam` extension.');
      }
      const beginAt = dateTime(cycle.BeginTime, 'CycleParam.BeginTime', timeZone);
      notBeforeNow(beginAt, 'CycleParam.BeginTime', nowMs);
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
