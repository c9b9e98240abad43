import { RunCode, TaskStatus } from '@postmill/core';
import type { LedgerChange } from '@postmill/store';
import type { Logger } from 'pino';
import type { CampaignDeps } from './campaign-deps.ts';

/** Marks every still-pending (queued or deferred) index of [start, end) cancelled. */
export async function cancelPending(deps: CampaignDeps, taskId: number, run: number, start: number, end: number): Promise<{ completedRun: boolean }> {
  const codes = await deps.tasks.readCodes(taskId, run, start, end);
  const at = deps.clock.now();
  const changes: LedgerChange[] = [];
  codes.forEach((c, i) => {
    if (c === RunCode.Queued || c === RunCode.Deferred) {
      changes.push({ index: start + i, code: RunCode.Cancelled, detail: { code: 'OperationDenied.TaskCancelled', message: 'the task was cancelled', at } });
    }
  });
  return deps.tasks.record(taskId, run, changes);
}

/**
 * Called exactly once per run, when its last recipient became final. Guarantees: a cancelled task
 * stays cancelled; a task with a scheduled next run goes back to "pending start" (1); otherwise
 * it is done (10). `log` is the logger of the job that completed the run (it names the task, the
 * run and the job).
 */
export async function onRunCompleted(deps: CampaignDeps, taskId: number, log: Logger): Promise<void> {
  const task = await deps.tasks.get(taskId);
  if (!task || task.status === TaskStatus.Cancelled) return;
  const next = task.nextRunAt !== undefined ? TaskStatus.Pending : TaskStatus.Done;
  await deps.tasks.transition(taskId, next, [TaskStatus.Sending, TaskStatus.Paused, TaskStatus.Pending]);
  log.info({ status: next }, 'campaign run finished');
}
