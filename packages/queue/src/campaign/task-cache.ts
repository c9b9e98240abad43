import type { CampaignTaskSpec, Clock, TaskStatusCode } from '@postmill/core';
import type { TaskStore, TaskView } from '@postmill/store';

/**
 * A per-process read-through cache of task state for the hot path. Guarantees: a status is at
 * most `ttlMs` old (default 200 ms), so pause and cancel take effect within that time in every
 * worker; specs never change after creation, so they are kept (up to 1 000 tasks).
 */
export class TaskCache {
  private readonly statuses = new Map<number, { status: TaskStatusCode; at: number }>();
  private readonly views = new Map<number, TaskView<CampaignTaskSpec>>();
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
