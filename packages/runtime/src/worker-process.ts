import type { PostmillConfig, SendRate } from '@postmill/config';
import type { TransportKind } from '@postmill/core';
import {
  campaignChunkProcessor,
  claimLeaseFor,
  type DeliveryObserver,
  drainWorkers,
  noopDeliveryObserver,
  type SharedRateLimiter,
  startCampaignWorker,
  startDeliveryWorker,
  startIntakePump,
  TaskSpecCache,
  WorkerDrain,
} from '@postmill/queue';
import { EventLog, EventLogStore, type RedisClient, SendRateStore, StatisticsStore } from '@postmill/store';
import { createWebhookDelivery, type WebhookObserver, type WebhookPublisher } from '@postmill/webhooks';
import type { Logger } from 'pino';
import { unsubscribeSecret } from './secrets.ts';
import { createSendLimiter } from './send-limiter.ts';
import type { SharedServices } from './shared-services.ts';
import { createTransport } from './transport-factory.ts';

/**
 * A running worker. `close()` drains it (see drainWorkers): no new job and no new provider request,
 * requests in flight finish and are recorded for up to `config.shutdownGraceMs`, unfinished jobs go
 * back to the queue at once (no attempt spent); then it closes the webhook delivery (its POSTs in
 * flight finish, within WEBHOOK_TIMEOUT_MS) and the transport. The shared Redis connection is the
 * caller's and stays open until after this resolves. Idempotent.
 */
