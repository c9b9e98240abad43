import { describe, expect, it } from 'vitest';
import type { TaskSchedule } from './task-schedule.ts';
import { validateSchedule } from './validate-schedule.ts';

const at = (iso: string) => Date.parse(iso);
const beginAt = at('2025-05-01T08:00:00Z');

describe('validateSchedule', () => {
  it('accepts every kind of well-formed schedule', () => {
    for (const schedule of [
      { kind: 'now' },
      { kind: 'once', at: beginAt },
      { kind: 'interval', beginAt, intervalHours: 1, timeZone: 'Asia/Shanghai' },
      { kind: 'interval', beginAt, intervalHours: 24, timeZone: 'Europe/Berlin', endAt: beginAt, maxOccurrences: 1 },
      { kind: 'cron', expression: '0 9 * * 1-5', timeZone: 'Europe/Berlin' },
      { kind: 'cron', expression: '0 9 * * 1-5', timeZone: 'Europe/Berlin', beginAt, maxOccurrences: 10 },
    ] satisfies TaskSchedule[]) {
      expect(validateSchedule(schedule), JSON.stringify(schedule)).toEqual({ ok: true });
    }
  });

  it('refuses an interval that is not a whole number of hours from 1 to 876 000', () => {
    for (const intervalHours of [0, -1, 1.5, Number.NaN, 876_001]) {
      expect(validateSchedule({ kind: 'interval', beginAt, intervalHours, timeZone: 'UTC' }), String(intervalHours)).toMatchObject({
        ok: false,
        code: 'InvalidInterval',
      });
    }
  });

  it('refuses instants that are not integral epoch milliseconds', () => {
    expect(validateSchedule({ kind: 'once', at: 1.5 })).toMatchObject({ ok: false, code: 'InvalidTime' });
    expect(validateSchedule({ kind: 'once', at: Number.NaN })).toMatchObject({ ok: false, code: 'InvalidTime' });
    expect(validateSchedule({ kind: 'interval', beginAt: 9e15, intervalHours: 1, timeZone: 'UTC' })).toMatchObject({ ok: false, code: 'InvalidTime' });
    expect(validateSchedule({ kind: 'cron', expression: '* * * * *', timeZone: 'UTC', endAt: Number.POSITIVE_INFINITY })).toMatchObject({
      ok: false,
      code: 'InvalidTime',
    });
  });

  it('refuses bad zones, bad cron expressions and a maxOccurrences below 1', () => {
    expect(validateSchedule({ kind: 'interval', beginAt, intervalHours: 1, timeZone: 'UTC+8' })).toMatchObject({ ok: false, code: 'InvalidTimeZone' });
    expect(validateSchedule({ kind: 'cron', expression: '0 9 * * *', timeZone: 'Nowhere/City' })).toMatchObject({ ok: false, code: 'InvalidTimeZone' });
    expect(validateSchedule({ kind: 'cron', expression: 'every day', timeZone: 'UTC' })).toMatchObject({ ok: false, code: 'InvalidCronExpression' });
    expect(validateSchedule({ kind: 'interval', beginAt, intervalHours: 1, timeZone: 'UTC', maxOccurrences: 0 })).toMatchObject({
      ok: false,
      code: 'InvalidLimit',
    });
  });

  it('refuses a schedule that can never run', () => {
    expect(validateSchedule({ kind: 'interval', beginAt, intervalHours: 1, timeZone: 'UTC', endAt: beginAt - 1 })).toMatchObject({
      ok: false,
      code: 'EmptySchedule',
    });
    // 09:00 on weekdays, but the window is one Saturday.
    expect(
      validateSchedule({ kind: 'cron', expression: '0 9 * * 1-5', timeZone: 'UTC', beginAt: at('2025-05-03T00:00:00Z'), endAt: at('2025-05-03T23:59:59Z') }),
    ).toMatchObject({ ok: false, code: 'EmptySchedule' });
  });

  it('refuses an unknown kind read from untrusted JSON', () => {
    expect(validateSchedule(JSON.parse('{"kind":"weekly"}') as TaskSchedule)).toMatchObject({ ok: false, code: 'InvalidSchedule' });
    expect(validateSchedule(JSON.parse('null') as TaskSchedule)).toMatchObject({ ok: false, code: 'InvalidSchedule' });
  });
});
