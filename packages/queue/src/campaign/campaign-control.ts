import { type CampaignTaskSpec, type Clock, type Occurrence, type RetryPolicyOptions, TaskStatus } from '@postmill/core';
import type { TaskStore } from '@postmill/store';
import type { Queue } from 'bullmq';
import { type CampaignPayload, JOB, campaignJobOptions, jobIds } from '../job-catalog.ts';

/** Why a control action was refused; the API maps it to a Tencent error. */
export type ControlRefusal = 'not-found' | 'not-allowed';

/**
 * Creating and steering batch tasks from the API. Guarantees: every change of a task's status goes
 * through TaskStore.transition (canTransitionTask); queue work is added with deterministic ids, so
 * repeating an action never duplicates a run or a dispatch.
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

  async dispatch(taskId: number, run: number, generation: number): Promise<void> {
    await this.o.campaignQueue.add(JOB.dispatchRun, { taskId, run, generation }, campaignJobOptions(jobIds.dispatchRun(taskId, run, generation), this.o.policy));
  }

  /** Pauses a pending or sending task; chunks already queued stop before their next send. */
  async pause(taskId: number): Promise<ControlRefusal | undefined> {
    if (!(await this.o.tasks.status(taskId))) return 'not-found';
    return (await this.o.tasks.transition(taskId, TaskStatus.Paused, [TaskStatus.Pending, TaskStatus.Sending])) === undefined ? 'not-allowed' : undefined;
  }

  /** Resumes a paused task where it stopped: its unfinished run is dispatched again (final recipients skipped). */
  async resume(taskId: number): Promise<ControlRefusal | undefined> {
    const task = await this.o.tasks.get(taskId);
    if (!task) return 'not-found';
    if (task.status !== TaskStatus.Paused) return 'not-allowed';
    const run = task.currentRun === undefined ? undefined : await this.o.tasks.getRun(taskId, task.currentRun);
    const active = run !== undefined && run.finishedAt === undefined;
    if ((await this.o.tasks.transition(taskId, active ? TaskStatus.Sending : TaskStatus.Pending, [TaskStatus.Paused])) === undefined) return 'not-allowed';
    if (active && run) await this.dispatch(taskId, run.run, await this.o.tasks.redispatch(taskId, run.run));
    return undefined;
  }

  /**
   * Cancels a task: no new run starts, queued chunks stop before their next send, and the current
   * run's pending recipients are swept to `cancelled` so its counts end exact.
   */
  async cancel(taskId: number): Promise<ControlRefusal | undefined> {
    const task = await this.o.tasks.get(taskId);
    if (!task) return 'not-found';
    if ((await this.o.tasks.transition(taskId, TaskStatus.Cancelled)) === undefined) return 'not-allowed';
    await this.o.tasks.setSchedule(taskId, undefined);
    const run = task.currentRun === undefined ? undefined : await this.o.tasks.getRun(taskId, task.currentRun);
    if (run && run.finishedAt === undefined) await this.dispatch(taskId, run.run, await this.o.tasks.redispatch(taskId, run.run));
    return undefined;
  }

  /** Sends again to the current run's recipients that failed for a transient reason; returns how many. */
  async retryFailures(taskId: number): Promise<number | ControlRefusal> {
    const task = await this.o.tasks.get(taskId);
    if (!task) return 'not-found';
    if (task.status === TaskStatus.Cancelled || task.status === TaskStatus.Paused || task.currentRun === undefined) return 'not-allowed';
    const run = await this.o.tasks.getRun(taskId, task.currentRun);
    if (!run) return 'not-allowed';
    const count = await this.o.tasks.retryTransient(taskId, run.run, run.total);
    if (count === 0) return 0;
    await this.o.tasks.transition(taskId, TaskStatus.Sending, [TaskStatus.Done, TaskStatus.Pending, TaskStatus.Error, TaskStatus.Sending]);
    await this.dispatch(taskId, run.run, await this.o.tasks.redispatch(taskId, run.run));
    return count;
  }
}
