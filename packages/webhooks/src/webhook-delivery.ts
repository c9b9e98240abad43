import type { Clock } from '@postmill/core';
import type { DeliverWebhookPayload } from '@postmill/queue';
import { type Keys, type RedisClient, SendCloudWebhookStore, SenderProfileStore, WebhookEndpointStore } from '@postmill/store';
import type { Queue, Worker } from 'bullmq';
import { DeadLetterStore } from './dead-letter-store.ts';
import { endpointSourcesFromStores } from './endpoint-resolver.ts';
import type { FormatOptions } from './format-event.ts';
import { TargetPolicy } from './target-policy.ts';
import type { WebhookObserver } from './webhook-metrics.ts';
import { WebhookPoster } from './webhook-poster.ts';
import { createWebhookQueue, WebhookPublisher } from './webhook-queue.ts';
import { startWebhookWorker, type WebhookLogger } from './webhook-worker.ts';

/** The webhook settings (PostmillConfig's `webhooks` fits as is). */
export interface WebhookDeliverySettings {
  readonly timeoutMs: number;
  readonly retryDelaysMs: readonly number[];
  readonly concurrency: number;
  readonly deadLetterRetentionMs: number;
  readonly allowPrivate: boolean;
  readonly allowCidrs: readonly string[];
  readonly denyCidrs: readonly string[];
  readonly sendCloudWebhookKey: string | undefined;
}

/** Options of createWebhookDelivery; every field documents its default. */
export interface WebhookDeliveryOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly clock: Clock;
  readonly settings: WebhookDeliverySettings;
  /** Start a worker that posts (worker processes); false: publish and replay only (API processes). Default true. */
  readonly runWorker?: boolean;
  /** Tencent and DirectMail format details (appId, region). Default: their formatters' defaults. */
  readonly format?: Omit<FormatOptions, 'sendCloudWebhookKey'>;
  /** JOB_LOCK_MS. Default BullMQ's 30 000. */
  readonly lockDurationMs?: number;
  /** The process's metrics (`createPostmillMetrics().webhooks` of @postmill/metrics). Default: no metrics. */
  readonly observer?: WebhookObserver;
  readonly logger?: WebhookLogger;
}

/** The assembled pipeline: what producers, admin hooks and shutdown need. */
export interface WebhookDelivery {
  readonly publisher: WebhookPublisher;
  readonly deadLetters: DeadLetterStore;
  /** The target policy the poster applies (and the dialects' URL checks on write: urlRefusalOf). */
  readonly policy: TargetPolicy;
  readonly queue: Queue<DeliverWebhookPayload>;
  readonly worker: Worker<DeliverWebhookPayload> | undefined;
  /** Closes the worker (finishing the POSTs in flight), the queue handle and the HTTP agent. Idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the webhook pipeline from the stores on `redis`: endpoints from the Tencent callback
 * store, DirectMail's sender profiles and SendCloud's webhook configurations; the target policy,
 * timeout, retry schedule and dead-letter retention from `settings`. Guarantees: nothing starts
 * at import; one call, one queue handle, one agent, at most one worker; `close()` is idempotent.
 * The composition root (apps' main.ts, via packages/runtime) is the only expected caller.
 */
export function createWebhookDelivery(o: WebhookDeliveryOptions): WebhookDelivery {
  const { redis, keys, settings } = o;
  const deadLetters = new DeadLetterStore({ redis, keys, retentionMs: settings.deadLetterRetentionMs });
  const queue = createWebhookQueue(redis, keys.bullPrefix);
  queue.on('error', () => undefined); // reconnection is automatic; failures surface through commands (publish, replay)
  const publisher = new WebhookPublisher({
    queue,
    deadLetters,
    retryDelaysMs: settings.retryDelaysMs,
    sources: endpointSourcesFromStores({
      webhookEndpoints: new WebhookEndpointStore({ redis, keys }),
      senderProfiles: new SenderProfileStore({ redis, keys }),
      sendCloudWebhooks: new SendCloudWebhookStore({ redis, keys, clock: o.clock }),
    }),
  });
  const policy = new TargetPolicy({ allowPrivate: settings.allowPrivate, allowCidrs: settings.allowCidrs, denyCidrs: settings.denyCidrs });
  const poster = new WebhookPoster({
    policy,
    timeoutMs: settings.timeoutMs,
  });
  const worker =
    (o.runWorker ?? true)
      ? startWebhookWorker({
          connection: redis,
          bullPrefix: keys.bullPrefix,
          poster,
          deadLetters,
          format: { ...o.format, ...(settings.sendCloudWebhookKey === undefined ? {} : { sendCloudWebhookKey: settings.sendCloudWebhookKey }) },
          clock: o.clock,
          retryDelaysMs: settings.retryDelaysMs,
          concurrency: settings.concurrency,
          ...(o.lockDurationMs === undefined ? {} : { lockDurationMs: o.lockDurationMs }),
          ...(o.observer ? { observer: o.observer } : {}),
          ...(o.logger ? { logger: o.logger } : {}),
        })
      : undefined;
  let closed: Promise<void> | undefined;
  return {
    publisher,
    deadLetters,
    policy,
    queue,
    worker,
    close: () =>
      (closed ??= (async () => {
        await worker?.close();
        await queue.close();
        await poster.close();
      })()),
  };
}
