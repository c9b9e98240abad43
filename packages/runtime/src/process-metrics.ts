import { TaskStatus, type TaskStatusCode } from '@postmill/core';
import { createPostmillMetrics, type JobCountSource, type PostmillMetrics } from '@postmill/metrics';
import type { RedisClient } from '@postmill/store';
import type { SharedServices } from './shared-services.ts';

/** Status label of each task status code: the TaskStatus key in lower case (`pending`, `sending`, ...). */
const STATUS_NAMES = new Map<TaskStatusCode, string>(Object.entries(TaskStatus).map(([name, code]) => [code, name.toLowerCase()]));

/** The `queue` label of the delivery intake in `postmill_queue_jobs` (state `pending`). */
const INTAKE_LABEL = 'delivery-intake';

/** Options of `createProcessMetrics`; every field documents its default. */
export interface ProcessMetricsOptions {
  /** Export prom-client's process metrics too. Default true. */
  readonly defaultMetrics?: boolean;
}

/**
 * The one metrics registry of a process (API, worker, or both in one), reading queue depth and tasks
 * by status from `shared` at scrape time. Guarantees: nothing is read between scrapes; while the
 * Redis connection is not established those reads are skipped at once (counted as collect errors)
 * rather than queued behind a worker connection's offline queue.
 */
export function createProcessMetrics(shared: SharedServices, options: ProcessMetricsOptions = {}): PostmillMetrics {
  const whenConnected = <T>(read: () => Promise<T>) => whenReady(shared.redis, read);
  const queues: JobCountSource[] = [shared.queue, shared.campaignQueue].map((q) => ({
    name: q.name,
    getJobCounts: () => whenConnected(() => q.getJobCounts()),
  }));
  // Accepted SendEmail messages whose delivery job the workers' intake pump has yet to create: it
  // grows only while no worker runs (or all of them are behind), so it belongs beside queue depth.
  queues.push({ name: INTAKE_LABEL, getJobCounts: () => whenConnected(async () => ({ pending: await shared.intake.pending() })) });
  return createPostmillMetrics({
    ...(options.defaultMetrics === undefined ? {} : { defaultMetrics: options.defaultMetrics }),
    queues,
    countTasksByStatus: () =>
      whenConnected(async () => {
        const counts = await shared.tasks.countByStatus();
        return Object.fromEntries(Object.entries(counts).map(([code, n]) => [STATUS_NAMES.get(Number(code) as TaskStatusCode) ?? code, n]));
      }),
  });
}

function whenReady<T>(redis: RedisClient, read: () => Promise<T>): Promise<T> {
  return redis.status === 'ready' ? read() : Promise.reject(new Error(`redis connection ${redis.status}`));
}
