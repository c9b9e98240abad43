import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { occurrenceAt } from './occurrences.ts';
import { planRunStart, type RunStartInput } from './plan-run-start.ts';
import type { Occurrence, TaskSchedule } from './task-schedule.ts';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const beginAt = at('2025-05-01T08:00:00Z');
const hourly: TaskSchedule = { kind: 'interval', beginAt, intervalHours: 1, timeZone: 'Asia/Shanghai' };
const slot = (schedule: TaskSchedule, n: number): Occurrence => ({ n, at: occurrenceAt(schedule, n) as number });

describe('planRunStart', () => {
  it('starts the planned run on time and plans the following slot', () => {
    expect(planRunStart({ schedule: hourly, plannedN: 2, plannedAt: beginAt + HOUR, nowMs: beginAt + HOUR })).toEqual({
      runNow: true,
      run: slot(hourly, 2),
      missed: [],
      missedCount: 0,
      next: slot(hourly, 3),
    });
  });

  it('still starts a late run once when no later slot has passed', () => {
    const plan = planRunStart({ schedule: hourly, plannedN: 2, plannedAt: beginAt + HOUR, nowMs: beginAt + HOUR + 59 * 60_000 });
    expect(plan).toEqual({ runNow: true, run: slot(hourly, 2), missed: [], missedCount: 0, next: slot(hourly, 3) });
  });

  it('after being down for 3.5 intervals runs once now as the latest due slot, records the 3 earlier slots as missed and plans the next future slot', () => {
    const clock = new ManualClock(beginAt + HOUR);
    clock.advance(3.5 * HOUR);
    const plan = planRunStart({ schedule: hourly, plannedN: 2, plannedAt: beginAt + HOUR, nowMs: clock.now() });
    expect(plan).toEqual({
      runNow: true,
      run: slot(hourly, 5),
      missed: [slot(hourly, 2), slot(hourly, 3), slot(hourly, 4)],
      missedCount: 3,
      next: slot(hourly, 6),
    });
    expect(plan.next?.at).toBeGreaterThan(clock.now());
  });

  it('keeps the planned slot when the job is within graceMs even though a later slot has passed too', () => {
    const everyTwoSeconds: TaskSchedule = { kind: 'cron', expression: '*/2 * * * * *', timeZone: 'UTC', beginAt };
    const plan = planRunStart({ schedule: everyTwoSeconds, plannedN: 1, plannedAt: beginAt, nowMs: beginAt + 5_000, graceMs: 10_000 });
    expect(plan).toEqual({
      runNow: true,
      run: { n: 1, at: beginAt },
      missed: [
        { n: 2, at: beginAt + 2_000 },
        { n: 3, at: beginAt + 4_000 },
      ],
      missedCount: 2,
      next: { n: 4, at: beginAt + 6_000 },
    });
    expect(planRunStart({ schedule: everyTwoSeconds, plannedN: 1, plannedAt: beginAt, nowMs: beginAt + 5_000, graceMs: 1_000 }).run).toEqual({
      n: 3,
      at: beginAt + 4_000,
    });
  });

  it('runs the latest due weekday across a weekend and the DST change when a weekday cron was down since Friday', () => {
    const weekdays: TaskSchedule = { kind: 'cron', expression: '0 9 * * 1-5', timeZone: 'Europe/Berlin', beginAt: at('2025-03-24T00:00:00Z') };
    const friday = { n: 5, at: at('2025-03-28T08:00:00Z') };
    expect(slot(weekdays, 5)).toEqual(friday);
    const plan = planRunStart({ schedule: weekdays, plannedN: 5, plannedAt: friday.at, nowMs: at('2025-04-01T07:30:00Z') });
    expect(plan).toEqual({
      runNow: true,
      run: { n: 7, at: at('2025-04-01T07:00:00Z') },
      missed: [friday, { n: 6, at: at('2025-03-31T07:00:00Z') }],
      missedCount: 2,
      next: { n: 8, at: at('2025-04-02T07:00:00Z') },
    });
  });

  it('returns the same plan for the same input, so a retried start job cannot start a second run', () => {
    const input: RunStartInput = { schedule: hourly, plannedN: 2, plannedAt: beginAt + HOUR, nowMs: beginAt + 4.5 * HOUR };
    const first = planRunStart(input);
    const retried = planRunStart({ ...input });
    expect(retried).toEqual(first);
    // Inside the same slot a later retry clock changes nothing either.
    expect(planRunStart({ ...input, nowMs: beginAt + 4.9 * HOUR })).toEqual(first);
  });

  it('runs every slot or records it as missed exactly once, never both, however the workers come and go', () => {
    const schedule: TaskSchedule = { kind: 'interval', beginAt, intervalHours: 1, timeZone: 'Europe/Berlin', maxOccurrences: 40 };
    // Worker availability: down windows in hours after beginAt.
    const downWindows: [number, number][] = [
      [2.5, 6.2],
      [10.1, 10.9],
      [20, 31.5],
    ];
    const upAt = (t: number) => {
      for (const [from, to] of downWindows) if (t >= beginAt + from * HOUR && t < beginAt + to * HOUR) return beginAt + to * HOUR;
      return t;
    };
    const seen: number[] = [];
    let pending: Occurrence | undefined = slot(schedule, 1);
    let safety = 0;
    while (pending !== undefined && safety++ < 100) {
      // The delayed job fires when due, or when a worker is back, plus some queue latency.
      const nowMs = upAt(pending.at) + 1_234;
      const plan = planRunStart({ schedule, plannedN: pending.n, plannedAt: pending.at, nowMs });
      expect(planRunStart({ schedule, plannedN: pending.n, plannedAt: pending.at, nowMs })).toEqual(plan);
      for (const missed of plan.missed) seen.push(missed.n);
      if (plan.run !== undefined) seen.push(plan.run.n);
      pending = plan.next;
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('does not run a job that fired early and plans its own slot again', () => {
    expect(planRunStart({ schedule: hourly, plannedN: 3, plannedAt: beginAt + 2 * HOUR, nowMs: beginAt + 2 * HOUR - 5 })).toEqual({
      runNow: false,
      missed: [],
      missedCount: 0,
      next: slot(hourly, 3),
    });
  });

  it('runs the last slot and records the earlier ones when maxOccurrences or endAt passed while everything was down', () => {
    const limited: TaskSchedule = { ...hourly, maxOccurrences: 3 };
    expect(planRunStart({ schedule: limited, plannedN: 1, plannedAt: beginAt, nowMs: beginAt + 10 * HOUR })).toEqual({
      runNow: true,
      run: slot(limited, 3),
      missed: [slot(limited, 1), slot(limited, 2)],
      missedCount: 2,
    });
    const ending: TaskSchedule = { ...hourly, endAt: beginAt + HOUR };
    expect(planRunStart({ schedule: ending, plannedN: 1, plannedAt: beginAt, nowMs: beginAt + 10 * HOUR })).toEqual({
      runNow: true,
      run: slot(ending, 2),
      missed: [slot(ending, 1)],
      missedCount: 1,
    });
  });

  it('does nothing for a slot beyond the end of a schedule that changed after the job was queued', () => {
    expect(planRunStart({ schedule: { ...hourly, maxOccurrences: 2 }, plannedN: 3, plannedAt: beginAt + 2 * HOUR, nowMs: beginAt + 2 * HOUR })).toEqual({
      runNow: false,
      missed: [],
      missedCount: 0,
    });
  });

  it('runs a once task late without planning another run, and a now task immediately', () => {
    expect(planRunStart({ schedule: { kind: 'once', at: beginAt }, plannedN: 1, plannedAt: beginAt, nowMs: beginAt + 48 * HOUR })).toEqual({
      runNow: true,
      run: { n: 1, at: beginAt },
      missed: [],
      missedCount: 0,
    });
    expect(planRunStart({ schedule: { kind: 'now' }, plannedN: 1, plannedAt: beginAt, nowMs: beginAt - 20 })).toEqual({
      runNow: true,
      run: { n: 1, at: beginAt },
      missed: [],
      missedCount: 0,
    });
  });

  it('lists at most missedLimit missed slots, the earliest, while counting all of them', () => {
    const plan = planRunStart({ schedule: hourly, plannedN: 1, plannedAt: beginAt, nowMs: beginAt + 100.5 * HOUR, missedLimit: 3 });
    expect(plan.run).toEqual(slot(hourly, 101));
    expect(plan.missed).toEqual([slot(hourly, 1), slot(hourly, 2), slot(hourly, 3)]);
    expect(plan.missedCount).toBe(100);
    expect(plan.next).toEqual(slot(hourly, 102));
    expect(planRunStart({ schedule: hourly, plannedN: 1, plannedAt: beginAt, nowMs: beginAt + 100.5 * HOUR, missedLimit: 0 }).missed).toEqual([]);
  });

  it('throws InvalidOccurrence for a planned slot that is not part of the schedule', () => {
    for (const [plannedN, plannedAt] of [
      [2, beginAt],
      [0, beginAt - HOUR],
      [1.5, beginAt],
    ] as const) {
      expect(() => planRunStart({ schedule: hourly, plannedN, plannedAt, nowMs: beginAt + 10 * HOUR })).toThrow(
        expect.objectContaining({ name: 'ScheduleError', code: 'InvalidOccurrence' }),
      );
    }
    const cron: TaskSchedule = { kind: 'cron', expression: '0 * * * *', timeZone: 'UTC', beginAt };
    expect(() => planRunStart({ schedule: cron, plannedN: 2, plannedAt: beginAt + 30 * 60_000, nowMs: beginAt + HOUR })).toThrow(
      expect.objectContaining({ code: 'InvalidOccurrence' }),
    );
    expect(() => planRunStart({ schedule: { kind: 'now' }, plannedN: 2, plannedAt: beginAt, nowMs: beginAt })).toThrow(
      expect.objectContaining({ code: 'InvalidOccurrence' }),
    );
  });

  it('throws for bad options and when more slots passed than scanLimit', () => {
    const base: RunStartInput = { schedule: hourly, plannedN: 1, plannedAt: beginAt, nowMs: beginAt + 10.5 * HOUR };
    expect(() => planRunStart({ ...base, graceMs: -1 })).toThrow(expect.objectContaining({ code: 'InvalidLimit' }));
    expect(() => planRunStart({ ...base, missedLimit: -1 })).toThrow(expect.objectContaining({ code: 'InvalidLimit' }));
    expect(() => planRunStart({ ...base, nowMs: Number.NaN })).toThrow(expect.objectContaining({ code: 'InvalidTime' }));
    expect(() => planRunStart({ ...base, scanLimit: 5 })).toThrow(expect.objectContaining({ code: 'ScanLimitExceeded' }));
  });
});
