import type { CampaignTaskSpec, Clock, TaskStatusCode } from '@postmill/core';
import type { TaskStore, TaskView } from '@postmill/store';

/**
 * A per-process read-through cache of task state for the hot path. Guarantees: a status is at
 * most `ttlMs` old (default 200 ms), so pause and cancel take effect within that time in every
 * worker; specs never change after creation, so they are kept (up to 1 000 tasks), and so are
 * the start times of runs (up to 1 000 runs).
 */
export class TaskCache {
  private readonly statuses = new Map<number, { status: TaskStatusCode; at: number }>();
  private readonly views = new Map<number, TaskView<CampaignTaskSpec>>();
  private readonly runStarts = new Map<string, number>();
  constructor(private readonly o: { tasks: TaskStore<CampaignTaskSpec>; clock: Clock; ttlMs?: number }) {}

  async spec(taskId: number): Promise<CampaignTaskSpec | undefined> {
    const cached = this.views.get(taskId);
    if (cached) return cached.spec;
    const view = await this.o.tasks.get(taskId);
    if (!view) return undefined;
    if (this.views.size >= 1000) this.views.delete(this.views.keys().next().value as number);
    this.views.set(taskId, view);
    this.statuses.set(taskId, { status: view.status, at: this.o.clock.now() });
    return view.spec;
  }

  /**
   * When run `run` of the task started, or undefined while that run does not exist. A run's
   * `startedAt` is written once and run hashes are never removed, so it is kept (up to 1 000 runs):
   * chunks of a run then need no read of the run hash.
   */
  async runStartedAt(taskId: number, run: number): Promise<number | undefined> {
    const key = `${taskId}:${run}`;
    const cached = this.runStarts.get(key);
    if (cached !== undefined) return cached;
    const view = await this.o.tasks.getRun(taskId, run);
    if (!view) return undefined;
    if (this.runStarts.size >= 1000) this.runStarts.delete(this.runStarts.keys().next().value as string);
    this.runStarts.set(key, view.startedAt);
    return view.startedAt;
  }

  /** The cached status while it is at most `ttlMs` old, else undefined (then ask `status`). Synchronous: the per-send check costs no promise. */
  freshStatus(taskId: number): TaskStatusCode | undefined {
    const hit = this.statuses.get(taskId);
    return hit && this.o.clock.now() - hit.at < (this.o.ttlMs ?? 200) ? hit.status : undefined;
  }

  async status(taskId: number): Promise<TaskStatusCode | undefined> {
    const now = this.o.clock.now();
    const hit = this.statuses.get(taskId);
    if (hit && now - hit.at < (this.o.ttlMs ?? 200)) return hit.status;
    const status = await this.o.tasks.status(taskId);
    if (status === undefined) return undefined;
    this.statuses.set(taskId, { status, at: now });
    return status;
  }
}
