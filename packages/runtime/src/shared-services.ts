import type { PostmillConfig } from '@postmill/config';
import { type Clock, systemClock } from '@postmill/core';
import { type DeliverMessagePayload, createDeliveryQueue } from '@postmill/queue';
import { type Keys, MessageStore, type RedisClient, SuppressionStore, createKeys, createRedisClient } from '@postmill/store';
import { OutboxStore } from '@postmill/transports';
import type { Queue } from 'bullmq';

/** Connections and stores both the API and the worker use. `close()` is idempotent. */
export interface SharedServices {
  readonly clock: Clock;
  readonly keys: Keys;
  readonly redis: RedisClient;
  readonly queue: Queue<DeliverMessagePayload>;
  readonly messages: MessageStore;
  readonly suppressions: SuppressionStore;
  readonly outbox: OutboxStore;
  /** Resolves once Redis accepts commands (a fail-fast connection refuses them before that). */
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
  redis.on('error', () => undefined); // reconnection is automatic; failures surface through commands
  const queue = createDeliveryQueue(redis, keys.bullPrefix);
  queue.on('error', () => undefined); // connection errors surface through the commands that fail; ioredis reconnects
  let closing: Promise<void> | undefined;
  return {
    clock,
    keys,
    redis,
    queue,
    messages: new MessageStore({ redis, keys, clock, retentionDays: config.limits.statusRetentionDays, timeZone: config.timeZone }),
    suppressions: new SuppressionStore({ redis, keys }),
    outbox: new OutboxStore({ redis, keys, clock, maxMessages: config.outboxMaxMessages }),
    ready: () =>
      redis.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            redis.once('ready', () => resolve());
          }),
    close: () =>
      (closing ??= (async () => {
        await queue.close();
        await redis.quit().catch(() => redis.disconnect());
      })()),
  };
}
