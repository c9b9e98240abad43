import { EngineError, type ErrorKind, isEngineError, type TaskScheduleParams } from '@postmill/core';
import type { ScheduleField, ScheduleInput } from '@postmill/engine';
import type { BatchSendEmailInput } from './batch-send-input.ts';
import { TencentApiError } from './tencent-api-error.ts';

/** The request parameter a BatchSendEmail schedule is read from. */
export type ScheduleParam = 'TimedParam' | 'CycleParam' | 'CronParam';

/** A schedule read from a BatchSendEmail request. */
export interface BatchSchedule {
  /** The engine's schedule (its rules are the engine's: `campaigns.create`). */
  readonly schedule: ScheduleInput;
  /** The parameters as the caller wrote them, echoed by ListSendTasks. */
  readonly params: TaskScheduleParams;
  /** Where the schedule came from (none for TaskType 1), to name its fields in errors. */
  readonly param?: ScheduleParam;
}

/**
 * Turns TaskType + TimedParam / CycleParam / CronParam into the engine's schedule. Only Tencent's
 * own terms are decided here: the TaskType numbers (an unknown one is `InvalidParameterValue`),
 * which parameter each needs (`MissingParameter.TimedParamNecessary` / `CycleParamNecessary`; an
 * empty BeginTime or IntervalTime 0 counts as absent, as an unset value does in Tencent's API),
 * `CycleParam.TermCycle = 1` (the recurrence is terminated: only the first run happens), and the
 * `CronParam` extension taking precedence over CycleParam. Tencent writes times as the engine
 * reads them ("YYYY-MM-DD hh:mm:ss", in CronParam.TimeZone or else the deployment's zone), so they
 * pass as they are; whether they exist, lie in the past or past year 9999, the interval bounds,
 * the cron expression and the end are the engine's rules.
 */
export function scheduleFromInput(input: BatchSendEmailInput): BatchSchedule {
  switch (input.TaskType) {
    case 1:
      return { schedule: { kind: 'now' }, params: {} };
    case 2: {
      if (!input.TimedParam?.BeginTime) throw new TencentApiError('MissingParameter.TimedParamNecessary', 'TaskType 2 needs `TimedParam.BeginTime`.');
      return { schedule: { kind: 'once', beginAt: input.TimedParam.BeginTime }, params: { TimedParam: input.TimedParam }, param: 'TimedParam' };
    }
    case 3: {
      const cron = input.CronParam;
      if (cron) {
        return {
          schedule: {
            kind: 'cron',
            expression: cron.Expression,
            ...(cron.TimeZone === undefined ? {} : { timeZone: cron.TimeZone }),
            ...(cron.BeginTime ? { beginAt: cron.BeginTime } : {}),
            ...(cron.EndTime ? { endAt: cron.EndTime } : {}),
            ...(cron.MaxOccurrences === undefined ? {} : { runs: cron.MaxOccurrences }),
          },
          params: { CronParam: cron },
          param: 'CronParam',
        };
      }
      const cycle = input.CycleParam;
      if (!cycle?.BeginTime || !cycle.IntervalTime) {
        throw new TencentApiError(
          'MissingParameter.CycleParamNecessary',
          'TaskType 3 needs `CycleParam.BeginTime` and `CycleParam.IntervalTime` (hours), or the `CronParam` extension.',
        );
      }
      const runs = cycle.TermCycle === 1 ? 1 : cycle.MaxOccurrences;
      return {
        schedule: {
          kind: 'every',
          beginAt: cycle.BeginTime,
          intervalHours: cycle.IntervalTime,
          ...(cycle.EndTime ? { endAt: cycle.EndTime } : {}),
          ...(runs === undefined ? {} : { runs }),
        },
        params: { CycleParam: cycle },
        param: 'CycleParam',
      };
    }
    default:
      throw new TencentApiError('InvalidParameterValue', '`TaskType` must be 1 (now), 2 (at TimedParam.BeginTime) or 3 (recurring).');
  }
}

/** The Tencent parameter of each schedule field, under the request's TimedParam / CycleParam / CronParam. */
const PARAM_FIELDS: { readonly [F in Exclude<ScheduleField, 'schedule'>]: string } = {
  'schedule.beginAt': 'BeginTime',
  'schedule.endAt': 'EndTime',
  'schedule.intervalHours': 'IntervalTime',
  'schedule.runs': 'MaxOccurrences',
  'schedule.expression': 'Expression',
  'schedule.timeZone': 'TimeZone',
};

function tencentScheduleName(field: string, param: ScheduleParam): string | undefined {
  if (field === 'schedule') return param;
  const name = (PARAM_FIELDS as Readonly<Record<string, string>>)[field];
  return name === undefined ? undefined : `${param}.${name}`;
}

/**
 * An engine refusal of the schedule with its fields named after the parameter the request used
 * (`schedule.beginAt` is `TimedParam.BeginTime`, `CycleParam.BeginTime` or `CronParam.BeginTime`,
 * which the dialect's one field table cannot tell apart). Code and context are unchanged, so the
 * error table answers it as any other refusal; anything else is returned as it is.
 */
export function inScheduleTerms(err: unknown, param: ScheduleParam | undefined): unknown {
  if (param === undefined || !isEngineError(err)) return err;
  const field = (err.context as { readonly field?: unknown }).field;
  if (typeof field !== 'string' || tencentScheduleName(field, param) === undefined) return err;
  // Tencent's messages write a parameter name in backquotes (field-names.ts, TENCENT_FIELD_NAMER).
  const renamed = new EngineError<ErrorKind>(
    err.kind,
    (f) =>
      err.messageWith((name) => {
        const tencent = tencentScheduleName(name, param);
        return tencent === undefined ? f(name) : `\`${tencent}\``;
      }),
    { context: err.context, cause: err },
  );
  return renamed;
}