export interface RunningWorker {
  close(): Promise<void>;
  /** Queues MailEvents to their configured webhook endpoints (this worker's own webhook worker posts them). */
  readonly webhooks: WebhookPublisher;
  /** True from the moment `close()` was called (readiness turns false then). */
  readonly isDraining: () => boolean;
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

/**
 * Tells the API (GetSendTask's SendRate) which rate this worker sends under. Not awaited: the
 * announcement is for display, so a Redis hiccup here must not stop a worker that can send; a
 * failure is logged and the API then shows the previous announcement (or none).
 */
function announceSendRate(store: SendRateStore, transport: TransportKind, rate: SendRate, log: Logger): void {
  store.announce({ transport, perSecond: rate.perSecond, setting: rate.setting, isDefault: rate.isDefault }).then(
    (previous) => {
      log.info({ transport, sendRate: rate }, 'send rate');
      if (previous && (previous.transport !== transport || previous.perSecond !== rate.perSecond)) {
        log.warn(
          {
            transport,
            perSecond: rate.perSecond,
            previous: { transport: previous.transport, perSecond: previous.perSecond, announcedAtMs: previous.announcedAtMs },
          },
          'this worker sends under another transport or rate than the worker started before it: expected after a configuration change, but workers running at once on one Redis must agree (each paces the shared limit with its own rate)',
        );
      }
    },
    (err: unknown) => log.warn({ err }, 'could not announce the send rate; GetSendTask shows the previous announcement or none'),
  );
}

/** Options of `startWorker`; every field documents its default. */
export interface WorkerProcessOptions {
  /** Told about every mail outcome, provider request, limiter wait and run start (metrics). Default: a no-op. */
  readonly observer?: DeliveryObserver;
  /** Told about every webhook try (metrics: `createPostmillMetrics().webhooks`). Default: none. */
  readonly webhookObserver?: WebhookObserver;
}

/**
 * Starts the delivery worker (SendEmail messages and campaign chunks), the campaign-control worker
 * and the webhook worker (config.webhooks: timeout, retry schedule, target policy, dead-letter retention).
 */
export function startWorker(config: PostmillConfig, shared: SharedServices, logger: Logger, options: WorkerProcessOptions = {}): RunningWorker {
  const observer = options.observer ?? noopDeliveryObserver;
  const { redis, keys, clock } = shared;
  const transport = createTransport(config.transport, shared.outbox);
  const log = logger.child({ component: 'worker' });
  // Both limiters implement the RateLimiter port the processors use (reserve, pausedForMs, pause,
  // nowMs, lateToleranceMs), but DeliveryDeps and CampaignDeps still name the SharedRateLimiter
  // class, whose private members make it nominal. The cast goes once they take RateLimiter.
  const limiter = createSendLimiter({ redis, keys, transport: transport.kind, rate: config.sending.rate }) as unknown as SharedRateLimiter;
  announceSendRate(new SendRateStore({ redis, keys, clock }), transport.kind, config.sending.rate, log);
  const secret = unsubscribeSecret(config);
  // Statistics are written once per chunk or message through an ioredis pipeline, and ioredis
  // copies every script BullMQ defined on a connection into each pipeline it builds (~80 µs, more
  // than the pipeline's own work). A connection of their own, without BullMQ's scripts, keeps that
  // write cheap on the hot path; it is closed with the worker.
  // (Redis and Cluster both have a no-argument duplicate(); TypeScript cannot call a union of their overloads.)
  const statsRedis = (redis.duplicate as () => RedisClient).call(redis);
  statsRedis.on('error', () => undefined); // reconnection is automatic; failures surface through commands
  const statistics = new StatisticsStore({ redis: statsRedis, keys, timeZone: config.timeZone, retentionDays: config.statisticsRetentionDays });
  // Posts MailEvents to the Tencent, DirectMail and SendCloud endpoints the dialects configured.
  const webhooks = createWebhookDelivery({
    redis,
    keys,
    clock,
    settings: config.webhooks,
    lockDurationMs: config.sending.jobLockMs,
    logger: logger.child({ component: 'webhooks' }),
    ...(options.webhookObserver ? { observer: options.webhookObserver } : {}),
  });
  // Every recipient-level event is written once to the event log, then handed to the webhooks.
  // The log writes plain commands on the statistics connection (no BullMQ scripts to copy).
  // Off by default (EVENT_LOG): the log's writes still cost campaigns far more than issue 15's budget.
  const events = config.eventLog.enabled
    ? new EventLog(new EventLogStore({ redis: statsRedis, prefix: keys.prefix, retentionDays: config.eventLog.retentionDays }), webhooks.publisher)
    : undefined;
  // One drain switch per BullMQ worker: close() begins both, so no processor starts new work.
  const deliveryDrain = new WorkerDrain();
  const controlDrain = new WorkerDrain();
  const campaign = {
    clock,
    transport,
    limiter,
    deliveryQueue: shared.queue,
    campaignQueue: shared.campaignQueue,
    tasks: shared.tasks,
    runDays: shared.runDays,
    specs: new TaskSpecCache({ tasks: shared.tasks }),
    claimLeaseMs: claimLeaseFor('timeoutMs' in config.transport ? config.transport.timeoutMs : 0),
    receivers: shared.receivers,
    suppressions: shared.suppressions,
    blacklist: shared.blacklist,
    holds: shared.holds,
    statistics,
    policy: config.sending.retry,
    chunkSize: config.sending.chunkSize,
    jobRecipients: config.sending.jobRecipients,
    chunkConcurrency: chunkConcurrencyFor(config),
    dispatchHighWater: 2000,
    timeZone: config.timeZone,
    statusRetentionDays: config.limits.statusRetentionDays,
    publicUrl: config.http.publicUrl,
    unsubscribeSecret: secret,
    logger: log,
    observer,
    ...(events ? { events } : {}),
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
      observer,
      ...(events ? { events } : {}),
    },
    sendChunk: campaignChunkProcessor(campaign),
    drain: deliveryDrain,
  });
  // Creates the delivery job of each message the API accepted; one worker process pumps at a time.
  const pump = startIntakePump({ intake: shared.intake, redis, queue: shared.queue, policy: config.sending.retry, logger: log });
  const control = startCampaignWorker({
    connection: redis,
    bullPrefix: keys.bullPrefix,
    concurrency: 4,
    lockDurationMs: config.sending.jobLockMs,
    deps: campaign,
    drain: controlDrain,
  });
  let closing: Promise<void> | undefined;
  return {
    webhooks: webhooks.publisher,
    isDraining: () => closing !== undefined,
    close: () =>
      (closing ??= (async () => {
        const startedAt = performance.now();
        const pumpStopped = pump.stop(); // its ids stay in Redis; another worker's pump takes over
        await drainWorkers(
          [
            { name: 'delivery', worker: delivery, drain: deliveryDrain },
            { name: 'campaign', worker: control, drain: controlDrain },
          ],
          { graceMs: config.shutdownGraceMs, logger: log },
        );
        await pumpStopped;
        // After the delivery workers (which will publish events) have stopped, before the caller
        // closes Redis: the webhook worker finishes its POSTs in flight and records their outcome.
        await webhooks.close();
        // Waits for requests still in flight (only after a forced hand-back), then closes connections.
        await transport.close();
        await statsRedis.quit().catch(() => statsRedis.disconnect());
        log.info({ elapsedMs: Math.round(performance.now() - startedAt) }, 'worker closed');
      })()),
  };
}
