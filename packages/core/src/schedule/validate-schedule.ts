import { occurrenceAt } from './occurrences.ts';
import { checkScheduleShape } from './schedule-shape.ts';
import { SCHEDULE_OK, type ScheduleCheck, scheduleProblem, type TaskSchedule } from './task-schedule.ts';

/**
 * Checks a schedule before it is stored. Guarantees `ok` only when every field is valid (see
 * `checkScheduleShape`: integral epoch-ms instants, intervalHours 1…876 000, IANA zone, cron per
 * `validateCron`, maxOccurrences ≥ 1, endAt ≥ beginAt) and, when its start is known, it has at
 * least one occurrence (`EmptySchedule` otherwise, e.g. a cron window with no matching instant).
 * It does not compare with the current time: refusing a begin in the past is the engine's job
 * (`planSchedule` in packages/engine/src/campaigns/schedule.ts), with its clock.
 */
export function validateSchedule(schedule: TaskSchedule): ScheduleCheck {
  const shape = checkScheduleShape(schedule);
  if (!shape.ok) return shape;
  if (schedule.kind === 'now' || (schedule.kind === 'cron' && schedule.beginAt === undefined)) return SCHEDULE_OK;
  return occurrenceAt(schedule, 1) === undefined ? scheduleProblem('EmptySchedule', 'the schedule has no occurrence') : SCHEDULE_OK;
}
