import type { CampaignTaskSpec, MessageLimits, TaskScheduleParams, TrackingSwitch } from '@postmill/core';
import type { SendRateAnnouncement, TaskView } from '@postmill/store';
import type { ScheduleInput } from './campaigns/schedule-input.ts';
import type { AttachmentInput, InlineContent, TemplateContent } from './message-operations.ts';

/** A campaign: one message to every address of a receiver list, now, once later, or recurring. */
export interface CreateCampaignInput {
  /** `addr@domain` or `Alias <addr@domain>`; the address must be a created sender. */
  readonly from: string;
  readonly receiverId: number;
  readonly subject: string;
  readonly replyTo?: string;
  /** Absent: refused with `missing-parameter` (field `content`). */
  readonly content?: InlineContent | TemplateContent;
  readonly attachments?: readonly AttachmentInput[];
  /** Unsubscribe option "0" to "12". Default "0". */
  readonly unsubscribe?: string;
  /** Where the advertisement marker goes: 0 none, 1 subject start, 2 subject end. Default 0. */
  readonly adLocation?: number;
  /**
   * When it runs (see ScheduleInput; its times are read in its zone, default the deployment's):
   * `invalid-input` / `invalid-date` (`format`, `past`, `range`) with a `schedule.*` field, and a
   * run must exist between now and the end of year 9999.
   */
  readonly schedule: ScheduleInput;
  /** The dialect's kind of task (stored with it, shown back in listings). */
  readonly taskType: number;
  /** The schedule as the caller wrote it (stored with the task, shown back in listings). */
  readonly params: TaskScheduleParams;
  /** A tag for statistics (see StatisticsReportInput.tag); the dialect checks it names a tag. */
  readonly tag?: string;
  /** Open/click tracking as the dialect's switch says; absent: the deployment's per-domain setting (TRACKING_DOMAINS). */
  readonly tracking?: TrackingSwitch;
}

/** How one campaign is created; every field documents its default. */
export interface CreateCampaignOptions {
  /**
   * The caps its message is checked against (subject length, attachment count and bytes), as for
   * a single message (AcceptOptions.limits). Default: the deployment's Limits.
   */
  readonly limits?: MessageLimits;
}

/** Filters of a task listing; each one given narrows it. */
export interface CampaignListQuery {
  readonly offset: number;
  readonly limit: number;
  /** Only tasks in this status (a TaskStatus code, or one of `unassignedStatuses`); else `invalid-input`. */
  readonly status?: number;
  /**
   * Statuses a dialect accepts as filters although Postmill never assigns them (Tencent's 6,
   * "paused for today"): they match nothing. Default none.
   */
  readonly unassignedStatuses?: readonly number[];
  readonly receiverId?: number;
  readonly taskType?: number;
}

/** Creating, steering and reading campaigns (tasks). */
export interface CampaignOperations {
  /** Validates everything, snapshots the content and queues the first run durably before answering the task id. */
  create(input: CreateCampaignInput, options?: CreateCampaignOptions): Promise<{ taskId: number }>;
  /** One task with live counts; `task-not-found` when it does not exist. */
  get(taskId: number): Promise<TaskView<CampaignTaskSpec>>;
  /** A page of tasks in creation order: `limit-exceeded` (`page-size`), `invalid-input` (`status`). */
  list(query: CampaignListQuery): Promise<{ total: number; items: TaskView<CampaignTaskSpec>[] }>;
  /** Stops sending within a second; `task-not-found` / `task-state-conflict`. */
  pause(taskId: number): Promise<void>;
  /** Continues where it stopped, without loss or duplicates. */
  resume(taskId: number): Promise<void>;
  /** No more mail; pending recipients end as cancelled. */
  cancel(taskId: number): Promise<void>;
  /** Sends again to the current run's transient failures; answers how many. */
  retryFailures(taskId: number): Promise<{ retried: number }>;
  /** The send rate the workers last announced (for progress displays), if any is current. */
  sendRate(): Promise<SendRateAnnouncement | undefined>;
}
