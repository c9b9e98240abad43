import { describe, expect, it } from 'vitest';
import { validateCron } from './cron.ts';
import { nextOccurrence, occurrenceAt } from './occurrences.ts';
import type { TaskSchedule } from './task-schedule.ts';
import { formatTencentDateTime } from './tencent-date-time.ts';

const at = (iso: string) => Date.parse(iso);
const BERLIN = 'Europe/Berlin';

function firstInstants(schedule: TaskSchedule, count: number): number[] {
  return Array.from({ length: count }, (_, i) => occurrenceAt(schedule, i + 1) as number);
}

describe('validateCron', () => {
  it('accepts 5-field and 6-field (seconds first) expressions with ranges, steps, names and L', () => {
    for (const expression of ['0 9 * * 1-5', '*/2 * * * * *', '0 9 * * MON-FRI', '30 8 1,15 * *', '0 0 L * *', '0 12 * * 1#2', '  0 9 * * *  ']) {
      expect(validateCron(expression, BERLIN), expression).toEqual({ ok: true });
    }
  });

  it('refuses missing, extra or padded fields and @aliases with code InvalidCronExpression', () => {
    for (const expression of ['', '* * * *', '* * * * * * *', '@daily', '0 9 * * 1-5 extra']) {
      expect(validateCron(expression, BERLIN), expression).toMatchObject({ ok: false, code: 'InvalidCronExpression' });
    }
  });

  it('refuses values out of range, unknown names, zero steps and dates that never exist', () => {
    for (const expression of ['61 * * * *', '0 24 * * *', '0 0 * 13 *', '0 0 * * 8', 'foo * * * *', '*/0 * * * *', '0 0 30 2 *', '0 0 31 4 *']) {
      const check = validateCron(expression, BERLIN);
      expect(check, expression).toMatchObject({ ok: false, code: 'InvalidCronExpression' });
      expect(check.ok ? '' : check.message).toContain(expression);
    }
  });

  it('refuses hashed fields because their value would be random', () => {
    for (const expression of ['H * * * *', 'H/5 * * * *', '0 H(0-5) * * *']) {
      expect(validateCron(expression, BERLIN), expression).toMatchObject({ ok: false, code: 'InvalidCronExpression' });
    }
    expect(validateCron('0 9 * * THU', BERLIN)).toEqual({ ok: true });
  });

  it('refuses an unknown time zone with code InvalidTimeZone', () => {
    expect(validateCron('0 9 * * *', 'Mars/Olympus')).toMatchObject({ ok: false, code: 'InvalidTimeZone' });
  });
});

describe('cron occurrences', () => {
  it('fires "0 9 * * 1-5" at 09:00 Berlin time on weekdays across the spring DST change', () => {
    const schedule: TaskSchedule = { kind: 'cron', expression: '0 9 * * 1-5', timeZone: BERLIN, beginAt: at('2025-03-27T00:00:00Z') };
    expect(firstInstants(schedule, 4)).toEqual([
      at('2025-03-27T08:00:00Z'),
      at('2025-03-28T08:00:00Z'),
      at('2025-03-31T07:00:00Z'),
      at('2025-04-01T07:00:00Z'),
    ]);
  });

  it('fires "0 9 * * 1-5" at 09:00 Berlin time on weekdays across the autumn DST change', () => {
    const schedule: TaskSchedule = { kind: 'cron', expression: '0 9 * * 1-5', timeZone: BERLIN, beginAt: at('2025-10-24T00:00:00Z') };
    expect(firstInstants(schedule, 3).map((t) => formatTencentDateTime(t, BERLIN))).toEqual([
      '2025-10-24 09:00:00',
      '2025-10-27 09:00:00',
      '2025-10-28 09:00:00',
    ]);
    expect(firstInstants(schedule, 2)).toEqual([at('2025-10-24T07:00:00Z'), at('2025-10-27T08:00:00Z')]);
  });

  it('shifts a daily time in the skipped hour forward and fires a daily time in the repeated hour once', () => {
    const spring: TaskSchedule = { kind: 'cron', expression: '30 2 * * *', timeZone: BERLIN, beginAt: at('2025-03-29T00:00:00Z') };
    expect(firstInstants(spring, 3).map((t) => formatTencentDateTime(t, BERLIN))).toEqual([
      '2025-03-29 02:30:00',
      '2025-03-30 03:30:00',
      '2025-03-31 02:30:00',
    ]);
    const autumn: TaskSchedule = { kind: 'cron', expression: '30 2 * * *', timeZone: BERLIN, beginAt: at('2025-10-25T00:00:00Z') };
    expect(firstInstants(autumn, 3)).toEqual([at('2025-10-25T00:30:00Z'), at('2025-10-26T00:30:00Z'), at('2025-10-27T01:30:00Z')]);
  });

  it('counts occurrence 1 from beginAt inclusive and steps in seconds with a 6-field expression', () => {
    const beginAt = at('2025-01-01T00:00:00Z');
    const schedule: TaskSchedule = { kind: 'cron', expression: '*/2 * * * * *', timeZone: BERLIN, beginAt };
    expect(firstInstants(schedule, 3)).toEqual([beginAt, beginAt + 2_000, beginAt + 4_000]);
    expect(nextOccurrence(schedule, beginAt + 3_500)).toEqual({ n: 3, at: beginAt + 4_000 });
    expect(nextOccurrence(schedule, beginAt + 4_000)).toEqual({ n: 4, at: beginAt + 6_000 });
    expect(nextOccurrence(schedule, beginAt - 1)).toEqual({ n: 1, at: beginAt });
  });

  it('evaluates the expression in its own zone, not the process zone', () => {
    const shanghai: TaskSchedule = { kind: 'cron', expression: '0 0 9 * * *', timeZone: 'Asia/Shanghai', beginAt: at('2027-01-01T00:00:00Z') };
    expect(occurrenceAt(shanghai, 1)).toBe(at('2027-01-01T01:00:00Z'));
  });
});
