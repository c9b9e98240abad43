import type { QueueState, ReliabilityStack, TencentResponse } from './reliability-stack.ts';

/** How waiting for a campaign ended. */
export interface CampaignEnd {
  /** `done`: TaskStatus 10. `stuck`: jobs failed for good and nothing is left to run, so it never will be. `timeout`: neither by the deadline. */
  readonly outcome: 'done' | 'stuck' | 'timeout';
  /** The last GetSendTask answer (undefined if none succeeded). */
  readonly task: Record<string, number | string> | undefined;
  readonly queues: QueueState;
  /** performance.now() when the outcome was seen. */
  readonly atMs: number;
}

/**
 * Polls GetSendTask (every 250 ms) and the queues (every second) until the task is done, stuck
 * or `deadlineMs` (epoch ms) passes. API errors (e.g. while Redis is down) just mean "not yet".
 */
export async function awaitCampaign(stack: ReliabilityStack, TaskId: number, deadlineMs: number): Promise<CampaignEnd> {
  let task: TencentResponse;
  let lastQueueCheck = 0;
  for (;;) {
    const a = await stack.raw('GetSendTask', { TaskId }, 5000);
    if (a.code === undefined) task = a.response.Task;
    if (task?.TaskStatus === 10) return { outcome: 'done', task, queues: await stack.queueState(), atMs: performance.now() };
    if (Date.now() - lastQueueCheck >= 1000) {
      lastQueueCheck = Date.now();
      const queues = await stack.queueState().catch(() => undefined);
      if (queues && queues.failed > 0 && queues.pending === 0) return { outcome: 'stuck', task, queues, atMs: performance.now() };
    }
    if (Date.now() > deadlineMs) return { outcome: 'timeout', task, queues: await stack.queueState(), atMs: performance.now() };
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The counts the suites judge, as GetSendTask shows them. */
export function taskCounts(task: Record<string, number | string> | undefined): Record<string, number | string | undefined> {
  return {
    TaskStatus: task?.TaskStatus,
    RequestCount: task?.RequestCount,
    SendCount: task?.SendCount,
    FailedCount: task?.FailedCount,
    CacheCount: task?.CacheCount,
  };
}
