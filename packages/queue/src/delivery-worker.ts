import { transientBackoffMs } from '@postmill/core';
import type { RedisClient } from '@postmill/store';
import { type Job, Worker } from 'bullmq';
import type { CampaignDeps } from './campaign/campaign-deps.ts';
import { processSendChunk } from './campaign/send-chunk-processor.ts';
import { type DeliveryDeps, processDeliverMessage } from './delivery-processor.ts';
import { BACKOFF_STRATEGY, type DeliverMessagePayload, type DeliveryPayload, JOB, QUEUE, type SendChunkPayload } from './job-catalog.ts';

export interface DeliveryWorkerOptions {
  readonly connection: RedisClient;
  readonly bullPrefix: string;
  /** Jobs processed at once in this process. Default 8. */
  readonly concurrency: number;
  /** Job lock; a killed worker's jobs are moved back to waiting after it lapses. Default 30 000. */
  readonly lockDurationMs?: number;
  readonly deps: DeliveryDeps;
  /** Needed to process campaign chunks; without it only SendEmail messages are delivered. */
  readonly campaign?: CampaignDeps;
}

/**
 * Starts a delivery worker. Guarantees: the shared limiter (not BullMQ's fixed window) gates
 * provider requests; BullMQ's `limiter` is configured only so `queue.rateLimit()` pauses every
 * worker (BullMQ ignores manual rate limits without it) and its own cap is never reached;
 * transient retries use the one backoff policy.
 */
export function startDeliveryWorker(o: DeliveryWorkerOptions): Worker<DeliveryPayload> {
  const process = (job: Job<DeliveryPayload>, token: string | undefined) => {
    if (job.name === JOB.sendChunk) {
      if (!o.campaign) throw new Error('this worker was started without campaign support');
      return processSendChunk(job as Job<SendChunkPayload>, token, o.campaign);
    }
    return processDeliverMessage(job as Job<DeliverMessagePayload>, token, o.deps);
  };
  const worker = new Worker<DeliveryPayload>(QUEUE.delivery, process, {
    connection: o.connection,
    prefix: o.bullPrefix,
    concurrency: o.concurrency,
    ...(o.lockDurationMs ? { lockDuration: o.lockDurationMs, stalledInterval: o.lockDurationMs } : {}),
    limiter: { max: 1_000_000_000, duration: 1000 },
    maximumRateLimitDelay: 1000,
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string) =>
        type === BACKOFF_STRATEGY ? transientBackoffMs(attemptsMade, o.deps.policy) : o.deps.policy.backoffBaseMs,
    },
  });
  worker.on('error', (err) => o.deps.logger.error({ err }, 'delivery worker error'));
  return worker;
}
