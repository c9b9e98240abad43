import { describe, expect, it } from 'vitest';
import { firstOccurrence, nextOccurrence, occurrenceAt } from './occurrences.ts';
import { planRunStart } from './plan-run-start.ts';
import { EARLIEST_SCHEDULE_MS, isSchedulableMs, LATEST_SCHEDULE_MS, type TaskSchedule } from './task-schedule.ts';
import { formatTencentDateTime, parseTencentDateTime, tryFormatTencentDateTime } from './tencent-date-time.ts';
import { validateSchedule } from './validate-schedule.ts';

const LA = 'America/Los_Angeles';
const local = (wall: string, zone: string) => parseTencentDateTime(wall, zone) as number;
// The zones with the largest offsets there are (UTC−12 and UTC+14), and the deployment default.
const EXTREME_ZONES = ['Etc/GMT+12', 'Pacific/Kiritimati', 'Asia/Shanghai', LA, 'UTC'];

describe('the range of instants a schedule may plan', () => {
  it('ends at 9999-12-30 23:59:59.999 UTC and begins at 0000-01-03 UTC, both writable as YYYY-MM-DD hh:mm:ss in every zone', () => {
    expect(new Date(LATEST_SCHEDULE_MS).toISOString()).toBe('9999-12-30T23:59:59.999Z');
    expect(new Date(EARLIEST_SCHEDULE_MS).toISOString()).toBe('0000-01-03T00:00:00.000Z');
    for (const zone of EXTREME_ZONES) {
      expect(formatTencentDateTime(LATEST_SCHEDULE_MS, zone).slice(0, 4), zone).toBe('9999');
      expect(formatTencentDateTime(EARLIEST_SCHEDULE_MS, zone).slice(0, 4), zone).toBe('0000');
    }
    expect(isSchedulableMs(LATEST_SCHEDULE_MS)).toBe(true);
    expect(isSchedulableMs(LATEST_SCHEDULE_MS + 1)).toBe(false);
    expect(isSchedulableMs(EARLIEST_SCHEDULE_MS - 1)).toBe(false);
  });

  it('refuses a once or a beginAt past year 9999 in some zone, but takes any endAt (it is only a bound)', () => {
    const lateLa = local('9999-12-31 09:00:00', LA); // 10000-01-01 01:00 in Shanghai
    expect(validateSchedule({ kind: 'once', at: lateLa })).toMatchObject({ ok: false, code: 'InvalidTime' });
    expect(validateSchedule({ kind: 'interval', beginAt: lateLa, intervalHours: 1, timeZone: LA })).toMatchObject({ ok: false, code: 'InvalidTime' });
    expect(validateSchedule({ kind: 'cron', expression: '0 9 * * *', timeZone: LA, beginAt: lateLa })).toMatchObject({ ok: false, code: 'InvalidTime' });
    const begin = Date.UTC(2030, 0, 1);
    expect(validateSchedule({ kind: 'interval', beginAt: begin, intervalHours: 24, timeZone: LA, endAt: lateLa })).toEqual({ ok: true });
  });

  it('ends an interval schedule at its last slot before the end of year 9999 instead of planning one that cannot be written', () => {
    const beginAt = local('9999-12-29 08:00:00', LA);
    const schedule: TaskSchedule = { kind: 'interval', beginAt, intervalHours: 24, timeZone: LA };
    expect(validateSchedule(schedule)).toEqual({ ok: true });
    // 12-29 and 12-30 08:00 in Los Angeles are before 9999-12-31 00:00 UTC; 12-31 08:00 is not.
    expect(formatTencentDateTime(occurrenceAt(schedule, 2) as number, LA)).toBe('9999-12-30 08:00:00');
    expect(occurrenceAt(schedule, 3)).toBeUndefined();
    expect(nextOccurrence(schedule, occurrenceAt(schedule, 2) as number)).toBeUndefined();
    const hourly: TaskSchedule = { kind: 'interval', beginAt: LATEST_SCHEDULE_MS - 3_600_000 + 1, intervalHours: 1, timeZone: 'UTC' };
    expect(occurrenceAt(hourly, 1)).toBe(LATEST_SCHEDULE_MS - 3_600_000 + 1);
    expect(occurrenceAt(hourly, 2)).toBeUndefined();
    expect(nextOccurrence(hourly, LATEST_SCHEDULE_MS)).toBeUndefined();
  });

  it('ends a cron schedule at its last instant before the end of year 9999, and has no occurrence when its first would be later', () => {
    const daily: TaskSchedule = { kind: 'cron', expression: '0 9 * * *', timeZone: LA, beginAt: local('9999-12-29 10:00:00', LA) };
    expect(validateSchedule(daily)).toEqual({ ok: true });
    const first = firstOccurrence(daily, 0);
    expect(first && formatTencentDateTime(first.at, LA)).toBe('9999-12-30 09:00:00');
    expect(occurrenceAt(daily, 2)).toBeUndefined();
    expect(nextOccurrence(daily, first?.at ?? 0)).toBeUndefined();
    // Next January the 1st is in year 10000: nothing to plan.
    const yearly: TaskSchedule = { kind: 'cron', expression: '0 0 1 1 *', timeZone: LA, beginAt: local('9999-06-01 00:00:00', LA) };
    expect(validateSchedule(yearly)).toMatchObject({ ok: false, code: 'EmptySchedule' });
    expect(firstOccurrence(yearly, 0)).toBeUndefined();
    // A leap day only exists again in 10000.
    const leap: TaskSchedule = { kind: 'cron', expression: '0 0 29 2 *', timeZone: 'UTC', beginAt: Date.UTC(9999, 2, 1) };
    expect(validateSchedule(leap)).toMatchObject({ ok: false, code: 'EmptySchedule' });
  });

  it('plans no next run after the last slot before the end of year 9999', () => {
    const schedule: TaskSchedule = { kind: 'cron', expression: '0 9 * * *', timeZone: LA, beginAt: local('9999-12-29 10:00:00', LA) };
    const first = firstOccurrence(schedule, 0);
    expect(first).toBeDefined();
    if (!first) return;
    const plan = planRunStart({ schedule, plannedN: 1, plannedAt: first.at, nowMs: first.at });
    expect(plan.runNow).toBe(true);
    expect(plan.next).toBeUndefined();
  });
});

describe('tryFormatTencentDateTime', () => {
  it('writes what formatTencentDateTime writes, and undefined instead of throwing for NaN, years past 9999 and unknown zones', () => {
    expect(tryFormatTencentDateTime(LATEST_SCHEDULE_MS, 'UTC')).toBe('9999-12-30 23:59:59');
    expect(tryFormatTencentDateTime(Number.NaN, 'UTC')).toBeUndefined();
    expect(tryFormatTencentDateTime(local('9999-12-31 20:00:00', LA), 'Asia/Shanghai')).toBeUndefined();
    expect(tryFormatTencentDateTime(8.64e15 + 1, 'UTC')).toBeUndefined();
    expect(tryFormatTencentDateTime(0, 'Mars/Base')).toBeUndefined();
  });
});
