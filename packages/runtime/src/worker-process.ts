import type { PostmillConfig } from '@postmill/config';
import { SharedRateLimiter, TaskCache, startCampaignWorker, startDeliveryWorker } from '@postmill/queue';
import type { Logger } from 'pino';
import { unsubscribeSecret } from './secrets.ts';
import type { SharedServices } from './shared-services.ts';
import { createTransport } from './transport-factory.ts';

/** A running worker. `close()` stops fetching, lets active jobs finish, closes the transport; idempotent. */
export interface RunningWorker {
  close(): Promise<void>;
}

/** Recipients of one chunk sent at once by a transport that calls out to a provider. */
const REMOTE_CHUNK_CONCURRENCY = 4;

/**
 * How many recipients of a chunk are sent at once. A remote transport (SMTP, Tencent SES) gets a
 * few, so one chunk never floods the provider's connections. With a local one (null, outbox) a
 * send is work in this process and Redis, with no connection to protect, so the whole chunk goes
 * at once: its limiter slots are then reserved and its ledger states written in one or two round
 * trips per chunk instead of one each (ChunkSlots, ledgerBatcher), which is what lets one worker
 * record tens of thousands of recipients per second. The shared limiter still paces every send.
 */
function chunkConcurrencyFor(config: PostmillConfig): number {
  const local = config.transport.kind === 'null' || config.transport.kind === 'outbox';
  return local ? Math.max(REMOTE_CHUNK_CONCURRENCY, config.sending.chunkSize) : REMOTE_CHUNK_CONCURRENCY;
}

/** Starts the delivery worker (SendEmail messages and campaign chunks) and the campaign-control worker. */
export function startWorker(config: PostmillConfig, shared: SharedServices, logger: Logger): RunningWorker {
  const { redis, keys, clock } = shared;
  const transport = createTransport(config.transport, shared.outbox);
  const log = logger.child({ component: 'worker' });
  const limiter = new SharedRateLimiter({ redis, keys, name: transport.kind, ratePerSecond: config.sending.ratePerSecond });
  const secret = unsubscribeSecret(config);
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
    statistics: shared.statistics,
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
      statistics: shared.statistics,
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
      })()),
  };
}
