import type { ScheduleErrorCode } from './schedule-error.ts';

/**
 * When a batch task runs. All instants are epoch milliseconds (UTC); `timeZone` is an IANA name
 * and only matters where wall-clock arithmetic happens (24 h multiples of `interval`, `cron`).
 *
 * - `now` (Tencent TaskType 1): one run, as soon as the task is accepted. The schedule holds no
 *   time: the caller's acceptance time is that occurrence's time.
 * - `once` (TaskType 2, `TimedParam.BeginTime`): one run at `at`.
 * - `interval` (TaskType 3, `CycleParam`): occurrence n at `beginAt` + (n - 1) × `intervalHours`,
 *   see `interval.ts` for how hours are added across DST.
 * - `cron` (TaskType 3, `CronParam` extension): the cron instants ≥ `beginAt` in `timeZone`.
 *   A stored cron schedule must be anchored (`beginAt` set, see `anchorSchedule`) because
 *   occurrences are numbered from it.
 *
 * `endAt` is inclusive (an occurrence exactly at `endAt` still happens) and `maxOccurrences`
 * counts schedule slots, missed ones included, so where a schedule ends is a pure function of the
 * schedule, never of what the workers managed to run.
 */
export type TaskSchedule =
  | { kind: 'now' }
  | { kind: 'once'; at: number }
  | { kind: 'interval'; beginAt: number; intervalHours: number; timeZone: string; endAt?: number; maxOccurrences?: number }
  | { kind: 'cron'; expression: string; timeZone: string; beginAt?: number; endAt?: number; maxOccurrences?: number };

/** One slot of a schedule: its 1-based number and its planned instant (epoch ms). */
export interface Occurrence {
  readonly n: number;
  readonly at: number;
}

/** Outcome of a validation: `ok`, or a stable code plus a human message naming the bad value. */
export type ScheduleCheck = { readonly ok: true } | { readonly ok: false; readonly code: ScheduleErrorCode; readonly message: string };

export const SCHEDULE_OK: ScheduleCheck = { ok: true };

/** A failed {@link ScheduleCheck}. */
export function scheduleProblem(code: ScheduleErrorCode, message: string): ScheduleCheck {
  return { ok: false, code, message };
}

/** Largest |epoch ms| a JavaScript `Date` can represent. */
export const MAX_EPOCH_MS = 8.64e15;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** True when `value` is an integral epoch-ms a `Date` can hold. */
export function isEpochMs(value: number): boolean {
  return Number.isInteger(value) && Math.abs(value) <= MAX_EPOCH_MS;
}

/**
 * The last instant a schedule may plan: 9999-12-30 23:59:59.999 UTC. Every time zone (UTC−12 to
 * UTC+14) still shows it as a day of year 9999, so any planned instant can be written as Tencent's
 * `"YYYY-MM-DD hh:mm:ss"` in any zone; a schedule whose next slot would be later has ended.
 */
export const LATEST_SCHEDULE_MS = Date.UTC(9999, 11, 31) - 1;

// 0000-01-03 00:00 UTC: two days of margin, because before 1900 some zones kept local mean
// offsets of up to ±16 h (Date.UTC cannot be used: it maps years 0–99 to 1900–1999).
const earliest = new Date(0);
earliest.setUTCFullYear(0, 0, 3);

/** The first instant a schedule may plan: 0000-01-03 00:00 UTC, a day of year 0000 in every zone. */
export const EARLIEST_SCHEDULE_MS = earliest.getTime();

/**
 * True when `value` is an integral epoch-ms a schedule may plan: between {@link EARLIEST_SCHEDULE_MS}
 * and {@link LATEST_SCHEDULE_MS}, so `formatTencentDateTime` writes it in every zone.
 */
export function isSchedulableMs(value: number): boolean {
  return Number.isInteger(value) && value >= EARLIEST_SCHEDULE_MS && value <= LATEST_SCHEDULE_MS;
}
