import { describe, expect, it } from 'vitest';
import { anchorSchedule, firstOccurrence, nextOccurrence, occurrenceAt } from './occurrences.ts';
import type { TaskSchedule } from './task-schedule.ts';
import { formatTencentDateTime, parseTencentDateTime } from './tencent-date-time.ts';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const local = (wall: string, zone: string) => parseTencentDateTime(wall, zone) as number;

function interval(beginAt: number, intervalHours: number, timeZone: string, limits: { endAt?: number; maxOccurrences?: number } = {}): TaskSchedule {
  return { kind: 'interval', beginAt, intervalHours, timeZone, ...limits };
}

function walls(schedule: TaskSchedule, zone: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => formatTencentDateTime(occurrenceAt(schedule, i + 1) as number, zone));
}

describe('interval occurrences', () => {
  it('adds absolute hours for a 1 h interval, so the local clock skips an hour in spring and repeats one in autumn', () => {
    const spring = interval(at('2025-03-30T00:00:00Z'), 1, BERLIN);
    expect(walls(spring, BERLIN, 3)).toEqual(['2025-03-30 01:00:00', '2025-03-30 03:00:00', '2025-03-30 04:00:00']);
    expect(occurrenceAt(spring, 3)).toBe(at('2025-03-30T02:00:00Z'));
    const autumn = interval(at('2025-10-26T00:00:00Z'), 1, BERLIN);
    expect(walls(autumn, BERLIN, 3)).toEqual(['2025-10-26 02:00:00', '2025-10-26 02:00:00', '2025-10-26 03:00:00']);
  });

  it('keeps the local time of a 24 h interval across both DST changes (23 h and 25 h apart on change days)', () => {
    const spring = interval(local('2025-03-08 09:00:00', NEW_YORK), 24, NEW_YORK);
    expect(walls(spring, NEW_YORK, 3)).toEqual(['2025-03-08 09:00:00', '2025-03-09 09:00:00', '2025-03-10 09:00:00']);
    expect((occurrenceAt(spring, 2) as number) - (occurrenceAt(spring, 1) as number)).toBe(23 * HOUR);
    const autumn = interval(local('2025-10-25 09:00:00', BERLIN), 24, BERLIN);
    expect(walls(autumn, BERLIN, 3)).toEqual(['2025-10-25 09:00:00', '2025-10-26 09:00:00', '2025-10-27 09:00:00']);
    expect((occurrenceAt(autumn, 2) as number) - (occurrenceAt(autumn, 1) as number)).toBe(25 * HOUR);
    const year = interval(local('2025-01-01 09:00:00', BERLIN), 24, BERLIN);
    expect(formatTencentDateTime(occurrenceAt(year, 365) as number, BERLIN)).toBe('2025-12-31 09:00:00');
  });

  it('runs a 24 h interval whose time falls in the skipped hour shifted forward that day only', () => {
    const schedule = interval(local('2025-03-29 02:30:00', BERLIN), 24, BERLIN);
    expect(walls(schedule, BERLIN, 3)).toEqual(['2025-03-29 02:30:00', '2025-03-30 03:30:00', '2025-03-31 02:30:00']);
  });

  it('runs a 24 h interval whose time falls in the repeated hour at its first instance, whatever offset BeginTime had', () => {
    expect(occurrenceAt(interval(local('2025-10-25 02:30:00', BERLIN), 24, BERLIN), 2)).toBe(at('2025-10-26T00:30:00Z'));
    expect(occurrenceAt(interval(local('2025-01-01 02:30:00', BERLIN), 24, BERLIN), 299)).toBe(at('2025-10-26T00:30:00Z'));
  });

  it('adds calendar days for 48 h and absolute hours for 36 h', () => {
    const everyTwoDays = interval(local('2025-03-29 09:00:00', BERLIN), 48, BERLIN);
    expect(walls(everyTwoDays, BERLIN, 3)).toEqual(['2025-03-29 09:00:00', '2025-03-31 09:00:00', '2025-04-02 09:00:00']);
    expect((occurrenceAt(everyTwoDays, 2) as number) - (occurrenceAt(everyTwoDays, 1) as number)).toBe(47 * HOUR);
    const thirtySix = interval(local('2025-03-29 09:00:00', BERLIN), 36, BERLIN);
    expect(walls(thirtySix, BERLIN, 2)).toEqual(['2025-03-29 09:00:00', '2025-03-30 22:00:00']);
  });

  it('finds the first occurrence strictly after any instant, agreeing with stepping one by one across DST', () => {
    for (const schedule of [
      interval(local('2025-03-20 02:30:00', BERLIN), 24, BERLIN),
      interval(local('2025-10-20 02:30:00', BERLIN), 48, BERLIN),
      interval(local('2025-03-08 23:00:00', NEW_YORK), 5, NEW_YORK),
    ]) {
      const times = Array.from({ length: 30 }, (_, i) => occurrenceAt(schedule, i + 1) as number);
      for (let t = times[0]! - 2 * HOUR; t < times[25]!; t += 7 * HOUR + 1_000) {
        const n = times.findIndex((time) => time > t) + 1;
        expect(nextOccurrence(schedule, t)).toEqual({ n, at: times[n - 1] });
      }
      expect(nextOccurrence(schedule, times[3]!)).toEqual({ n: 5, at: times[4] });
      expect(nextOccurrence(schedule, times[3]! - 1)).toEqual({ n: 4, at: times[3] });
    }
  });
});

