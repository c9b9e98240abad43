// Public surface of the schedule math; packages/core/src/index.ts re-exports exactly this list.
export { type ScheduleErrorCode, ScheduleError } from './schedule-error.ts';
export type { TaskSchedule, Occurrence, ScheduleCheck } from './task-schedule.ts';
export { LATEST_SCHEDULE_MS, isSchedulableMs } from './task-schedule.ts';
export { TENCENT_TIME_ZONE, isValidTimeZone } from './zoned-time.ts';
export { parseTencentDateTime, formatTencentDateTime, tryFormatTencentDateTime } from './tencent-date-time.ts';
export { validateCron } from './cron.ts';
export { MAX_INTERVAL_HOURS } from './schedule-shape.ts';
export { validateSchedule } from './validate-schedule.ts';
export {
  type OccurrenceSearchOptions,
  DEFAULT_SCAN_LIMIT,
  anchorSchedule,
  firstOccurrence,
  occurrenceAt,
  nextOccurrence,
} from './occurrences.ts';
export {
  type RunStartInput,
  type RunStartPlan,
  DEFAULT_RUN_START_GRACE_MS,
  DEFAULT_MISSED_LIMIT,
  planRunStart,
} from './plan-run-start.ts';
