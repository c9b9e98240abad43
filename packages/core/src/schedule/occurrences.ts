import { cronInstantsAfter } from './cron.ts';
import { intervalIndexAfter, intervalInstant } from './interval.ts';
import { ScheduleError } from './schedule-error.ts';
import { assertScheduleShape } from './schedule-shape.ts';
import { isEpochMs, type Occurrence, type TaskSchedule } from './task-schedule.ts';

type CronSchedule = Extract<TaskSchedule, { kind: 'cron' }>;
type RecurringSchedule = Extract<TaskSchedule, { kind: 'interval' | 'cron' }>;

/** Default of `scanLimit`: how many cron instants one call may step through. */
export const DEFAULT_SCAN_LIMIT = 100_000;

/** Options of the occurrence searches; every field documents its default. */
export interface OccurrenceSearchOptions {
  /**
   * A known occurrence of the SAME schedule (as returned by these functions or `planRunStart`) to
   * count from instead of occurrence 1. Only cron needs it: cron occurrences are numbered by
   * stepping from `beginAt`, so a long-running cron task should pass its last run. Trusted, not
   * re-verified; ignored when it lies after the target. Default: none.
   */
  readonly from?: Occurrence;
  /**
   * Most occurrences one call may step through before it throws
   * `ScheduleError('ScanLimitExceeded')` instead of blocking the worker. Default 100 000.
   */
  readonly scanLimit?: number;
}

function requireAnchor(schedule: CronSchedule): number {
  if (schedule.beginAt === undefined) {
    throw new ScheduleError('UnanchoredSchedule', 'a cron schedule needs beginAt before occurrences can be numbered; use anchorSchedule', {
      context: { schedule },
    });
  }
  return schedule.beginAt;
}

/** Occurrence 1 of an anchored cron schedule; undefined when no instant lies between beginAt and LATEST_SCHEDULE_MS. */
function firstCronOccurrence(schedule: CronSchedule): Occurrence | undefined {
  const beginAt = requireAnchor(schedule);
  const at = cronInstantsAfter(schedule.expression, schedule.timeZone, beginAt - 1).next().value;
  return at === undefined ? undefined : { n: 1, at };
}

/** True when `occurrence` is inside `endAt` and `maxOccurrences`. */
export function withinLimits(schedule: TaskSchedule, occurrence: Occurrence): boolean {
  if (schedule.kind === 'now' || schedule.kind === 'once') return occurrence.n === 1;
  return (
    (schedule.maxOccurrences === undefined || occurrence.n <= schedule.maxOccurrences) && (schedule.endAt === undefined || occurrence.at <= schedule.endAt)
  );
}

function* unlimitedAfter(schedule: RecurringSchedule, from: Occurrence): Generator<Occurrence, void> {
  if (schedule.kind === 'interval') {
    for (let n = from.n + 1; ; n += 1) {
      const at = intervalInstant(schedule, n);
      if (at === undefined) return;
      yield { n, at };
    }
  }
  let n = from.n;
  for (const at of cronInstantsAfter(schedule.expression, schedule.timeZone, from.at)) {
    n += 1;
    yield { n, at };
  }
}

/**
 * The occurrences after `from` (a valid occurrence of `schedule`), ascending, ending where the
 * schedule ends. Throws `ScheduleError('ScanLimitExceeded')` before yielding more than `scanLimit`.
 * The schedule must already be checked.
 */
export function* occurrencesAfter(schedule: TaskSchedule, from: Occurrence, scanLimit: number): Generator<Occurrence, void> {
  if (schedule.kind === 'now' || schedule.kind === 'once') return;
  let steps = 0;
  for (const occurrence of unlimitedAfter(schedule, from)) {
    if (!withinLimits(schedule, occurrence)) return;
    steps += 1;
    if (steps > scanLimit) {
      throw new ScheduleError('ScanLimitExceeded', `stepped through more than ${scanLimit} occurrences; pass a nearer 'from' occurrence`, {
        context: { schedule, from, scanLimit },
      });
    }
    yield occurrence;
  }
}

/**
 * True when `occurrence` is a slot of `schedule` (limits ignored). Exact for now/once/interval;
 * for cron it checks the instant (a cron instant ≥ beginAt, and the first one when n = 1) but
 * cannot check `n` without stepping from `beginAt`.
 */
export function isOccurrence(schedule: TaskSchedule, occurrence: Occurrence): boolean {
  const { n, at } = occurrence;
  if (!Number.isSafeInteger(n) || n < 1 || !isEpochMs(at)) return false;
  switch (schedule.kind) {
    case 'now':
      return n === 1;
    case 'once':
      return n === 1 && at === schedule.at;
    case 'interval':
      return intervalInstant(schedule, n) === at;
    case 'cron': {
      const first = firstCronOccurrence(schedule);
      if (first === undefined) return false;
      if (n === 1 || at <= first.at) return n === 1 && at === first.at;
      return cronInstantsAfter(schedule.expression, schedule.timeZone, at - 1).next().value === at;
    }
  }
}

function scanLimitOf(options: OccurrenceSearchOptions): number {
  const limit = options.scanLimit ?? DEFAULT_SCAN_LIMIT;
  if (!(Number.isSafeInteger(limit) && limit >= 1)) {
    throw new ScheduleError('InvalidLimit', `scanLimit must be a positive integer, got ${limit}`);
  }
  return limit;
}

