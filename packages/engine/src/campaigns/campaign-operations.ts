import { type CampaignTaskSpec, EngineError, isTaskStatus, TaskStatus, type TaskStatusCode } from '@postmill/core';
import type { ControlRefusal } from '@postmill/queue';
import type { TaskView } from '@postmill/store';
import type { CampaignListQuery, CampaignOperations } from '../campaign-operations.ts';
import type { EngineDeps } from '../engine-deps.ts';
import { checkPageLimit } from '../page-limit.ts';
import { createCampaign } from './create-campaign.ts';

function notFound(taskId: number): EngineError {
  return new EngineError('task-not-found', `Task ${taskId} does not exist.`, { context: { taskId } });
}

function refuse(refusal: ControlRefusal, taskId: number, operation: 'pause' | 'resume' | 'cancel' | 'retry', done: string): never {
  if (refusal === 'not-found') throw notFound(taskId);
  throw new EngineError('task-state-conflict', `Task ${taskId} cannot be ${done} in its current status.`, { context: { taskId, operation } });
}

const TASK_STATUSES: readonly number[] = Object.values(TaskStatus);

/**
 * Campaign (task) operations. A listing with a status filter walks the task index (tasks are few
 * compared with recipients); without filters it reads one page of ids.
 */
export function campaignOperations(deps: EngineDeps): CampaignOperations {
  return {
    create: async (input, options) => createCampaign(deps, input, options),

    async get(taskId) {
      const view = await deps.tasks.get(taskId);
      if (!view) throw notFound(taskId);
      return view;
    },

    async list(query: CampaignListQuery) {
      checkPageLimit(query.limit, deps.limits.maxPageLimit);
      const extra = query.unassignedStatuses ?? [];
      if (query.status !== undefined && !isTaskStatus(query.status) && !extra.includes(query.status)) {
        const allowed = [...TASK_STATUSES, ...extra].sort((a, b) => a - b);
        throw new EngineError('invalid-input', (f) => `${f('status')} must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}.`, {
          context: { field: 'status' },
        });
      }
      const items: TaskView<CampaignTaskSpec>[] = [];
      const filtered = query.status !== undefined || query.receiverId !== undefined || query.taskType !== undefined;
      if (!filtered) {
        const page = await deps.tasks.ids(query.offset, query.limit);
        for (const id of page.ids) {
          const view = await deps.tasks.get(id);
          if (view) items.push(view);
        }
        return { total: page.total, items };
      }
      let total = 0;
      for await (const id of deps.tasks.allIds()) {
        const view = await deps.tasks.get(id);
        if (!view) continue;
        if (query.status !== undefined && view.status !== (query.status as TaskStatusCode)) continue;
        if (query.receiverId !== undefined && view.spec.receiverId !== query.receiverId) continue;
        if (query.taskType !== undefined && view.spec.taskType !== query.taskType) continue;
        if (total >= query.offset && items.length < query.limit) items.push(view);
        total++;
      }
      return { total, items };
    },

    async pause(taskId) {
      const refusal = await deps.campaigns.pause(taskId);
      if (refusal) refuse(refusal, taskId, 'pause', 'paused');
    },

    async resume(taskId) {
      const refusal = await deps.campaigns.resume(taskId);
      if (refusal) refuse(refusal, taskId, 'resume', 'resumed');
    },

    async cancel(taskId) {
      const refusal = await deps.campaigns.cancel(taskId);
      if (refusal) refuse(refusal, taskId, 'cancel', 'cancelled');
    },

    async retryFailures(taskId) {
      const result = await deps.campaigns.retryFailures(taskId);
      if (typeof result !== 'number') refuse(result, taskId, 'retry', 'retried');
      return { retried: result };
    },

    sendRate: async () => deps.sendRates.latest(),
  };
}
