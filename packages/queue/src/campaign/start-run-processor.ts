import { calendarDate, planRunStart, TaskStatus } from '@postmill/core';
import { DelayedError, type Job } from 'bullmq';
import { noopDeliveryObserver } from '../delivery-observer.ts';
import { campaignJobOptions, JOB, jobIds, type StartRunPayload } from '../job-catalog.ts';
import { jobLogger } from '../job-logger.ts';
import type { CampaignDeps } from './campaign-deps.ts';

/** How often a start job of a paused task looks again. */
const PAUSED_RECHECK_MS = 1000;

/** Adds the driver of one run (or of one reopening of it); idempotent by job id. */
export async function addDriver(deps: Pick<CampaignDeps, 'campaignQueue' | 'policy'>, taskId: number, run: number, reopens: number): Promise<void> {
  await deps.campaignQueue.add(JOB.driveRun, { taskId, run, reopens }, campaignJobOptions(jobIds.driveRun(taskId, run, reopens), deps.policy));
}

/**
 * Starts one occurrence of a task. Guarantees:
 * - the decision (which occurrence runs, which were missed) is made once, at the time of the
 *   job's first attempt (kept in the job data), so a retry can never start a second run;
 * - a due occurrence starts once even if every worker was down at its time; occurrences that
 *   passed meanwhile are recorded on the task as missed, never replayed;
 * - the run starts in ONE atomic step (TaskStore.openRun: total, cursor, generation, counters,
 *   schedule, active runs, status): a crash at any point leaves either no run or a whole one, and a
 *   retried job finds the run started and carries on;
 * - the run covers the list as it stands at its start (its length is the run's total);
 * - on EVERY attempt, the run is indexed under its start day (GetSendEmailStatus) and its driver
 *   is added (both idempotent), so a crash right after the start hides nothing and strands nothing;
 * - the next occurrence is queued before this one starts, with a deterministic job id.
 */
export async function processStartRun(job: Job<StartRunPayload & { decidedAt?: number }>, token: string | undefined, deps: CampaignDeps): Promise<string> {
  const { taskId, occurrence, plannedAt } = job.data;
  const jobLog = jobLogger(deps.logger, job, deps.transport.kind);
  const task = await deps.tasks.get(taskId);
  if (!task || task.status === TaskStatus.Cancelled) return 'cancelled';
  let decidedAt = job.data.decidedAt;
  if (decidedAt === undefined) {
    // A paused task decides nothing until it is resumed (then occurrences that passed are missed).
    if (task.status === TaskStatus.Paused) {
      await job.moveToDelayed(deps.clock.now() + PAUSED_RECHECK_MS, token);
      throw new DelayedError();
    }
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
  const missed = plan.missed.map((m) => m.at);
  if (plan.missedCount > 0) jobLog.warn({ missed: plan.missedCount }, 'occurrences passed while no worker ran; recorded as missed');
  if (!plan.runNow || !plan.run) {
    await deps.tasks.setSchedule(taskId, plan.next?.at, missed);
    if (!plan.next && task.status === TaskStatus.Pending && task.currentRun === undefined)
      await deps.tasks.transition(taskId, TaskStatus.Done, [TaskStatus.Pending]);
    return 'not-due';
  }
  const run = plan.run.n;
  const log = jobLog.child({ runId: run });
  const start = await deps.tasks.openRun(taskId, run, {
    plannedAt: plan.run.at,
    total: await deps.receivers.length(task.spec.receiverId),
    next: plan.next?.at,
    missed,
    chunkSize: deps.jobRecipients ?? deps.chunkSize,
  });
  if (start.kind === 'paused') {
    await job.moveToDelayed(deps.clock.now() + PAUSED_RECHECK_MS, token);
    throw new DelayedError();
  }
  if (start.kind === 'cancelled' || start.kind === 'gone') return start.kind;
  // Observed once per run: a retried start job finds the run started and reports nothing.
  if (start.kind === 'started') (deps.observer ?? noopDeliveryObserver).scheduleLag({ lagSeconds: (start.startedAt - plan.run.at) / 1000 });
  // Every attempt, not only the one that started the run (the index lives in another slot, so the
  // start script cannot write it): `add` is idempotent, and a crash right after the start can no
  // longer hide the run from GetSendEmailStatus.
  await deps.runDays.add(calendarDate(start.startedAt, deps.timeZone), taskId, run, start.startedAt, start.total);
  log.info({ total: start.total, lagMs: start.startedAt - plan.run.at, started: start.kind === 'started' }, 'campaign run started');
  if (start.total === 0) return 'empty';
  await addDriver(deps, taskId, run, 0);
  return `run ${run} over ${start.total}`;
}
