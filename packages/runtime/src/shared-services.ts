import type { PostmillConfig } from '@postmill/config';
import { type CampaignTaskSpec, type Clock, systemClock } from '@postmill/core';
import { type CampaignPayload, createCampaignQueue, createDeliveryQueue, type DeliveryPayload } from '@postmill/queue';
import {
  BlacklistStore,
  createKeys,
  createRedisClient,
  DeliveryIntakeStore,
  DomainHoldStore,
  IdentityStore,
  type Keys,
  MessageStore,
  ReceiverStore,
  type RedisClient,
  RunDayIndex,
  SenderAddressStore,
  StatisticsStore,
  SuppressionStore,
  TaskStore,
  TemplateStore,
} from '@postmill/store';
import { OutboxStore } from '@postmill/transports';
import type { Queue } from 'bullmq';
import { redisUnreachable } from './startup-error.ts';

const DAY_MS = 86_400_000;

/** Connections, queues and stores the API and the worker share. `close()` is idempotent. */
export interface SharedServices {
  readonly clock: Clock;
  readonly keys: Keys;
  readonly redis: RedisClient;
  readonly queue: Queue<DeliveryPayload>;
  readonly campaignQueue: Queue<CampaignPayload>;
  readonly messages: MessageStore;
  /** Accepted message ids waiting for their delivery job (the workers' intake pump creates it). */
  readonly intake: DeliveryIntakeStore;
  readonly suppressions: SuppressionStore;
  readonly outbox: OutboxStore;
  readonly identities: IdentityStore;
  readonly addresses: SenderAddressStore;
  readonly templates: TemplateStore;
  readonly receivers: ReceiverStore;
  readonly blacklist: BlacklistStore;
  readonly statistics: StatisticsStore;
  readonly holds: DomainHoldStore;
  readonly tasks: TaskStore<CampaignTaskSpec>;
  /** Campaign runs by the calendar day they started (GetSendEmailStatus by RequestDate). */
  readonly runDays: RunDayIndex;
  /**
   * Resolves once Redis accepts commands (a fail-fast connection refuses them before that).
   * Rejects with a StartupError (`Startup.RedisUnreachable`) when the connection fails before it
   * was ever ready (refused, unknown host, timeout, bad password), so a process never waits
   * forever for a Redis that is not there; outages after that are waited out as before.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens one Redis connection (plus BullMQ's own) and builds the shared stores. `failFast` (the API)
 * makes commands fail at once while Redis is unreachable instead of waiting for it, so a request
 * gets a clear retryable error rather than hanging; workers keep waiting and retrying.
 */
export function createSharedServices(
  config: PostmillConfig,
  options: { redisUrl: string; connectionName: string; clock?: Clock; failFast?: boolean },
): SharedServices {
  const clock = options.clock ?? systemClock;
  const keys = createKeys(config.redis.prefix);
  const redis = createRedisClient({
    url: options.redisUrl,
    clusterNodes: config.redis.clusterNodes,
    connectionName: options.connectionName,
    failFast: options.failFast ?? false,
  });
  // Reconnection is automatic and failures surface through commands; an error before the first
  // 'ready' is kept so ready() can report it (see redisUnreachable).
  let firstFailure: unknown;
  let everReady = false;
  redis.on('error', (err: unknown) => {
    if (!everReady) firstFailure ??= err;
  });
  redis.once('ready', () => {
    everReady = true;
  });
  const queue = createDeliveryQueue(redis, keys.bullPrefix);
  const campaignQueue = createCampaignQueue(redis, keys.bullPrefix);
  for (const q of [queue, campaignQueue]) q.on('error', () => undefined);
  const timeZone = config.timeZone;
  let closing: Promise<void> | undefined;
  return {
    clock,
    keys,
    redis,
    queue,
    campaignQueue,
    messages: new MessageStore({ redis, keys, clock, retentionDays: config.limits.statusRetentionDays, timeZone }),
    intake: new DeliveryIntakeStore({ redis, keys }),
    suppressions: new SuppressionStore({ redis, keys }),
    outbox: new OutboxStore({ redis, keys, clock, maxMessages: config.outboxMaxMessages }),
    identities: new IdentityStore({ redis, keys, clock }),
    addresses: new SenderAddressStore({ redis, keys, clock, maxAddresses: config.limits.maxSenderAddresses }),
    templates: new TemplateStore({ redis, keys, clock }),
    receivers: new ReceiverStore({ redis, keys, clock, maxListSize: config.limits.maxReceiverListSize }),
    blacklist: new BlacklistStore({ redis, keys, clock, timeZone }),
    statistics: new StatisticsStore({ redis, keys, timeZone, retentionDays: config.statisticsRetentionDays }),
    holds: new DomainHoldStore({ redis, keys, clock }),
    tasks: new TaskStore<CampaignTaskSpec>({
      redis,
      keys,
      clock,
      retention: { runMs: config.limits.statusRetentionDays * DAY_MS, taskMs: config.taskRetentionDays * DAY_MS },
    }),
    runDays: new RunDayIndex({ redis, keys, retentionDays: config.limits.statusRetentionDays }),
    ready: () =>
      redis.status === 'ready'
        ? Promise.resolve()
        : firstFailure !== undefined
          ? Promise.reject(redisUnreachable(options.redisUrl, firstFailure))
          : new Promise<void>((resolve, reject) => {
              const onReady = () => {
                redis.off('error', onError);
                resolve();
              };
              const onError = (err: unknown) => {
                if (everReady) return; // an outage after start-up: wait it out
                redis.off('ready', onReady);
                redis.off('error', onError);
                reject(redisUnreachable(options.redisUrl, err));
              };
              redis.once('ready', onReady);
              redis.on('error', onError);
            }),
    close: () =>
      (closing ??= (async () => {
        await queue.close();
        await campaignQueue.close();
        await redis.quit().catch(() => redis.disconnect());
      })()),
  };
}
