import { PostmillError } from '../errors.ts';

/** Stable machine codes of {@link ScheduleError}. */
export type ScheduleErrorCode =
  | 'InvalidSchedule'
  | 'InvalidTimeZone'
  | 'InvalidCronExpression'
  | 'InvalidInterval'
  | 'InvalidTime'
  | 'InvalidLimit'
  | 'EmptySchedule'
  | 'UnanchoredSchedule'
  | 'InvalidOccurrence'
  | 'ScanLimitExceeded';

/**
 * A schedule, time zone, cron expression or occurrence the schedule math cannot work with.
 * Guarantees a stable `code` from {@link ScheduleErrorCode}; the engine turns what a caller sent
 * into an EngineError (its schedule is planned before a campaign is stored, so reaching this in a
 * worker is a bug or a corrupted stored spec and should fail the job permanently).
 */
export class ScheduleError extends PostmillError {
  override readonly name = 'ScheduleError';
  declare readonly code: ScheduleErrorCode;
  constructor(code: ScheduleErrorCode, message: string, options: { cause?: unknown; context?: Record<string, unknown> } = {}) {
    super(code, message, options);
  }
}
