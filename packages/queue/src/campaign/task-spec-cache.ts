import type { CampaignTaskSpec } from '@postmill/core';
import type { TaskStore } from '@postmill/store';

/**
 * A per-process cache of task specs for the hot path. Guarantees: it holds only what never
 * changes (a task's spec is written once, at creation), never a status or anything a decision is
 * made from; up to 1 000 tasks, the oldest evicted first.
 */
export class TaskSpecCache {
  private readonly specs = new Map<number, CampaignTaskSpec>();
  constructor(private readonly o: { tasks: TaskStore<CampaignTaskSpec> }) {}

  /** The task's spec, or undefined when the task does not exist (never cached). */
  async spec(taskId: number): Promise<CampaignTaskSpec | undefined> {
    const cached = this.specs.get(taskId);
    if (cached) return cached;
    const view = await this.o.tasks.get(taskId);
    if (!view) return undefined;
    if (this.specs.size >= 1000) this.specs.delete(this.specs.keys().next().value as number);
    this.specs.set(taskId, view.spec);
    return view.spec;
  }
}
