import { EngineError } from '@postmill/core';
import type { ScheduleInput } from '@postmill/engine';
import { describe, expect, it } from 'vitest';
import { inScheduleTerms, type ScheduleParam, scheduleFromInput } from './batch-schedule.ts';
import type { BatchSendEmailInput } from './batch-send-input.ts';
import { tencentErrorAnswer } from './error-table.ts';

const BASE = { FromEmailAddress: 'news@mail.example.com', ReceiverId: 1, Subject: 'News' };

const MAPPED: readonly { rule: string; input: Partial<BatchSendEmailInput>; schedule: ScheduleInput; param?: ScheduleParam }[] = [
  { rule: 'TaskType 1 is now', input: { TaskType: 1, TimedParam: { BeginTime: '2026-03-16 08:00:00' } }, schedule: { kind: 'now' } },
  {
    rule: 'TaskType 2 is once at TimedParam.BeginTime, passed as written',
    input: { TaskType: 2, TimedParam: { BeginTime: '2026-03-16 08:00:00' } },
    schedule: { kind: 'once', beginAt: '2026-03-16 08:00:00' },
    param: 'TimedParam',
  },
  {
    rule: 'TaskType 3 with CycleParam is every IntervalTime hours, with EndTime and MaxOccurrences as end and runs',
    input: { TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 12, EndTime: '2026-03-20 08:00:00', MaxOccurrences: 4 } },
    schedule: { kind: 'every', beginAt: '2026-03-16 08:00:00', intervalHours: 12, endAt: '2026-03-20 08:00:00', runs: 4 },
    param: 'CycleParam',
  },
  {
    rule: 'CycleParam.TermCycle 1 terminates the recurrence: one run, whatever MaxOccurrences says',
    input: { TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 12, TermCycle: 1, MaxOccurrences: 4 } },
    schedule: { kind: 'every', beginAt: '2026-03-16 08:00:00', intervalHours: 12, runs: 1 },
    param: 'CycleParam',
  },
  {
    rule: 'TaskType 3 with CronParam is cron, its empty BeginTime and EndTime counting as absent, and CronParam wins over CycleParam',
    input: {
      TaskType: 3,
      CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 12 },
      CronParam: { Expression: '0 9 * * 1', TimeZone: 'Europe/Berlin', BeginTime: '', EndTime: '', MaxOccurrences: 3 },
    },
    schedule: { kind: 'cron', expression: '0 9 * * 1', timeZone: 'Europe/Berlin', runs: 3 },
    param: 'CronParam',
  },
];

describe('scheduleFromInput: Tencent schedule parameters as the engine schedule', () => {
  it.each(MAPPED)('maps $rule', ({ input, schedule, param }) => {
    const mapped = scheduleFromInput({ ...BASE, ...input } as BatchSendEmailInput);
    expect(mapped.schedule).toEqual(schedule);
    expect(mapped.param).toBe(param);
  });

  it.each([
    [{ TaskType: 2 }, 'MissingParameter.TimedParamNecessary'],
    [{ TaskType: 2, TimedParam: { BeginTime: '' } }, 'MissingParameter.TimedParamNecessary'],
    [{ TaskType: 3, CycleParam: { BeginTime: '2026-03-16 08:00:00', IntervalTime: 0 } }, 'MissingParameter.CycleParamNecessary'],
    [{ TaskType: 0 }, 'InvalidParameterValue'],
  ] as const)('refuses %j with %s before the engine is asked', (input, code) => {
    expect(() => scheduleFromInput({ ...BASE, ...input } as BatchSendEmailInput)).toThrow(expect.objectContaining({ code }));
  });
});

describe('inScheduleTerms: engine schedule refusals named after the parameter the request used', () => {
  const past = new EngineError('invalid-date', (f) => `${f('schedule.beginAt')} is in the past.`, { context: { field: 'schedule.beginAt', problem: 'past' } });

  it.each([
    ['TimedParam', '`TimedParam.BeginTime` is in the past.'],
    ['CycleParam', '`CycleParam.BeginTime` is in the past.'],
    ['CronParam', '`CronParam.BeginTime` is in the past.'],
  ] as const)('names schedule.beginAt after %s and keeps the code', (param, message) => {
    expect(tencentErrorAnswer(inScheduleTerms(past, param) as EngineError, 'BatchSendEmail')).toEqual({
      code: 'InvalidParameterValue.BeginTimeBeforeNow',
      message,
    });
  });

  it('leaves refusals of other fields, and requests without a schedule parameter, as they are', () => {
    const subject = new EngineError('invalid-input', (f) => `${f('subject')} is too long.`, { context: { field: 'subject', rule: 'length' } });
    expect(inScheduleTerms(subject, 'CronParam')).toBe(subject);
    expect(inScheduleTerms(past, undefined)).toBe(past);
  });
});
