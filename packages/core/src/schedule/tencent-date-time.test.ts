import { describe, expect, it } from 'vitest';
import { ScheduleError } from './schedule-error.ts';
import { formatTencentDateTime, parseTencentDateTime } from './tencent-date-time.ts';
import { TENCENT_TIME_ZONE } from './zoned-time.ts';

const at = (iso: string) => Date.parse(iso);
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

describe('parseTencentDateTime', () => {
  it('reads a BeginTime as Beijing time (UTC+8) by default zone', () => {
    expect(TENCENT_TIME_ZONE).toBe('Asia/Shanghai');
    expect(parseTencentDateTime('2021-09-10 11:10:11', TENCENT_TIME_ZONE)).toBe(at('2021-09-10T03:10:11Z'));
    expect(parseTencentDateTime('2021-01-01 00:00:00', TENCENT_TIME_ZONE)).toBe(at('2020-12-31T16:00:00Z'));
  });

  it('applies standard and daylight offsets of America/New_York and Europe/Berlin', () => {
    expect(parseTencentDateTime('2025-01-15 09:00:00', NEW_YORK)).toBe(at('2025-01-15T14:00:00Z'));
    expect(parseTencentDateTime('2025-07-15 09:00:00', NEW_YORK)).toBe(at('2025-07-15T13:00:00Z'));
    expect(parseTencentDateTime('2025-01-15 09:00:00', BERLIN)).toBe(at('2025-01-15T08:00:00Z'));
    expect(parseTencentDateTime('2025-07-15 09:00:00', BERLIN)).toBe(at('2025-07-15T07:00:00Z'));
  });

  it('rejects a wall time skipped when DST starts instead of shifting it', () => {
    expect(parseTencentDateTime('2025-03-09 02:00:00', NEW_YORK)).toBeUndefined();
    expect(parseTencentDateTime('2025-03-09 02:30:00', NEW_YORK)).toBeUndefined();
    expect(parseTencentDateTime('2025-03-09 01:59:59', NEW_YORK)).toBe(at('2025-03-09T06:59:59Z'));
    expect(parseTencentDateTime('2025-03-09 03:00:00', NEW_YORK)).toBe(at('2025-03-09T07:00:00Z'));
    expect(parseTencentDateTime('2025-03-30 02:30:00', BERLIN)).toBeUndefined();
    expect(parseTencentDateTime('2025-03-30 02:59:59', BERLIN)).toBeUndefined();
    expect(parseTencentDateTime('2025-03-30 03:00:00', BERLIN)).toBe(at('2025-03-30T01:00:00Z'));
  });

  it('reads a wall time repeated when DST ends as its earlier instance', () => {
    expect(parseTencentDateTime('2025-11-02 01:30:00', NEW_YORK)).toBe(at('2025-11-02T05:30:00Z'));
    expect(parseTencentDateTime('2025-10-26 02:30:00', BERLIN)).toBe(at('2025-10-26T00:30:00Z'));
    expect(parseTencentDateTime('2025-10-26 03:00:00', BERLIN)).toBe(at('2025-10-26T02:00:00Z'));
  });

  it('accepts 29 February only in leap years', () => {
    expect(parseTencentDateTime('2024-02-29 12:00:00', TENCENT_TIME_ZONE)).toBe(at('2024-02-29T04:00:00Z'));
    expect(parseTencentDateTime('2025-02-29 12:00:00', TENCENT_TIME_ZONE)).toBeUndefined();
  });

  it('returns undefined for anything but "YYYY-MM-DD hh:mm:ss" with real values', () => {
    for (const bad of [
      '',
      '2021-09-10T11:10:11',
      '2021-09-10  11:10:11',
      ' 2021-09-10 11:10:11',
      '2021-9-10 11:10:11',
      '2021-09-10 11:10',
      '2021-09-10 11:10:11.000',
      '2021-09-10 24:00:00',
      '2021-09-10 11:60:00',
      '2021-09-10 11:10:60',
      '2021-13-01 00:00:00',
      '2021-00-01 00:00:00',
      '2021-04-31 00:00:00',
      '2021-04-00 00:00:00',
      '２０２１-09-10 11:10:11',
    ]) {
      expect(parseTencentDateTime(bad, TENCENT_TIME_ZONE), bad).toBeUndefined();
    }
  });

  it('throws a ScheduleError with code InvalidTimeZone for an unknown or fixed-offset zone', () => {
    for (const zone of ['Mars/Olympus', 'UTC+8', '']) {
      const error = (() => {
        try {
          parseTencentDateTime('2021-09-10 11:10:11', zone);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ScheduleError);
      expect(error).toMatchObject({ name: 'ScheduleError', code: 'InvalidTimeZone' });
    }
  });
});

describe('formatTencentDateTime', () => {
  it('writes the wall time of the zone and truncates milliseconds', () => {
    expect(formatTencentDateTime(at('2021-09-10T03:10:11.999Z'), TENCENT_TIME_ZONE)).toBe('2021-09-10 11:10:11');
    expect(formatTencentDateTime(at('2025-10-26T00:30:00Z'), BERLIN)).toBe('2025-10-26 02:30:00');
    expect(formatTencentDateTime(at('2025-10-26T01:30:00Z'), BERLIN)).toBe('2025-10-26 02:30:00');
  });

  it('round-trips every quarter hour of both DST change days, except that a repeated hour reads back as its first instance', () => {
    for (const [zone, day] of [
      [BERLIN, '2025-03-30'],
      [BERLIN, '2025-10-26'],
      [NEW_YORK, '2025-03-09'],
      [NEW_YORK, '2025-11-02'],
    ] as const) {
      const start = at(`${day}T00:00:00Z`) - 86_400_000;
      const earlierInstance: string[] = [];
      for (let t = start; t < start + 3 * 86_400_000; t += 900_000) {
        const text = formatTencentDateTime(t, zone);
        const back = parseTencentDateTime(text, zone);
        if (back === t) continue;
        // Only the second instance of a repeated wall time may differ, by exactly the DST hour.
        expect(back, `${zone} ${text}`).toBe(t - 3_600_000);
        earlierInstance.push(text.slice(11, 16));
      }
      const repeated =
        day.endsWith('-03-30') || day.endsWith('-03-09') ? [] : zone === BERLIN ? ['02:00', '02:15', '02:30', '02:45'] : ['01:00', '01:15', '01:30', '01:45'];
      expect(earlierInstance, `${zone} ${day}`).toEqual(repeated);
    }
  });

  it('throws a ScheduleError for an instant that is not a number or a zone that is unknown', () => {
    expect(() => formatTencentDateTime(Number.NaN, TENCENT_TIME_ZONE)).toThrow(ScheduleError);
    expect(() => formatTencentDateTime(0, 'Mars/Olympus')).toThrow(ScheduleError);
  });
});
