import type { CampaignTaskSpec, Clock, Occurrence, RetryPolicyOptions } from '@postmill/core';
import type { ControlAction, TaskStore } from '@postmill/store';
import type { Queue } from 'bullmq';
import { type CampaignPayload, campaignJobOptions, JOB, jobIds } from '../job-catalog.ts';

/** Why a control action was refused; the API maps it to a Tencent error. */
export type ControlRefusal = 'not-found' | 'not-allowed';

/**
 * Creating and steering batch tasks from the API. Guarantees: pause, resume, cancel and retry are
 * each ONE atomic step in Redis (TaskStore.control: the status by canTransitionTask, and every
 * active run's generation and cursor, overlapping occurrences included); each run's driver follows
 * it on its own, so no queue add is needed for it to take effect and a crash after the step strands
 * nothing. The only job a control action adds is the driver of a run that RetrySendTaskFailures
 * reopened after it had finished; that add is idempotent, and every RetrySendTaskFailures ensures
 * the driver of every active run, so repeating it heals a driver lost to a crash.
 */
export class CampaignControl {
  constructor(private readonly o: { tasks: TaskStore<CampaignTaskSpec>; campaignQueue: Queue<CampaignPayload>; policy: RetryPolicyOptions; clock: Clock }) {}

  /** Stores the task and schedules its first occurrence at `firstAt` (now or later). */
  async create(build: (id: number) => CampaignTaskSpec, first: Occurrence): Promise<number> {
    const id = await this.o.tasks.create(build);
    await this.o.tasks.setSchedule(id, first.at);
    await this.scheduleStart(id, first.n, first.at);
    return id;
  }

  /** Adds the start job of one occurrence (idempotent by id). */
  async scheduleStart(taskId: number, occurrence: number, at: number): Promise<void> {
    await this.o.campaignQueue.add(
      JOB.startRun,
      { taskId, occurrence, plannedAt: at },
      { ...campaignJobOptions(jobIds.startRun(taskId, occurrence), this.o.policy), delay: Math.max(0, at - this.o.clock.now()) },
    );
  }

  /** Pauses a pending or sending task: no send of it starts after this returns (claims are refused). */
  pause(taskId: number): Promise<ControlRefusal | undefined> {
    return this.act(taskId, 'pause');
  }

  /** Resumes a paused task where it stopped: every unfinished run is dispatched again (final recipients skipped). */
  resume(taskId: number): Promise<ControlRefusal | undefined> {
    return this.act(taskId, 'resume');
  }

  /**
   * Cancels a task: no new run starts, no send starts after this returns, and each unfinished
   * run's driver sweeps its pending recipients to `cancelled` so its counts end exact.
   */
  cancel(taskId: number): Promise<ControlRefusal | undefined> {
    return this.act(taskId, 'cancel');
  }

  /** Sends again to the current run's recipients that failed for a transient reason; returns how many. */
  async retryFailures(taskId: number): Promise<number | ControlRefusal> {
    const result = await this.o.tasks.control(taskId, 'retry');
    if (result.kind !== 'ok') return result.kind;
    for (const d of result.drivers) await this.ensureDriver(taskId, d.run, d.reopens);
    return result.retried;
  }

  private async act(taskId: number, action: ControlAction): Promise<ControlRefusal | undefined> {
    const result = await this.o.tasks.control(taskId, action);
    return result.kind === 'ok' ? undefined : result.kind;
  }

  /**
   * Makes sure the driver of (run, reopens) exists and will run: added when missing (idempotent by
   * id), retried when it failed for good or completed (a driver completes only once its run
   * finished, so this run being active again means it must drive again).
   */
  private async ensureDriver(taskId: number, run: number, reopens: number): Promise<void> {
    const id = jobIds.driveRun(taskId, run, reopens);
    await this.o.campaignQueue.add(JOB.driveRun, { taskId, run, reopens }, campaignJobOptions(id, this.o.policy));
    const job = await this.o.campaignQueue.getJob(id);
    const state = job ? await job.getState() : 'unknown';
    // A driver that moves on at this very moment refuses the retry: it is live, nothing to heal.
    if (job && (state === 'failed' || state === 'completed')) await job.retry(state).catch(() => undefined);
  }
}
