import { type DateProblem, EngineError, type ErrorKind, type TaskSchedule } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { planSchedule } from './schedule.ts';
import type { ScheduleField, ScheduleInput } from './schedule-input.ts';

// 2026-03-15 10:00:00 in Asia/Shanghai (UTC+8, the deployment zone here) = 02:00 UTC.
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const CONTEXT = { nowMs: NOW, timeZone: 'Asia/Shanghai' };
const LA = 'America/Los_Angeles';
const HOUR_MS = 3_600_000;

interface Planned {
  readonly rule: string;
  readonly input: ScheduleInput;
  readonly schedule: TaskSchedule;
  /** The first run's instant (it is always run 1). */
  readonly firstAt: number;
}

interface Refused {
  readonly rule: string;
  readonly input: ScheduleInput;
  readonly kind: ErrorKind;
  readonly field: ScheduleField;
  readonly problem?: DateProblem;
  /** The message as the engine writes it (fields in backquotes), where the rule is about its wording. */
  readonly message?: string;
}

const PLANNED: readonly Planned[] = [
  { rule: 'now runs once, at the acceptance time', input: { kind: 'now' }, schedule: { kind: 'now' }, firstAt: NOW },
  {
    rule: 'once reads beginAt as a wall time in the deployment zone',
    input: { kind: 'once', beginAt: '2026-03-16 08:00:00' },
    schedule: { kind: 'once', at: Date.UTC(2026, 2, 16, 0, 0, 0) },
    firstAt: Date.UTC(2026, 2, 16, 0, 0, 0),
  },
  {
    rule: 'once reads beginAt in its own timeZone when it names one',
    input: { kind: 'once', beginAt: '2026-03-16 08:00:00', timeZone: 'UTC' },
    schedule: { kind: 'once', at: Date.UTC(2026, 2, 16, 8, 0, 0) },
    firstAt: Date.UTC(2026, 2, 16, 8, 0, 0),
  },
  {
    rule: 'once counts a beginAt less than a minute in the past as now (clock skew)',
    input: { kind: 'once', beginAt: '2026-03-15 09:59:01' },
    schedule: { kind: 'once', at: NOW },
    firstAt: NOW,
  },
  {
    rule: 'once reads a wall time the zone repeats when DST ends as its earlier instant',
    input: { kind: 'once', beginAt: '2026-10-25 02:30:00', timeZone: 'Europe/Berlin' },
    schedule: { kind: 'once', at: Date.UTC(2026, 9, 25, 0, 30, 0) },
    firstAt: Date.UTC(2026, 9, 25, 0, 30, 0),
  },
  {
    rule: 'once accepts the last beginAt every zone still writes in year 9999 (9999-12-30 23:00 UTC from UTC+8)',
    input: { kind: 'once', beginAt: '9999-12-31 07:00:00' },
    schedule: { kind: 'once', at: Date.UTC(9999, 11, 30, 23, 0, 0) },
    firstAt: Date.UTC(9999, 11, 30, 23, 0, 0),
  },
  {
    rule: 'once accepts 9999-12-30 23:59:59 UTC written in a negative-offset zone (Los Angeles)',
    input: { kind: 'once', beginAt: '9999-12-30 15:59:59', timeZone: LA },
    schedule: { kind: 'once', at: Date.UTC(9999, 11, 30, 23, 59, 59) },
    firstAt: Date.UTC(9999, 11, 30, 23, 59, 59),
  },
  {
    rule: 'every keeps the interval in hours, the deployment zone, the end and the most runs',
    input: { kind: 'every', beginAt: '2026-03-16 08:00:00', intervalHours: 12, endAt: '2026-03-20 08:00:00', runs: 5 },
    schedule: {
      kind: 'interval',
      beginAt: Date.UTC(2026, 2, 16, 0, 0, 0),
      intervalHours: 12,
      timeZone: 'Asia/Shanghai',
      endAt: Date.UTC(2026, 2, 20, 0, 0, 0),
      maxOccurrences: 5,
    },
    firstAt: Date.UTC(2026, 2, 16, 0, 0, 0),
  },
  {
    rule: 'every accepts the longest interval, 876 000 hours (100 years)',
    input: { kind: 'every', beginAt: '2026-03-16 08:00:00', intervalHours: 876_000 },
    schedule: { kind: 'interval', beginAt: Date.UTC(2026, 2, 16, 0, 0, 0), intervalHours: 876_000, timeZone: 'Asia/Shanghai' },
    firstAt: Date.UTC(2026, 2, 16, 0, 0, 0),
  },
  {
    rule: 'every accepts an end equal to its begin (the end is inclusive): one run',
    input: { kind: 'every', beginAt: '2026-03-16 08:00:00', intervalHours: 1, endAt: '2026-03-16 08:00:00' },
    schedule: {
      kind: 'interval',
      beginAt: Date.UTC(2026, 2, 16, 0, 0, 0),
      intervalHours: 1,
      timeZone: 'Asia/Shanghai',
      endAt: Date.UTC(2026, 2, 16, 0, 0, 0),
    },
    firstAt: Date.UTC(2026, 2, 16, 0, 0, 0),
  },
  {
    rule: 'cron without beginAt begins now, in the deployment zone, and runs first at the next instant of the expression',
    input: { kind: 'cron', expression: '0 9 * * *' },
    schedule: { kind: 'cron', expression: '0 9 * * *', timeZone: 'Asia/Shanghai', beginAt: NOW },
    firstAt: Date.UTC(2026, 2, 16, 1, 0, 0),
  },
  {
    rule: 'cron reads beginAt and endAt in its own timeZone and keeps the most runs',
    input: { kind: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Berlin', beginAt: '2026-03-16 10:00:00', endAt: '2026-04-30 09:00:00', runs: 3 },
    schedule: {
      kind: 'cron',
      expression: '0 9 * * *',
      timeZone: 'Europe/Berlin',
      beginAt: Date.UTC(2026, 2, 16, 9, 0, 0),
      endAt: Date.UTC(2026, 3, 30, 7, 0, 0),
      maxOccurrences: 3,
    },
    firstAt: Date.UTC(2026, 2, 17, 8, 0, 0),
  },
  {
    rule: 'cron accepts a recurrence late in year 9999 in Los Angeles whose first run is still 9999 in every zone',
    input: { kind: 'cron', expression: '0 9 * * *', timeZone: LA, beginAt: '9999-12-29 10:00:00' },
    schedule: { kind: 'cron', expression: '0 9 * * *', timeZone: LA, beginAt: Date.UTC(9999, 11, 29, 18, 0, 0) },
    firstAt: Date.UTC(9999, 11, 30, 17, 0, 0),
  },
];

const REFUSED: readonly Refused[] = [
  {
    rule: 'a beginAt more than a minute in the past is refused as past',
    input: { kind: 'once', beginAt: '2026-03-15 09:58:59' },
    kind: 'invalid-date',
    field: 'schedule.beginAt',
    problem: 'past',
    message: '`schedule.beginAt` is in the past.',
  },
  {
    rule: 'a beginAt in year 0000 is refused as past',
    input: { kind: 'every', beginAt: '0000-01-01 00:00:00', intervalHours: 1 },
    kind: 'invalid-date',
    field: 'schedule.beginAt',
    problem: 'past',
  },
  {
    rule: 'a beginAt not written "YYYY-MM-DD hh:mm:ss" is refused as format',
    input: { kind: 'once', beginAt: '2026/03/20 10:00:00' },
    kind: 'invalid-date',
    field: 'schedule.beginAt',
    problem: 'format',
    message: '`schedule.beginAt` must be a time "YYYY-MM-DD hh:mm:ss" that exists in Asia/Shanghai.',
  },
  {
    rule: 'a beginAt on a day that does not exist (30 February) is refused as format',
    input: { kind: 'every', beginAt: '2026-02-30 10:00:00', intervalHours: 1 },
    kind: 'invalid-date',
    field: 'schedule.beginAt',
    problem: 'format',
  },
  {
    rule: 'a beginAt in the hour the zone skips when DST starts is refused, not shifted',
    input: { kind: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Berlin', beginAt: '2026-03-29 02:30:00' },
    kind: 'invalid-date',
    field: 'schedule.beginAt',
    problem: 'format',
    message: '`schedule.beginAt` must be a time "YYYY-MM-DD hh:mm:ss" that exists in Europe/Berlin.',
  },
  {
    rule: 'a beginAt on 9999-12-31 00:00 UTC or later is refused as out of range (some zone writes it in year 10000)',
    input: { kind: 'once', beginAt: '9999-12-31 08:00:00' },
    kind: 'invalid-date',
    field: 'schedule.beginAt',
    problem: 'range',
    message: '`schedule.beginAt` must be before 9999-12-31 00:00:00 UTC (a time every zone still writes in year 9999).',
  },
  {
    rule: 'a beginAt on 9999-12-30 in a negative-offset zone that is already 9999-12-31 UTC is refused as out of range',
    input: { kind: 'once', beginAt: '9999-12-30 16:00:00', timeZone: LA },
    kind: 'invalid-date',
    field: 'schedule.beginAt',
    problem: 'range',
  },
  {
    rule: 'a cron beginAt on 9999-12-31 in Los Angeles is refused as out of range',
    input: { kind: 'cron', expression: '0 9 * * *', timeZone: LA, beginAt: '9999-12-31 08:00:00' },
    kind: 'invalid-date',
    field: 'schedule.beginAt',
    problem: 'range',
  },
  {
    rule: 'an endAt that is not a time in the zone is refused as format',
    input: { kind: 'every', beginAt: '2026-03-16 08:00:00', intervalHours: 24, endAt: '2026-13-01 00:00:00' },
    kind: 'invalid-date',
    field: 'schedule.endAt',
    problem: 'format',
  },
  ...[0, 876_001, 1.5, -1].map(
    (intervalHours): Refused => ({
      rule: `an intervalHours of ${intervalHours} is refused: it must be a whole number of hours from 1 to 876 000`,
      input: { kind: 'every', beginAt: '2026-03-16 08:00:00', intervalHours },
      kind: 'invalid-input',
      field: 'schedule.intervalHours',
      message: '`schedule.intervalHours` must be a whole number of hours from 1 to 876000.',
    }),
  ),
  {
    rule: 'the interval is checked before the begin',
    input: { kind: 'every', beginAt: 'not a time', intervalHours: 876_001 },
    kind: 'invalid-input',
    field: 'schedule.intervalHours',
  },
  {
    rule: 'an unknown timeZone is refused before any time is read in it',
    input: { kind: 'once', beginAt: 'not a time', timeZone: 'Mars/Olympus' },
    kind: 'invalid-input',
    field: 'schedule.timeZone',
    message: '`schedule`: unknown IANA time zone "Mars/Olympus"',
  },
  {
    rule: 'a cron timeZone that is not an IANA zone is refused',
    input: { kind: 'cron', expression: '0 9 * * *', timeZone: 'Mars/Olympus' },
    kind: 'invalid-input',
    field: 'schedule.timeZone',
  },
  ...['61 * * * *', 'every day', '* * * * * * *', '@daily', 'H * * * *', '0 0 30 2 *'].map(
    (expression): Refused => ({
      rule: `a cron expression cron-parser or Postmill refuses (${JSON.stringify(expression)}) is refused before the begin is read`,
      input: { kind: 'cron', expression, beginAt: 'not a time' },
      kind: 'invalid-input',
      field: 'schedule.expression',
    }),
  ),
  {
    rule: 'an end before the begin is refused: the schedule has no run',
    input: { kind: 'every', beginAt: '2026-03-20 10:00:00', intervalHours: 1, endAt: '2026-03-19 10:00:00' },
    kind: 'invalid-input',
    field: 'schedule',
    message: 'The schedule is invalid: it has no occurrence before the end of year 9999 (check the end, the most occurrences and the expression).',
  },
  {
    rule: 'a cron endAt before the first instant of the expression is refused: the schedule has no run',
    input: { kind: 'cron', expression: '0 9 * * *', beginAt: '2026-03-16 10:00:00', endAt: '2026-03-17 08:00:00' },
    kind: 'invalid-input',
    field: 'schedule',
  },
  ...(['every', 'cron'] as const).map(
    (kind): Refused => ({
      rule: `${kind} refuses runs 0 (at most no run) instead of treating it as no limit`,
      input: kind === 'every' ? { kind, beginAt: '2026-03-16 08:00:00', intervalHours: 1, runs: 0 } : { kind, expression: '0 9 * * *', runs: 0 },
      kind: 'invalid-input',
      field: 'schedule',
      message: 'The schedule is invalid: maxOccurrences must be a positive integer, got 0.',
    }),
  ),
  {
    rule: 'a yearly cron whose first instant after beginAt falls in year 10000 somewhere is refused: no run before the end of 9999',
    input: { kind: 'cron', expression: '0 0 1 1 *', timeZone: LA, beginAt: '9999-06-01 00:00:00' },
    kind: 'invalid-input',
    field: 'schedule',
  },
  {
    rule: 'a leap-day cron with no 29 February left before year 10000 is refused',
    input: { kind: 'cron', expression: '0 0 29 2 *', timeZone: 'UTC', beginAt: '9996-03-01 00:00:00' },
    kind: 'invalid-input',
    field: 'schedule',
  },
];

describe('planSchedule: the rules of a campaign schedule', () => {
  it.each(PLANNED)('plans: $rule', ({ input, schedule, firstAt }) => {
    const planned = planSchedule(input, CONTEXT);
    expect(planned.schedule).toEqual(schedule);
    expect(planned.first).toEqual({ n: 1, at: firstAt });
  });

  it.each(REFUSED)('refuses: $rule', ({ input, kind, field, problem, message }) => {
    let refusal: unknown;
    try {
      planSchedule(input, CONTEXT);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(EngineError);
    const err = refusal as EngineError;
    expect({ kind: err.kind, context: err.context }).toEqual({ kind, context: problem === undefined ? { field } : { field, problem } });
    if (message !== undefined) expect(err.message).toBe(message);
  });

  it('names the schedule fields through the dialect namer it is rendered with', () => {
    try {
      planSchedule({ kind: 'once', beginAt: '2026-03-15 08:00:00' }, CONTEXT);
      expect.unreachable('a beginAt two hours ago must be refused');
    } catch (err) {
      expect((err as EngineError).messageWith((field) => `<${field.toUpperCase()}>`)).toBe('<SCHEDULE.BEGINAT> is in the past.');
    }
  });

  it('reads every time relative to the clock it is given, not the process clock', () => {
    const later = { ...CONTEXT, nowMs: NOW + 48 * HOUR_MS };
    expect(() => planSchedule({ kind: 'once', beginAt: '2026-03-16 08:00:00' }, later)).toThrow(EngineError);
    expect(planSchedule({ kind: 'once', beginAt: '2026-03-16 08:00:00' }, CONTEXT).first.at).toBe(Date.UTC(2026, 2, 16, 0, 0, 0));
  });
});
