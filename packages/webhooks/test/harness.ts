import { type MailEvent, systemClock } from '@postmill/core';
import { createPostmillMetrics, type PostmillMetrics } from '@postmill/metrics';
import type { DeliverWebhookPayload } from '@postmill/queue';
import { createKeys, createRedisClient, type RedisClient, SendCloudWebhookStore, SenderProfileStore, WebhookEndpointStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import type { Queue, Worker } from 'bullmq';
import {
  createWebhookQueue,
  DeadLetterStore,
  endpointSourcesFromStores,
  startWebhookWorker,
  TargetPolicy,
  type TargetPolicyOptions,
  WebhookPoster,
  WebhookPublisher,
} from '../src/index.ts';

export const SENDCLOUD_KEY = 'sc-webhook-key';

/** Options of the harness; every field documents its default. */
export interface HarnessOptions {
  readonly redisUrl: string;
  /** Default [40, 80, 160, 320] ms: SendCloud's shape, scaled down so tests stay fast. */
  readonly retryDelaysMs?: readonly number[];
  /** Default: loopback allowed (the receivers run there). */
  readonly policy?: TargetPolicyOptions;
  /** Default 3 000 (the production default). */
  readonly timeoutMs?: number;
  /** Default BullMQ's 30 000. */
  readonly lockDurationMs?: number;
  /** Default SENDCLOUD_KEY; '' stands for "not set". */
  readonly sendCloudWebhookKey?: string;
}

/** The whole pipeline on a real Redis: stores, publisher, a worker, metrics; `close()` removes every key. */
export interface Harness {
  readonly redis: RedisClient;
  readonly tencent: WebhookEndpointStore;
  readonly senderProfiles: SenderProfileStore;
  readonly sendCloud: SendCloudWebhookStore;
  readonly deadLetters: DeadLetterStore;
  readonly publisher: WebhookPublisher;
  readonly queue: Queue<DeliverWebhookPayload>;
  readonly worker: Worker<DeliverWebhookPayload>;
  readonly registry: PostmillMetrics['registry'];
  /** Starts one more worker on the same queue (closed by `close()`). */
  startAnotherWorker(): Worker<DeliverWebhookPayload>;
  close(): Promise<void>;
}

let sequence = 0;
/** A test event with a fresh id. */
export function testEvent(overrides: Partial<MailEvent> = {}): MailEvent {
  sequence++;
  return {
    id: `ev-${process.pid}-${sequence}`,
    kind: 'delivered',
    at: 1_700_000_000_000 + sequence,
    messageId: `pm-date-20231114-${sequence}`,
    recipient: `rcpt${sequence}@example.org`,
    sender: 'news@mail.example',
    ...overrides,
  };
}

export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const prefix = uniquePrefix('webhooks');
  const keys = createKeys(prefix);
  const redis = createRedisClient({ url: o.redisUrl });
  const retryDelaysMs = o.retryDelaysMs ?? [40, 80, 160, 320];
  const tencent = new WebhookEndpointStore({ redis, keys });
  const senderProfiles = new SenderProfileStore({ redis, keys });
  const sendCloud = new SendCloudWebhookStore({ redis, keys, clock: systemClock });
  const deadLetters = new DeadLetterStore({ redis, keys });
  const queue = createWebhookQueue(redis, keys.bullPrefix);
  const publisher = new WebhookPublisher({
    queue,
    deadLetters,
    retryDelaysMs,
    sources: endpointSourcesFromStores({ webhookEndpoints: tencent, senderProfiles, sendCloudWebhooks: sendCloud }),
  });
  const poster = new WebhookPoster({
    policy: new TargetPolicy(o.policy ?? { allowCidrs: ['127.0.0.0/8'] }),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
  });
  const { registry, webhooks: observer } = createPostmillMetrics({ defaultMetrics: false });
  const workers: Worker<DeliverWebhookPayload>[] = [];
  const startWorker = () => {
    const w = startWebhookWorker({
      connection: redis,
      bullPrefix: keys.bullPrefix,
      poster,
      deadLetters,
      format: { sendCloudWebhookKey: o.sendCloudWebhookKey ?? SENDCLOUD_KEY, tencent: { username: '1000001' } },
      clock: systemClock,
      retryDelaysMs,
      observer,
      ...(o.lockDurationMs === undefined ? {} : { lockDurationMs: o.lockDurationMs }),
    });
    workers.push(w);
    return w;
  };
  const worker = startWorker();
  return {
    redis,
    tencent,
    senderProfiles,
    sendCloud,
    deadLetters,
    publisher,
    queue,
    worker,
    registry,
    startAnotherWorker: startWorker,
    close: async () => {
      for (const w of workers) await w.close();
      await queue.close();
      await poster.close();
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    },
  };
}
