import { isTaskSettled, isTaskStatus, TaskStatus } from '@postmill/core';

/** Tencent's SendTaskData; Postmill's extension fields are optional (Tencent's own API lacks them). */
export interface SendTask {
  readonly TaskId: number;
  readonly FromEmailAddress: string;
  readonly ReceiverId: number;
  readonly TaskStatus: number;
  readonly TaskType: number;
  readonly RequestCount: number;
  readonly SendCount: number;
  readonly CacheCount: number;
  readonly CreateTime: string;
  readonly UpdateTime: string;
  readonly Subject: string;
  readonly Template?: { readonly TemplateID: number; readonly TemplateData?: string } | null;
  readonly CycleParam?: { readonly BeginTime: string; readonly IntervalTime: number; readonly TermCycle?: number } | null;
  readonly TimedParam?: { readonly BeginTime: string } | null;
  readonly CronParam?: { readonly Expression: string; readonly TimeZone?: string; readonly BeginTime?: string; readonly EndTime?: string } | null;
  readonly ErrMsg?: string | null;
  readonly ReceiversName?: string;
  readonly FailedCount?: number;
  readonly DeferredCount?: number;
  readonly CancelledCount?: number;
  readonly RunCount?: number;
  readonly CurrentRun?: number;
  readonly NextRunTime?: string;
  readonly MissedOccurrences?: readonly string[];
}

const STATUS_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(TaskStatus).map(([name, code]) => [code, name.toLowerCase()]));

/** `pending`, `sending`, `error`, `done`, `paused`, `cancelled`, or `status <n>` for a code Postmill does not define. */
export function taskStatusName(code: number): string {
  return STATUS_NAMES.get(code) ?? `status ${code}`;
}

/** Reads `--status`: a code (`5`) or a name (`sending`); undefined when it is neither. */
export function parseTaskStatus(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/u.test(trimmed)) return Number(trimmed);
  for (const [code, name] of STATUS_NAMES) if (name === trimmed) return code;
  return undefined;
}

/** BatchSendEmail's TaskType values. */
export const TaskType = { Now: 1, Timed: 2, Recurring: 3 } as const;
const TYPE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(TaskType).map(([name, code]) => [code, name.toLowerCase()]));

/** `now`, `timed`, `recurring`, or `type <n>`. */
export function taskTypeName(code: number): string {
  return TYPE_NAMES.get(code) ?? `type ${code}`;
}

/** True when watching can stop: done, cancelled, or stopped with a sending error (Tencent's 7). */
export function isWatchFinished(status: number): boolean {
  return isTaskStatus(status) && (isTaskSettled(status) || status === TaskStatus.Error);
}

/** True when the task finished sending (status 10). */
export function isTaskDone(status: number): boolean {
  return status === TaskStatus.Done;
}
