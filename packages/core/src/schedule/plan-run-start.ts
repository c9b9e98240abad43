import { DEFAULT_SCAN_LIMIT, isOccurrence, occurrencesAfter, withinLimits } from './occurrences.ts';
import { ScheduleError } from './schedule-error.ts';
import { assertScheduleShape } from './schedule-shape.ts';
import type { Occurrence, TaskSchedule } from './task-schedule.ts';

/** Default of `graceMs`: a start job this late still runs under its own occurrence. */
export const DEFAULT_RUN_START_GRACE_MS = 60_000;
/** Default of `missedLimit`: most missed occurrences listed in one plan (all are counted). */
export const DEFAULT_MISSED_LIMIT = 1_000;

/** What the `start-run` job knows when it fires; every option documents its default. */
export interface RunStartInput {
  readonly schedule: TaskSchedule;
  /** Occurrence the job was scheduled for (its jobId's run number). */
  readonly plannedN: number;
  /** That occurrence's planned instant (for `now`: the acceptance time). */
  readonly plannedAt: number;
  /**
   * The instant of the decision. A retried job must pass the instant of its FIRST attempt
   * (persist it before acting), or a slot passing between attempts changes the plan.
   */
  readonly nowMs: number;
  /** Lateness up to which the planned occurrence keeps its identity when later ones are due too. Default 60 000. */
  readonly graceMs?: number;
  /** Most entries of `missed`; the earliest are kept, `missedCount` counts them all. Default 1 000. */
  readonly missedLimit?: number;
  /** Most occurrences stepped through (see `OccurrenceSearchOptions.scanLimit`). Default 100 000. */
  readonly scanLimit?: number;
}

/** The decision of one `start-run` job. */
export interface RunStartPlan {
  /** Start a run now (exactly one). False when the job fired early or its occurrence is past the schedule's end. */
  readonly runNow: boolean;
  /** The occurrence the run started now stands for (its run number and plannedAt); set iff `runNow`. */
  readonly run?: Occurrence;
  /** Due occurrences that will never run (recorded, never replayed), ascending, at most `missedLimit`. */
  readonly missed: readonly Occurrence[];
  /** How many occurrences were missed in total. */
  readonly missedCount: number;
  /**
   * Occurrence to schedule the next `start-run` job for: the first one strictly after `nowMs`
   * (the planned one itself when the job fired early). Absent when the schedule has ended.
   */
  readonly next?: Occurrence;
}

function requireCount(name: string, value: number, min: number): number {
  if (!(Number.isSafeInteger(value) && value >= min)) {
    throw new ScheduleError('InvalidLimit', `${name} must be an integer >= ${min}, got ${value}`, { context: { [name]: value } });
  }
  return value;
}

/**
 * Decides what a `start-run` job for occurrence `plannedN` does at `nowMs`; the heart of
 * "survive every process being down". Guarantees:
 * - at most ONE run starts per call, however late the job is and however many slots passed;
 * - a due occurrence (plannedAt ≤ nowMs) starts once now, even if late;
 * - when more occurrences are due (the job fired after later slots passed, e.g. everything was
 *   down): if the job is at most `graceMs` late, the planned occurrence runs and the later due
 *   ones are missed; otherwise the LATEST due occurrence runs (the freshest, and the one the
 *   world expects next) and every earlier one, the planned one included, is missed;
 * - missed occurrences are only reported, never replayed;
 * - `next` is the first occurrence strictly after `nowMs`, inside `endAt`/`maxOccurrences`
 *   (which count missed slots too), so the follow-up job id `t<id>-r<next.n>` is deterministic;
 * - fired early (nowMs < plannedAt, clock skew or an early promotion): no run, nothing missed,
 *   `next` is the planned occurrence itself (re-delay the job);
 * - occurrence past the schedule's end (the schedule changed after the job was queued): no run,
 *   no `next`;
 * - `now` tasks always run their single occurrence (plannedN must be 1), even with clock skew;
 * - pure: the same input gives the same plan, so a retried job that passes the same `nowMs`
 *   (the first attempt's) makes the same decision and, with the run-creation guard keyed by
 *   `run.n`, cannot double-run.
 * Throws `ScheduleError` for an invalid schedule, a (plannedN, plannedAt) that is not an
 * occurrence of it (`InvalidOccurrence`), bad options, or more than `scanLimit` passed slots.
 */
export function planRunStart(input: RunStartInput): RunStartPlan {
  const { schedule, plannedN, plannedAt, nowMs } = input;
  assertScheduleShape(schedule);
  const graceMs = input.graceMs ?? DEFAULT_RUN_START_GRACE_MS;
  if (!(Number.isFinite(graceMs) && graceMs >= 0)) throw new ScheduleError('InvalidLimit', `graceMs must be >= 0, got ${graceMs}`);
  const missedLimit = requireCount('missedLimit', input.missedLimit ?? DEFAULT_MISSED_LIMIT, 0);
  const scanLimit = requireCount('scanLimit', input.scanLimit ?? DEFAULT_SCAN_LIMIT, 1);
  if (!Number.isFinite(nowMs)) throw new ScheduleError('InvalidTime', `nowMs must be a finite instant, got ${nowMs}`);
  const planned: Occurrence = { n: plannedN, at: plannedAt };
  if (!isOccurrence(schedule, planned)) {
    throw new ScheduleError('InvalidOccurrence', `occurrence ${plannedN} at ${plannedAt} is not a slot of this schedule`, {
      context: { schedule, plannedN, plannedAt },
    });
  }
  if (schedule.kind === 'now') return { runNow: true, run: planned, missed: [], missedCount: 0 };
  if (!withinLimits(schedule, planned)) return { runNow: false, missed: [], missedCount: 0 };
  if (nowMs < plannedAt) return { runNow: false, missed: [], missedCount: 0, next: planned };

  // Walk the slots after the planned one: every one at or before now is due too.
  const due: Occurrence[] = [planned]; // earliest missedLimit + 2 due slots, enough for either choice of run
  let latest = planned;
  let next: Occurrence | undefined;
  for (const occurrence of occurrencesAfter(schedule, planned, scanLimit)) {
    if (occurrence.at > nowMs) {
      next = occurrence;
      break;
    }
    latest = occurrence;
    if (due.length < missedLimit + 2) due.push(occurrence);
  }
  const dueCount = latest.n - planned.n + 1;
  const run = nowMs - plannedAt <= graceMs ? planned : latest;
  const missed = due.filter((occurrence) => occurrence.n !== run.n).slice(0, missedLimit);
  const plan = { runNow: true, run, missed, missedCount: dueCount - 1 };
  return next === undefined ? plan : { ...plan, next };
}
