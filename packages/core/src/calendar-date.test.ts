import { describe, expect, it } from 'vitest';
import { isCalendarDate, nextCalendarDate } from './calendar-date.ts';

describe('calendar dates', () => {
  it('accepts only real YYYY-MM-DD dates from 0000-01-01 to 9999-12-31', () => {
    for (const value of ['0000-01-01', '2024-02-29', '9999-12-31']) expect(isCalendarDate(value), value).toBe(true);
    for (const value of ['2026-02-30', '2025-02-29', '2026-13-01', '2026-00-10', '10000-01-01', '2026-1-1', '2026-01-01 00:00:00', '']) {
      expect(isCalendarDate(value), value).toBe(false);
    }
  });

  it('gives the next day across month, leap-year and year ends, and undefined after 9999-12-31 instead of a five-digit year', () => {
    expect(nextCalendarDate('2024-02-28')).toBe('2024-02-29');
    expect(nextCalendarDate('2025-02-28')).toBe('2025-03-01');
    expect(nextCalendarDate('0000-12-31')).toBe('0001-01-01');
    expect(nextCalendarDate('9999-12-30')).toBe('9999-12-31');
    expect(nextCalendarDate('9999-12-31')).toBeUndefined();
    expect(nextCalendarDate('2026-02-30')).toBeUndefined();
  });
});
