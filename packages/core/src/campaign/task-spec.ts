import type { TaskSchedule } from '../schedule/task-schedule.ts';
import type { CampaignContent } from './campaign-message.ts';

/** Tencent's schedule parameters as the caller gave them (echoed by ListSendTasks). */
export interface TaskScheduleParams {
  readonly TimedParam?: { readonly BeginTime: string };
  readonly CycleParam?: {
    readonly BeginTime: string;
    readonly IntervalTime: number;
    readonly TermCycle?: number | undefined;
    readonly EndTime?: string | undefined;
    readonly MaxOccurrences?: number | undefined;
  };
  readonly CronParam?: {
    readonly Expression: string;
    readonly TimeZone?: string | undefined;
    readonly BeginTime?: string | undefined;
    readonly EndTime?: string | undefined;
    readonly MaxOccurrences?: number | undefined;
  };
}

/**
 * A stored batch task (BatchSendEmail). Guarantees: the template is snapshotted at creation, so
 * every run of the task sends the same content even if the template is edited later.
 */
export interface CampaignTaskSpec extends CampaignContent {
  readonly receiverId: number;
  readonly receiversName: string;
  readonly templateId: number;
  /** 1 now, 2 at BeginTime, 3 recurring. */
  readonly taskType: number;
  /** The parsed schedule (see the schedule module); JSON-serialisable. */
  readonly schedule: TaskSchedule;
  readonly params: TaskScheduleParams;
}
