/**
 * Batch task statuses: Tencent's own codes (1 pending start, 5 sending, 7 sending error,
 * 10 finished) plus Postmill's extensions 11 paused and 12 cancelled. A closed set with one
 * place for transitions.
 */
export const TaskStatus = { Pending: 1, Sending: 5, Error: 7, Done: 10, Paused: 11, Cancelled: 12 } as const;
export type TaskStatusCode = (typeof TaskStatus)[keyof typeof TaskStatus];

const TRANSITIONS: Readonly<Record<TaskStatusCode, readonly TaskStatusCode[]>> = {
  [TaskStatus.Pending]: [TaskStatus.Sending, TaskStatus.Paused, TaskStatus.Cancelled, TaskStatus.Error, TaskStatus.Done],
  [TaskStatus.Sending]: [TaskStatus.Pending, TaskStatus.Done, TaskStatus.Paused, TaskStatus.Cancelled, TaskStatus.Error],
  // A paused task stays paused when its runs finish meanwhile (sends in flight at the pause);
  // resuming it then settles it: pending when a next run is planned, else done.
  [TaskStatus.Paused]: [TaskStatus.Sending, TaskStatus.Pending, TaskStatus.Done, TaskStatus.Cancelled],
  [TaskStatus.Error]: [TaskStatus.Sending, TaskStatus.Cancelled],
  [TaskStatus.Done]: [TaskStatus.Sending],
  [TaskStatus.Cancelled]: [],
};

/** The one place that says which task status changes are allowed. */
export function canTransitionTask(from: TaskStatusCode, to: TaskStatusCode): boolean {
  return TRANSITIONS[from].includes(to);
}

/** True when no more mail will be sent for the task without an explicit action. */
export function isTaskSettled(status: TaskStatusCode): boolean {
  return status === TaskStatus.Done || status === TaskStatus.Cancelled;
}

export function isTaskStatus(value: number): value is TaskStatusCode {
  return Object.values(TaskStatus).includes(value as TaskStatusCode);
}
