// Public surface of the schedule math; packages/core/src/index.ts re-exports exactly this list.

export { validateCron } from './cron.ts';
export {
  anchorSchedule,
  DEFAULT_SCAN_LIMIT,
  firstOccurrence,
  nextOccurrence,
  type OccurrenceSearchOptions,
  occurrenceAt,
} from './occurrences.ts';
export {
  DEFAULT_MISSED_LIMIT,
  DEFAULT_RUN_START_GRACE_MS,
  planRunStart,
  type RunStartInput,
  type RunStartPlan,
} from './plan-run-start.ts';
export { ScheduleError, type ScheduleErrorCode } from './schedule-error.ts';
export { MAX_INTERVAL_HOURS } from './schedule-shape.ts';
export type { Occurrence, ScheduleCheck, TaskSchedule } from './task-schedule.ts';
export { isSchedulableMs, LATEST_SCHEDULE_MS } from './task-schedule.ts';
export { formatTencentDateTime, parseTencentDateTime, tryFormatTencentDateTime } from './tencent-date-time.ts';
export { validateSchedule } from './validate-schedule.ts';
export { isValidTimeZone, TENCENT_TIME_ZONE } from './zoned-time.ts';
