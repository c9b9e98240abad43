import { transientBackoffMs } from '@postmill/core';
import type { RedisClient } from '@postmill/store';
import { type Job, Worker } from 'bullmq';
import { type DeliveryDeps, processDeliverMessage } from './delivery-processor.ts';
import { limitErrorLog } from './error-log-limiter.ts';
import { BACKOFF_STRATEGY, type DeliverMessagePayload, type DeliveryPayload, JOB, MAX_STALLED_COUNT, QUEUE, type SendChunkPayload } from './job-catalog.ts';
import { logJobFailures } from './job-logger.ts';
import { WorkerDrain } from './worker-drain.ts';

/** Processes one `send-chunk` job of the delivery queue. */
export type ChunkProcessor = (job: Job<SendChunkPayload>, token: string | undefined, signal: AbortSignal) => Promise<string>;

export interface DeliveryWorkerOptions {
  readonly connection: RedisClient;
  readonly bullPrefix: string;
  /** Jobs processed at once in this process. Default 8. */
  readonly concurrency: number;
  /** Job lock; a killed worker's jobs are moved back to waiting after it lapses. Default 30 000. */
  readonly lockDurationMs?: number;
  readonly deps: DeliveryDeps;
  /**
   * Processes campaign chunks (`send-chunk` jobs; see campaignChunkProcessor); without it only
   * SendEmail messages are delivered. A function, so this module depends on no campaign module.
   */
  readonly sendChunk?: ChunkProcessor;
  /** Lets the caller drain this worker on shutdown (drainWorkers). Default: one nobody begins. */
  readonly drain?: WorkerDrain;
}

/**
 * Starts a delivery worker. Guarantees: the shared limiter (not BullMQ's fixed window) gates
 * provider requests; BullMQ's `limiter` is configured only so `queue.rateLimit()` pauses every
 * worker (BullMQ ignores manual rate limits without it) and its own cap is never reached;
 * transient retries use the one backoff policy; once `o.drain` begins, processors start no new
 * provider request and hand their jobs back (see processSendChunk, processDeliverMessage).
 */
export function startDeliveryWorker(o: DeliveryWorkerOptions): Worker<DeliveryPayload> {
  // Jobs wait for the transport's warm-up (no provider contact, a few ms), so that this process's
  // first provider request starts on its limiter slot rather than late (see MailTransport.warmUp).
  const warm: Promise<void> = o.deps.transport.warmUp ? o.deps.transport.warmUp().catch(() => undefined) : Promise.resolve();
  const drain = o.drain ?? new WorkerDrain();
  const process = drain.wrap(async (job: Job<DeliveryPayload>, token: string | undefined, signal: AbortSignal) => {
    await warm;
    if (job.name === JOB.sendChunk) {
      if (!o.sendChunk) throw new Error('this worker was started without campaign support');
      return o.sendChunk(job as Job<SendChunkPayload>, token, signal);
    }
    return processDeliverMessage(job as Job<DeliverMessagePayload>, token, o.deps, signal);
  });
  const worker = new Worker<DeliveryPayload>(QUEUE.delivery, process, {
    connection: o.connection,
    prefix: o.bullPrefix,
    concurrency: o.concurrency,
    ...(o.lockDurationMs ? { lockDuration: o.lockDurationMs, stalledInterval: o.lockDurationMs } : {}),
    maxStalledCount: MAX_STALLED_COUNT,
    limiter: { max: 1_000_000_000, duration: 1000 },
    maximumRateLimitDelay: 1000,
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string) =>
        type === BACKOFF_STRATEGY ? transientBackoffMs(attemptsMade, o.deps.policy) : o.deps.policy.backoffBaseMs,
    },
  });
  // A job whose lock could not be renewed (Redis was unreachable longer than the lock) is handed to
  // another worker by BullMQ's stalled check: stop starting sends for it here, or both would send.
  worker.on('lockRenewalFailed', (jobIds: string[]) => {
    for (const id of jobIds) if (drain.stopJob(id)) o.deps.logger.warn({ jobId: id }, 'lost the lock of an active job: starting no more sends for it');
  });
  worker.on(
    'error',
    limitErrorLog((err, suppressed) => o.deps.logger.error({ err, suppressed }, 'delivery worker error')),
  );
  logJobFailures(worker, o.deps.logger, o.deps.transport.kind);
  return worker;
}