describe('end of a schedule', () => {
  it('stops an interval at endAt, an occurrence exactly at endAt included', () => {
    const beginAt = at('2025-05-01T00:00:00Z');
    const schedule = interval(beginAt, 1, BERLIN, { endAt: beginAt + 3 * HOUR });
    expect(occurrenceAt(schedule, 4)).toBe(beginAt + 3 * HOUR);
    expect(occurrenceAt(schedule, 5)).toBeUndefined();
    expect(nextOccurrence(schedule, beginAt + 2 * HOUR)).toEqual({ n: 4, at: beginAt + 3 * HOUR });
    expect(nextOccurrence(schedule, beginAt + 3 * HOUR)).toBeUndefined();
  });

  it('stops an interval after maxOccurrences', () => {
    const beginAt = at('2025-05-01T00:00:00Z');
    const schedule = interval(beginAt, 24, BERLIN, { maxOccurrences: 3 });
    expect(occurrenceAt(schedule, 3)).toBeDefined();
    expect(occurrenceAt(schedule, 4)).toBeUndefined();
    expect(nextOccurrence(schedule, occurrenceAt(schedule, 2) as number)).toEqual({ n: 3, at: occurrenceAt(schedule, 3) });
    expect(nextOccurrence(schedule, occurrenceAt(schedule, 3) as number)).toBeUndefined();
  });

  it('stops a cron schedule at endAt and after maxOccurrences', () => {
    const beginAt = at('2025-05-01T00:00:00Z');
    const byEnd: TaskSchedule = { kind: 'cron', expression: '0 * * * *', timeZone: 'UTC', beginAt, endAt: beginAt + 2 * HOUR };
    expect([1, 2, 3, 4].map((n) => occurrenceAt(byEnd, n))).toEqual([beginAt, beginAt + HOUR, beginAt + 2 * HOUR, undefined]);
    expect(nextOccurrence(byEnd, beginAt + 2 * HOUR)).toBeUndefined();
    const byCount: TaskSchedule = { kind: 'cron', expression: '0 * * * *', timeZone: 'UTC', beginAt, maxOccurrences: 2 };
    expect(occurrenceAt(byCount, 3)).toBeUndefined();
    expect(nextOccurrence(byCount, beginAt)).toEqual({ n: 2, at: beginAt + HOUR });
    expect(nextOccurrence(byCount, beginAt + HOUR)).toBeUndefined();
  });

  it('gives a once schedule its single occurrence and a now schedule none with a planned time', () => {
    const once: TaskSchedule = { kind: 'once', at: at('2025-05-01T08:00:00Z') };
    expect(occurrenceAt(once, 1)).toBe(at('2025-05-01T08:00:00Z'));
    expect(occurrenceAt(once, 2)).toBeUndefined();
    expect(nextOccurrence(once, at('2025-05-01T07:59:59Z'))).toEqual({ n: 1, at: at('2025-05-01T08:00:00Z') });
    expect(nextOccurrence(once, at('2025-05-01T08:00:00Z'))).toBeUndefined();
    expect(occurrenceAt({ kind: 'now' }, 1)).toBeUndefined();
    expect(nextOccurrence({ kind: 'now' }, 0)).toBeUndefined();
  });
});

