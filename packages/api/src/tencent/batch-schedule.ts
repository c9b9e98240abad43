import { isSchedulableMs, MAX_INTERVAL_HOURS, parseTencentDateTime, type TaskSchedule, type TaskScheduleParams, validateCron } from '@postmill/core';
import type { BatchSendEmailInput } from './batch-send-input.ts';
import { TencentApiError } from './tencent-api-error.ts';

/** How far in the past a BeginTime may be and still count as "now" (clock skew between caller and server). */
const BEGIN_TIME_GRACE_MS = 60_000;

function dateTime(value: string, field: string, timeZone: string): number {
  const at = parseTencentDateTime(value, timeZone);
  if (at === undefined) {
    throw new TencentApiError('InvalidParameterValue', `\`${field}\` must be a time "YYYY-MM-DD hh:mm:ss" that exists in ${timeZone}.`, {
      context: { field, value },
    });
  }
  return at;
}

function notBeforeNow(at: number, field: string, nowMs: number): void {
  if (at < nowMs - BEGIN_TIME_GRACE_MS) {
    throw new TencentApiError('InvalidParameterValue.BeginTimeBeforeNow', `\`${field}\` is in the past.`);
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
    throw new TencentApiError('InvalidParameterValue', `\`${field}\` must be before 9999-12-31 00:00:00 UTC (a time every zone still writes in year 9999).`, {
      context: { field, value },
    });
  }
  return at;
}

/** A schedule read from a BatchSendEmail request. */
export interface BatchSchedule {
  readonly schedule: TaskSchedule;
  readonly params: TaskScheduleParams;
}

/**
 * Turns TaskType + TimedParam / CycleParam / CronParam into the engine's schedule, with Tencent's
 * errors for what is malformed in Tencent's own terms (a missing parameter, a time that does not
 * exist, a BeginTime in the past or past year 9999, an unknown TaskType). Times are read in
 * `timeZone` (SCHEDULE_TIMEZONE) unless CronParam.TimeZone says otherwise. `CycleParam.TermCycle = 1`
 * means the recurrence is terminated: only the first occurrence runs. Whether the schedule has an
 * occurrence at all is the engine's check (`campaigns.create`).
 */
export function scheduleFromInput(input: BatchSendEmailInput, timeZone: string, nowMs: number): BatchSchedule {
  return buildSchedule(input, timeZone, nowMs);
}

function buildSchedule(input: BatchSendEmailInput, timeZone: string, nowMs: number): { schedule: TaskSchedule; params: TaskScheduleParams } {
  switch (input.TaskType) {
    case 1:
      return { schedule: { kind: 'now' }, params: {} };
    case 2: {
      if (!input.TimedParam?.BeginTime) throw new TencentApiError('MissingParameter.TimedParamNecessary', 'TaskType 2 needs `TimedParam.BeginTime`.');
      const at = beginTime(input.TimedParam.BeginTime, 'TimedParam.BeginTime', timeZone, nowMs);
      return { schedule: { kind: 'once', at: Math.max(at, nowMs) }, params: { TimedParam: input.TimedParam } };
    }
    case 3: {
      if (input.CronParam) {
        const tz = input.CronParam.TimeZone ?? timeZone;
        const check = validateCron(input.CronParam.Expression, tz);
        if (!check.ok) throw new TencentApiError('InvalidParameterValue', `\`CronParam\`: ${check.message}`);
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
        throw new TencentApiError(
          'MissingParameter.CycleParamNecessary',
          'TaskType 3 needs `CycleParam.BeginTime` and `CycleParam.IntervalTime` (hours), or the `CronParam` extension.',
        );
      }
      if (cycle.IntervalTime > MAX_INTERVAL_HOURS) {
        throw new TencentApiError('InvalidParameterValue', `\`CycleParam.IntervalTime\` must be a whole number of hours from 1 to ${MAX_INTERVAL_HOURS}.`, {
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
      throw new TencentApiError('InvalidParameterValue', '`TaskType` must be 1 (now), 2 (at TimedParam.BeginTime) or 3 (recurring).');
  }
}
