import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC } from './metric-names.ts';
import { withTimeout } from './with-timeout.ts';

/** A queue whose job counts are read at scrape time; a BullMQ `Queue` fits as is. */
export interface JobCountSource {
  readonly name: string;
  /** Counts per job state (BullMQ: every state when called without arguments). */
  getJobCounts(): Promise<Readonly<Record<string, number>>>;
}

/** What the scrape-time gauges read; every field documents its default. */
export interface ScrapeGaugeOptions {
  /** Queues whose depth is exported as `postmill_queue_jobs{queue,state}`. Default none. */
  readonly queues?: readonly JobCountSource[];
  /** Tasks per status name (every status, zeros included); exported as `postmill_tasks{status}`. Default: not exported. */
  readonly countTasksByStatus?: () => Promise<Readonly<Record<string, number>>>;
  /** Longest a scrape waits for one of these reads. Default 2 000 (well under Prometheus' 10 s scrape timeout). */
  readonly collectTimeoutMs?: number;
}

/**
 * Registers the gauges read at scrape time: queue depth by state and tasks by status. Guarantees:
 * values are read fresh on every scrape (nothing is cached or polled in between); a read that
 * fails or times out leaves that gauge out of the scrape (no stale values) and counts
 * `postmill_metrics_collect_errors_total{collector}` in the same scrape, and the rest of the
 * scrape still answers.
 */
export function registerScrapeGauges(registry: Registry, options: ScrapeGaugeOptions): void {
  const registers = [registry];
  const timeoutMs = options.collectTimeoutMs ?? 2000;
  // prom-client reads every metric of a scrape concurrently, in registration order. The error
  // counter is registered last and waits for the gauges' reads in flight, so a failure is counted
  // in the scrape that saw it rather than the next one.
  const inFlight = new Set<Promise<void>>();
  const tracked = (read: () => Promise<void>) => async () => {
    const p = read();
    inFlight.add(p);
    try {
      await p;
    } finally {
      inFlight.delete(p);
    }
  };
  const failed = (collector: string) => errors.inc({ collector });

  const queues = options.queues ?? [];
  const queueGauge: Gauge<'queue' | 'state'> = new Gauge({
    name: METRIC.queueJobs,
    help: 'BullMQ jobs per queue and state, read at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers,
    collect: tracked(async () => {
      queueGauge.reset();
      const results = await Promise.allSettled(queues.map((q) => withTimeout(q.getJobCounts(), timeoutMs)));
      results.forEach((result, i) => {
        const queue = queues[i]?.name ?? '';
        if (result.status === 'rejected') failed(`queue:${queue}`);
        else for (const [state, count] of Object.entries(result.value)) queueGauge.set({ queue, state }, count);
      });
    }),
  });

  const countTasks = options.countTasksByStatus;
  if (countTasks) {
    const taskGauge: Gauge<'status'> = new Gauge({
      name: METRIC.tasks,
      help: 'Batch tasks per status, read at scrape time.',
      labelNames: ['status'] as const,
      registers,
      collect: tracked(async () => {
        taskGauge.reset();
        try {
          const counts = await withTimeout(countTasks(), timeoutMs);
          for (const [status, count] of Object.entries(counts)) taskGauge.set({ status }, count);
        } catch {
          failed('tasks'); // the gauge stays empty for this scrape; the counter is the report
        }
      }),
    });
  }

  const errors = new Counter({
    name: METRIC.collectErrors,
    help: 'Scrape-time reads (queue depth, tasks by status) that failed or timed out; their gauge is left out of that scrape.',
    labelNames: ['collector'] as const,
    registers,
    async collect() {
      await Promise.allSettled([...inFlight]);
    },
  });
}
