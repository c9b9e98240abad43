import { ManualClock } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode } from './tencent-answer.ts';

// 2026-03-15 10:00:00 in Asia/Shanghai (the harness zone).
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const LA = 'America/Los_Angeles';

/**
 * Every schedule refusal of BatchSendEmail with its exact code and message. The rules are the
 * engine's (campaigns/schedule.ts); these answers are what Tencent callers got when the dialect
 * still checked schedules itself, so they must not change by a byte. The schedule is checked
 * before the sender, list and template, so none of those needs to exist here.
 */
const CASES: readonly { readonly what: string; readonly body: Record<string, unknown>; readonly code: string; readonly message: string }[] = [
  {
    what: 'a TimedParam.BeginTime not written "YYYY-MM-DD hh:mm:ss"',
    body: { TaskType: 2, TimedParam: { BeginTime: '2026/03/20 10:00:00' } },
    code: 'InvalidParameterValue',
    message: '`TimedParam.BeginTime` must be a time "YYYY-MM-DD hh:mm:ss" that exists in Asia/Shanghai.',
  },
  {
    what: 'a TimedParam.BeginTime an hour ago',
    body: { TaskType: 2, TimedParam: { BeginTime: '2026-03-15 09:00:00' } },
    code: 'InvalidParameterValue.BeginTimeBeforeNow',
    message: '`TimedParam.BeginTime` is in the past.',
  },
  {
    what: 'a TimedParam.BeginTime that is 9999-12-31 00:00 UTC',
    body: { TaskType: 2, TimedParam: { BeginTime: '9999-12-31 08:00:00' } },
    code: 'InvalidParameterValue',
    message: '`TimedParam.BeginTime` must be before 9999-12-31 00:00:00 UTC (a time every zone still writes in year 9999).',
  },
  {
    what: 'a CycleParam.IntervalTime over 876 000 hours, before a malformed BeginTime',
    body: { TaskType: 3, CycleParam: { BeginTime: 'soon', IntervalTime: 876_001 } },
    code: 'InvalidParameterValue',
    message: '`CycleParam.IntervalTime` must be a whole number of hours from 1 to 876000.',
  },
  {
    what: 'a CycleParam.BeginTime on 30 February',
    body: { TaskType: 3, CycleParam: { BeginTime: '2026-02-30 10:00:00', IntervalTime: 1 } },
    code: 'InvalidParameterValue',
    message: '`CycleParam.BeginTime` must be a time "YYYY-MM-DD hh:mm:ss" that exists in Asia/Shanghai.',
  },
  {
    what: 'a CycleParam.BeginTime an hour ago',
    body: { TaskType: 3, CycleParam: { BeginTime: '2026-03-15 09:00:00', IntervalTime: 1 } },
    code: 'InvalidParameterValue.BeginTimeBeforeNow',
    message: '`CycleParam.BeginTime` is in the past.',
  },
  {
    what: 'a CycleParam.EndTime that does not exist',
    body: { TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 24, EndTime: '2026-03-16 24:00:00' } },
    code: 'InvalidParameterValue',
    message: '`CycleParam.EndTime` must be a time "YYYY-MM-DD hh:mm:ss" that exists in Asia/Shanghai.',
  },
  {
    what: 'a CycleParam.EndTime before its BeginTime',
    body: { TaskType: 3, CycleParam: { BeginTime: '2026-03-20 10:00:00', IntervalTime: 1, EndTime: '2026-03-19 10:00:00' } },
    code: 'InvalidParameterValue',
    message: 'The schedule is invalid: it has no occurrence before the end of year 9999 (check the end, the most occurrences and the expression).',
  },
  {
    what: 'CycleParam.MaxOccurrences 0',
    body: { TaskType: 3, CycleParam: { BeginTime: '2026-03-20 10:00:00', IntervalTime: 1, MaxOccurrences: 0 } },
    code: 'InvalidParameterValue',
    message: 'The schedule is invalid: maxOccurrences must be a positive integer, got 0.',
  },
  {
    what: 'an unknown CronParam.TimeZone, before a malformed BeginTime',
    body: { TaskType: 3, CronParam: { Expression: '0 9 * * *', TimeZone: 'Mars/Olympus', BeginTime: 'soon' } },
    code: 'InvalidParameterValue',
    message: '`CronParam`: unknown IANA time zone "Mars/Olympus"',
  },
  {
    what: 'a cron expression of two words',
    body: { TaskType: 3, CronParam: { Expression: 'every day' } },
    code: 'InvalidParameterValue',
    message: '`CronParam`: cron expression "every day" must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first)',
  },
  {
    what: 'a cron expression with minute 61',
    body: { TaskType: 3, CronParam: { Expression: '61 * * * *' } },
    code: 'InvalidParameterValue',
    message: '`CronParam`: cron expression "61 * * * *" is invalid: Constraint error, got value 61 expected range 0-59',
  },
  {
    what: 'a CronParam.BeginTime in the hour Europe/Berlin skips',
    body: { TaskType: 3, CronParam: { Expression: '0 9 * * *', TimeZone: 'Europe/Berlin', BeginTime: '2026-03-29 02:30:00' } },
    code: 'InvalidParameterValue',
    message: '`CronParam.BeginTime` must be a time "YYYY-MM-DD hh:mm:ss" that exists in Europe/Berlin.',
  },
  {
    what: 'a CronParam.BeginTime in Los Angeles that is already year 10000 in Shanghai',
    body: { TaskType: 3, CronParam: { Expression: '0 9 * * *', TimeZone: LA, BeginTime: '9999-12-31 08:00:00' } },
    code: 'InvalidParameterValue',
    message: '`CronParam.BeginTime` must be before 9999-12-31 00:00:00 UTC (a time every zone still writes in year 9999).',
  },
  {
    what: 'a CronParam.EndTime before the first cron instant',
    body: { TaskType: 3, CronParam: { Expression: '0 9 * * *', BeginTime: '2026-03-16 10:00:00', EndTime: '2026-03-17 08:00:00' } },
    code: 'InvalidParameterValue',
    message: 'The schedule is invalid: it has no occurrence before the end of year 9999 (check the end, the most occurrences and the expression).',
  },
  {
    what: 'TaskType 4',
    body: { TaskType: 4 },
    code: 'InvalidParameterValue',
    message: '`TaskType` must be 1 (now), 2 (at TimedParam.BeginTime) or 3 (recurring).',
  },
  {
    what: 'TaskType 3 with CycleParam.IntervalTime 0',
    body: { TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 0 } },
    code: 'MissingParameter.CycleParamNecessary',
    message: 'TaskType 3 needs `CycleParam.BeginTime` and `CycleParam.IntervalTime` (hours), or the `CronParam` extension.',
  },
];

describe('BatchSendEmail schedule refusals (rules in the engine, answers in Tencent terms)', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiHarness({ clock: new ManualClock(NOW) });
  });
  afterAll(async () => {
    await api?.close();
  });

  it.each(CASES)('answers $code with the same message as before for $what', async ({ body, code, message }) => {
    const answer = await api.call('BatchSendEmail', {
      FromEmailAddress: 'news@mail.example.com',
      ReceiverId: 1,
      Subject: 'News',
      Template: { TemplateID: 1 },
      ...body,
    });
    expect(errorCode(answer)).toBe(code);
    expect(answer.body.Response.Error?.Message).toBe(message);
  });
});