/**
 * Fills what a schedule needs to be stored: a cron schedule without `beginAt` is anchored at
 * `acceptedAtMs` (the task's acceptance time), so its occurrences get stable numbers. Every other
 * schedule is returned unchanged. Call once, when the task is accepted, and store the result.
 */
export function anchorSchedule(schedule: TaskSchedule, acceptedAtMs: number): TaskSchedule {
  if (schedule.kind !== 'cron' || schedule.beginAt !== undefined) return schedule;
  if (!isEpochMs(acceptedAtMs)) throw new ScheduleError('InvalidTime', `acceptedAtMs must be an integral epoch-ms instant, got ${acceptedAtMs}`);
  return { ...schedule, beginAt: acceptedAtMs };
}

/**
 * Run 1 of a task accepted at `acceptedAtMs`: `now` → that instant; otherwise occurrence 1 of the
 * anchored schedule. Undefined when the schedule has no occurrence at all (e.g. a cron window
 * without a matching instant).
 */
export function firstOccurrence(schedule: TaskSchedule, acceptedAtMs: number, options: OccurrenceSearchOptions = {}): Occurrence | undefined {
  if (schedule.kind === 'now') {
    assertScheduleShape(schedule);
    if (!isEpochMs(acceptedAtMs)) throw new ScheduleError('InvalidTime', `acceptedAtMs must be an integral epoch-ms instant, got ${acceptedAtMs}`);
    return { n: 1, at: acceptedAtMs };
  }
  const at = occurrenceAt(anchorSchedule(schedule, acceptedAtMs), 1, options);
  return at === undefined ? undefined : { n: 1, at };
}

/**
 * The planned instant of occurrence `n` (1-based). Undefined when there is no such occurrence:
 * `n` is not a positive integer, it is past `maxOccurrences`, `endAt` or `LATEST_SCHEDULE_MS`
 * (end of year 9999), the schedule is `once`
 * and n > 1, or the schedule is `now` (whose only occurrence has no planned time: it is the
 * acceptance time the caller holds). Pure: the same arguments always give the same answer.
 * Throws `ScheduleError` for an invalid or unanchored schedule, or past `scanLimit` (cron only).
 */
export function occurrenceAt(schedule: TaskSchedule, n: number, options: OccurrenceSearchOptions = {}): number | undefined {
  assertScheduleShape(schedule);
  const scanLimit = scanLimitOf(options);
  if (!Number.isSafeInteger(n) || n < 1) return undefined;
  switch (schedule.kind) {
    case 'now':
      return undefined;
    case 'once':
      return n === 1 ? schedule.at : undefined;
    case 'interval': {
      const at = intervalInstant(schedule, n);
      return at !== undefined && withinLimits(schedule, { n, at }) ? at : undefined;
    }
    case 'cron': {
      if (schedule.maxOccurrences !== undefined && n > schedule.maxOccurrences) return undefined;
      const hint = options.from;
      const start = hint !== undefined && hint.n <= n ? hint : firstCronOccurrence(schedule);
      if (start === undefined || !withinLimits(schedule, start)) return undefined;
      if (start.n === n) return start.at;
      for (const occurrence of occurrencesAfter(schedule, start, scanLimit)) {
        if (occurrence.n === n) return occurrence.at;
      }
      return undefined;
    }
  }
}

/**
 * The first occurrence strictly after `afterMs`, with its number; undefined when the schedule has
 * ended by then (`endAt`, `maxOccurrences`, a `once` in the past) and always for `now`.
 * Interval and once are O(1); cron steps from `options.from` (or occurrence 1).
 * Throws `ScheduleError` for an invalid or unanchored schedule, a non-finite `afterMs`, or past
 * `scanLimit`.
 */
export function nextOccurrence(schedule: TaskSchedule, afterMs: number, options: OccurrenceSearchOptions = {}): Occurrence | undefined {
  assertScheduleShape(schedule);
  const scanLimit = scanLimitOf(options);
  if (!Number.isFinite(afterMs)) throw new ScheduleError('InvalidTime', `afterMs must be a finite instant, got ${afterMs}`);
  switch (schedule.kind) {
    case 'now':
      return undefined;
    case 'once':
      return schedule.at > afterMs ? { n: 1, at: schedule.at } : undefined;
    case 'interval': {
      const n = intervalIndexAfter(schedule, afterMs);
      const at = intervalInstant(schedule, n);
      return at !== undefined && withinLimits(schedule, { n, at }) ? { n, at } : undefined;
    }
    case 'cron': {
      if (schedule.endAt !== undefined && schedule.endAt <= afterMs) return undefined;
      const hint = options.from;
      const start = hint !== undefined && hint.at <= afterMs ? hint : firstCronOccurrence(schedule);
      if (start === undefined) return undefined;
      if (start.at > afterMs) return withinLimits(schedule, start) ? start : undefined;
      for (const occurrence of occurrencesAfter(schedule, start, scanLimit)) {
        if (occurrence.at > afterMs) return occurrence;
      }
      return undefined;
    }
  }
}
