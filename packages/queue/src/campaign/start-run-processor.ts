import { TaskStatus, calendarDate, planRunStart } from '@postmill/core';
import { DelayedError, type Job } from 'bullmq';
import { JOB, type StartRunPayload, campaignJobOptions, jobIds } from '../job-catalog.ts';
import { jobLogger } from '../job-logger.ts';
import { noopDeliveryObserver } from '../delivery-observer.ts';
import type { CampaignDeps } from './campaign-deps.ts';
import { onRunCompleted } from './run-completion.ts';

/** How often a start job of a paused task looks again. */
const PAUSED_RECHECK_MS = 1000;

/**
 * Starts one occurrence of a task. Guarantees:
 * - the decision (which occurrence runs, which were missed) is made once, at the time of the
 *   job's first attempt (kept in the job data), so a retry can never start a second run;
 * - a due occurrence starts once even if every worker was down at its time; occurrences that
 *   passed meanwhile are recorded on the task as missed, never replayed;
 * - the run covers the list as it stands now (its length is the run's total);
 * - the next occurrence is queued before this one is dispatched, with a deterministic job id.
 */
export async function processStartRun(job: Job<StartRunPayload & { decidedAt?: number }>, token: string | undefined, deps: CampaignDeps): Promise<string> {
  const { taskId, occurrence, plannedAt } = job.data;
  const jobLog = jobLogger(deps.logger, job, deps.transport.kind);
  const task = await deps.tasks.get(taskId);
  if (!task || task.status === TaskStatus.Cancelled) return 'cancelled';
  if (task.status === TaskStatus.Paused) {
    await job.moveToDelayed(deps.clock.now() + PAUSED_RECHECK_MS, token);
    throw new DelayedError();
  }
  let decidedAt = job.data.decidedAt;
  if (decidedAt === undefined) {
    decidedAt = deps.clock.now();
    await job.updateData({ ...job.data, decidedAt });
  }
  const plan = planRunStart({ schedule: task.spec.schedule, plannedN: occurrence, plannedAt, nowMs: decidedAt });
  if (plan.next) {
    await deps.campaignQueue.add(
      JOB.startRun,
      { taskId, occurrence: plan.next.n, plannedAt: plan.next.at },
      { ...campaignJobOptions(jobIds.startRun(taskId, plan.next.n), deps.policy), delay: Math.max(0, plan.next.at - deps.clock.now()) },
    );
  }
  await deps.tasks.setSchedule(
    taskId,
    plan.next?.at,
    plan.missed.map((m) => m.at),
  );
  if (plan.missedCount > 0) jobLog.warn({ missed: plan.missedCount }, 'occurrences passed while no worker ran; recorded as missed');
  if (!plan.runNow || !plan.run) {
    if (!plan.next && task.status === TaskStatus.Pending && task.currentRun === undefined) await deps.tasks.transition(taskId, TaskStatus.Done, [TaskStatus.Pending]);
    return 'not-due';
  }
  const run = plan.run.n;
  const log = jobLog.child({ runId: run });
  const total = await deps.receivers.length(task.spec.receiverId);
  const started = await deps.tasks.startRun(taskId, run, { plannedAt: plan.run.at, total });
  // Observed once per run: a retried start job finds the run started and reports nothing.
  if (started) (deps.observer ?? noopDeliveryObserver).scheduleLag({ lagSeconds: (deps.clock.now() - plan.run.at) / 1000 });
  // On every attempt, not only the one that started the run (the index lives in another slot, so it
  // cannot be written by the start script): `add` is idempotent, and a crash right after the start
  // can no longer hide the run from GetSendEmailStatus.
  const view = await deps.tasks.getRun(taskId, run);
  if (view) await deps.runDays.add(calendarDate(view.startedAt, deps.timeZone), taskId, run, view.startedAt, view.total);
  await deps.tasks.transition(taskId, TaskStatus.Sending, [TaskStatus.Pending, TaskStatus.Done, TaskStatus.Error]);
  log.info({ total, lagMs: deps.clock.now() - plan.run.at, started }, 'campaign run started');
  if (total === 0) {
    await onRunCompleted(deps, taskId, log);
    return 'empty';
  }
  await deps.campaignQueue.add(JOB.dispatchRun, { taskId, run, generation: 0 }, campaignJobOptions(jobIds.dispatchRun(taskId, run, 0), deps.policy));
  return `run ${run} over ${total}`;
}
