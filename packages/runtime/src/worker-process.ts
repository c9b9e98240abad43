import type { PostmillConfig } from '@postmill/config';
import { SharedRateLimiter, TaskCache, startCampaignWorker, startDeliveryWorker } from '@postmill/queue';
import { type RedisClient, StatisticsStore } from '@postmill/store';
import type { Logger } from 'pino';
import { unsubscribeSecret } from './secrets.ts';
import type { SharedServices } from './shared-services.ts';
import { createTransport } from './transport-factory.ts';

/** A running worker. `close()` stops fetching, lets active jobs finish, closes the transport; idempotent. */
export interface RunningWorker {
  close(): Promise<void>;
}

/** Recipients of one chunk sent at once, unless the transport is the null one. */
const CHUNK_CONCURRENCY = 4;

/**
 * How many recipients of a chunk are sent at once. A few (4): with SMTP or Tencent SES, so one chunk
 * never floods the provider's connections; with the outbox, whose sends build MIME in this process,
 * so running more at once only interleaves CPU work (measured: later first answers, more memory, no
 * more throughput). The null transport's sends cost nothing, so its whole chunk goes at once: the
 * chunk's limiter slots are then reserved and its ledger states written in one or two round trips
 * instead of one per recipient (ChunkSlots, ledgerBatcher), which is what lets one worker record
 * tens of thousands of recipients per second. The shared limiter still paces every send.
 */
function chunkConcurrencyFor(config: PostmillConfig): number {
  return config.transport.kind === 'null' ? Math.max(CHUNK_CONCURRENCY, config.sending.chunkSize) : CHUNK_CONCURRENCY;
}

/** Starts the delivery worker (SendEmail messages and campaign chunks) and the campaign-control worker. */
export function startWorker(config: PostmillConfig, shared: SharedServices, logger: Logger): RunningWorker {
  const { redis, keys, clock } = shared;
  const transport = createTransport(config.transport, shared.outbox);
  const log = logger.child({ component: 'worker' });
  const limiter = new SharedRateLimiter({ redis, keys, name: transport.kind, ratePerSecond: config.sending.ratePerSecond });
  const secret = unsubscribeSecret(config);
  // Statistics are written once per chunk or message through an ioredis pipeline, and ioredis
  // copies every script BullMQ defined on a connection into each pipeline it builds (~80 µs, more
  // than the pipeline's own work). A connection of their own, without BullMQ's scripts, keeps that
  // write cheap on the hot path; it is closed with the worker.
  // (Redis and Cluster both have a no-argument duplicate(); TypeScript cannot call a union of their overloads.)
  const statsRedis = (redis.duplicate as () => RedisClient).call(redis);
  statsRedis.on('error', () => undefined); // reconnection is automatic; failures surface through commands
  const statistics = new StatisticsStore({ redis: statsRedis, keys, timeZone: config.timeZone });
  const campaign = {
    clock,
    transport,
    limiter,
    deliveryQueue: shared.queue,
    campaignQueue: shared.campaignQueue,
    tasks: shared.tasks,
    taskCache: new TaskCache({ tasks: shared.tasks, clock }),
    receivers: shared.receivers,
    suppressions: shared.suppressions,
    blacklist: shared.blacklist,
    holds: shared.holds,
    statistics,
    policy: config.sending.retry,
    chunkSize: config.sending.chunkSize,
    chunkConcurrency: chunkConcurrencyFor(config),
    dispatchHighWater: 2000,
    timeZone: config.timeZone,
    statusRetentionDays: config.limits.statusRetentionDays,
    publicUrl: config.http.publicUrl,
    unsubscribeSecret: secret,
    logger: log,
  };
  const delivery = startDeliveryWorker({
    connection: redis,
    bullPrefix: keys.bullPrefix,
    concurrency: config.sending.concurrency,
    lockDurationMs: config.sending.jobLockMs,
    deps: {
      clock,
      transport,
      limiter,
      queue: shared.queue,
      messages: shared.messages,
      suppressions: shared.suppressions,
      blacklist: shared.blacklist,
      statistics,
      holds: shared.holds,
      policy: config.sending.retry,
      chunkSize: config.sending.chunkSize,
      publicUrl: config.http.publicUrl,
      unsubscribeSecret: secret,
      logger: log,
    },
    campaign,
  });
  const control = startCampaignWorker({ connection: redis, bullPrefix: keys.bullPrefix, concurrency: 4, lockDurationMs: config.sending.jobLockMs, deps: campaign });
  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        await control.close();
        await delivery.close();
        await transport.close();
        await statsRedis.quit().catch(() => statsRedis.disconnect());
      })()),
  };
}