describe('first occurrence and anchoring', () => {
  const acceptedAt = at('2025-05-01T10:15:00Z');

  it('runs a now task at its acceptance time and every other kind at its occurrence 1', () => {
    expect(firstOccurrence({ kind: 'now' }, acceptedAt)).toEqual({ n: 1, at: acceptedAt });
    expect(firstOccurrence({ kind: 'once', at: acceptedAt + HOUR }, acceptedAt)).toEqual({ n: 1, at: acceptedAt + HOUR });
    expect(firstOccurrence(interval(acceptedAt + HOUR, 2, BERLIN), acceptedAt)).toEqual({ n: 1, at: acceptedAt + HOUR });
  });

  it('anchors a cron schedule without beginAt at the acceptance time so its occurrences get stable numbers', () => {
    const unanchored: TaskSchedule = { kind: 'cron', expression: '0 * * * *', timeZone: 'UTC' };
    expect(anchorSchedule(unanchored, acceptedAt)).toEqual({ ...unanchored, beginAt: acceptedAt });
    expect(firstOccurrence(unanchored, acceptedAt)).toEqual({ n: 1, at: at('2025-05-01T11:00:00Z') });
    expect(() => occurrenceAt(unanchored, 1)).toThrow(expect.objectContaining({ name: 'ScheduleError', code: 'UnanchoredSchedule' }));
    expect(() => nextOccurrence(unanchored, acceptedAt)).toThrow(expect.objectContaining({ code: 'UnanchoredSchedule' }));
    const anchored: TaskSchedule = { kind: 'cron', expression: '0 * * * *', timeZone: 'UTC', beginAt: 0 };
    expect(anchorSchedule(anchored, acceptedAt)).toBe(anchored);
  });
});

describe('cron numbering', () => {
  const beginAt = at('2025-01-01T00:00:00Z');
  const schedule: TaskSchedule = { kind: 'cron', expression: '0 */6 * * *', timeZone: BERLIN, beginAt };

  it('numbers occurrences the same whether counted from occurrence 1 or from a known later one', () => {
    const tenth = { n: 10, at: occurrenceAt(schedule, 10) as number };
    expect(occurrenceAt(schedule, 25, { from: tenth })).toBe(occurrenceAt(schedule, 25));
    const after = (occurrenceAt(schedule, 40) as number) + 1;
    expect(nextOccurrence(schedule, after, { from: tenth })).toEqual(nextOccurrence(schedule, after));
    expect(nextOccurrence(schedule, after)).toMatchObject({ n: 41 });
  });

  it('throws ScanLimitExceeded instead of stepping through more occurrences than scanLimit', () => {
    expect(() => occurrenceAt(schedule, 50, { scanLimit: 10 })).toThrow(expect.objectContaining({ code: 'ScanLimitExceeded' }));
    expect(() => nextOccurrence(schedule, beginAt + 100 * 6 * HOUR, { scanLimit: 10 })).toThrow(expect.objectContaining({ code: 'ScanLimitExceeded' }));
  });
});

describe('bad inputs', () => {
  it('has no occurrence for a number that is not a positive integer', () => {
    const schedule = interval(at('2025-05-01T00:00:00Z'), 1, BERLIN);
    for (const n of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(occurrenceAt(schedule, n), String(n)).toBeUndefined();
  });

  it('throws a ScheduleError for an invalid schedule or instant instead of computing garbage', () => {
    expect(() => occurrenceAt(interval(0, 0, BERLIN), 1)).toThrow(expect.objectContaining({ code: 'InvalidInterval' }));
    expect(() => nextOccurrence(interval(0, 1, 'Nowhere/City'), 0)).toThrow(expect.objectContaining({ code: 'InvalidTimeZone' }));
    expect(() => nextOccurrence({ kind: 'cron', expression: '* * *', timeZone: 'UTC', beginAt: 0 }, 0)).toThrow(
      expect.objectContaining({ code: 'InvalidCronExpression' }),
    );
    expect(() => nextOccurrence(interval(0, 1, BERLIN), Number.NaN)).toThrow(expect.objectContaining({ code: 'InvalidTime' }));
  });
});
