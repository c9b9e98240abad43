import {
  type CampaignTaskSpec,
  DEFAULT_RETRY_POLICY,
  type MailTransport,
  type RetryPolicyOptions,
  systemClock,
  TaskStatus,
  type TaskStatusCode,
} from '@postmill/core';
import {
  BlacklistStore,
  createKeys,
  createRedisClient,
  DomainHoldStore,
  type Keys,
  MessageStore,
  ReceiverStore,
  type RedisClient,
  RunDayIndex,
  StatisticsStore,
  SuppressionStore,
  TaskStore,
} from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { createNullTransport } from '@postmill/transports';
import type { Queue, Worker } from 'bullmq';
import { pino } from 'pino';
import { inject } from 'vitest';
import { CampaignControl } from '../src/campaign/campaign-control.ts';
import type { CampaignDeps } from '../src/campaign/campaign-deps.ts';
import { startCampaignWorker } from '../src/campaign/campaign-worker.ts';
import { campaignChunkProcessor } from '../src/campaign/send-chunk-processor.ts';
import { TaskSpecCache } from '../src/campaign/task-spec-cache.ts';
import { createCampaignQueue, createDeliveryQueue } from '../src/delivery-queue.ts';
import { startDeliveryWorker } from '../src/delivery-worker.ts';
import type { DeliveryPayload } from '../src/job-catalog.ts';
import { SharedRateLimiter } from '../src/shared-rate-limiter.ts';

/**
 * A transport over the null transport that counts what it was asked to send, per recipient, and
 * can hold one recipient's sends until released (to put a send in flight on purpose).
 */
export interface CountingTransport extends MailTransport {
  /** Sends started per recipient address. */
  readonly sends: Map<string, number>;
  /** Sends started per Postmill MessageId (`pm-task-<task>-<run>-<index>`: one per recipient of a run). */
  readonly sendsById: Map<string, number>;
  /** Holds every send to `recipient` until the returned function is called; `fail` makes it fail then. */
  hold(recipient: string, fail?: Error): () => void;
}

export function countingTransport(): CountingTransport {
  const inner = createNullTransport();
  const sends = new Map<string, number>();
  const sendsById = new Map<string, number>();
  const holds = new Map<string, { released: Promise<void>; fail: Error | undefined }>();
  return {
    kind: 'null',
    sends,
    sendsById,
    hold(recipient, fail) {
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.set(recipient, { released, fail });
      return () => {
        holds.delete(recipient);
        release();
      };
    },
    async send(request) {
      for (const r of request.recipients) sends.set(r, (sends.get(r) ?? 0) + 1);
      sendsById.set(request.postmillMessageId, (sendsById.get(request.postmillMessageId) ?? 0) + 1);
      const held = request.recipients.map((r) => holds.get(r)).find((h) => h !== undefined);
      if (held) {
        await held.released;
        if (held.fail) throw held.fail;
      }
      return inner.send(request);
    },
    close: () => inner.close(),
  };
}

/** The recipients of a harness list: user0@example.org, user1@example.org, … */
export const recipient = (i: number) => `user${i}@example.org`;

/** Campaign workers and stores on the test Redis under a unique prefix. */
export interface CampaignHarness {
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly tasks: TaskStore<CampaignTaskSpec>;
  readonly deliveryQueue: Queue<DeliveryPayload>;
  readonly control: CampaignControl;
  /** The deps the harness's workers use (with the harness transport, unless a worker was given its own). */
  readonly deps: CampaignDeps;
  /** Deps like `deps`, with another transport or delivery queue (for processors called directly). */
  depsWith(o: { transport?: MailTransport; deliveryQueue?: Queue<DeliveryPayload> }): CampaignDeps;
  /** A list of `size` recipients and a TaskType 1 task over it (its start job queued, due now). */
  createTask(size: number): Promise<number>;
  /** Starts one delivery worker and one campaign worker with `deps` (default: the harness deps); `only` starts just one of them. */
  startWorkers(deps?: CampaignDeps, only?: 'delivery' | 'campaign'): void;
  /** Resolves with the task once `until` holds, polling; rejects after `timeoutMs`. */
  waitTask(
    id: number,
    until: (status: TaskStatusCode) => boolean,
    timeoutMs?: number,
  ): Promise<NonNullable<Awaited<ReturnType<TaskStore<CampaignTaskSpec>['get']>>>>;
  close(): Promise<void>;
}

export async function startCampaignHarness(o: {
  transport: MailTransport;
  chunkSize?: number;
  ratePerSecond?: number;
  claimLeaseMs?: number;
  policy?: Partial<RetryPolicyOptions>;
}): Promise<CampaignHarness> {
  const prefix = uniquePrefix('campaign');
  const keys = createKeys(prefix);
  const redis = createRedisClient({ url: inject('redisUrl') });
  const clock = systemClock;
  const policy: RetryPolicyOptions = { ...DEFAULT_RETRY_POLICY, backoffBaseMs: 50, ...o.policy };
  const logger = pino({ level: 'silent' });
  const deliveryQueue = createDeliveryQueue(redis, keys.bullPrefix);
  const campaignQueue = createCampaignQueue(redis, keys.bullPrefix);
  const tasks = new TaskStore<CampaignTaskSpec>({ redis, keys, clock });
  const receivers = new ReceiverStore({ redis, keys, clock, maxListSize: 1_000_000 });
  const statistics = new StatisticsStore({ redis, keys, timeZone: 'Asia/Shanghai' });
  const limiter = new SharedRateLimiter({ redis, keys, name: 'null', ratePerSecond: o.ratePerSecond ?? 2000 });
  const shared = {
    suppressions: new SuppressionStore({ redis, keys }),
    blacklist: new BlacklistStore({ redis, keys, clock, timeZone: 'Asia/Shanghai' }),
    holds: new DomainHoldStore({ redis, keys, clock }),
  };
  const deps: CampaignDeps = {
    clock,
    transport: o.transport,
    limiter,
    deliveryQueue,
    campaignQueue,
    tasks,
    runDays: new RunDayIndex({ redis, keys, retentionDays: 30 }),
    specs: new TaskSpecCache({ tasks }),
    receivers,
    ...shared,
    statistics,
    policy,
    claimLeaseMs: o.claimLeaseMs ?? 2000,
    chunkSize: o.chunkSize ?? 10,
    chunkConcurrency: 4,
    dispatchHighWater: 2000,
    timeZone: 'Asia/Shanghai',
    statusRetentionDays: 1,
    publicUrl: 'http://postmill.test',
    unsubscribeSecret: 'campaign-harness-secret',
    logger,
  };
  const control = new CampaignControl({ tasks, campaignQueue, policy, clock });
  const workers: Worker[] = [];
  const messages = new MessageStore({ redis, keys, clock, retentionDays: 1, timeZone: 'Asia/Shanghai' });
  return {
    redis,
    keys,
    tasks,
    deliveryQueue,
    control,
    deps,
    depsWith: (w) => ({ ...deps, ...w }),
    async createTask(size) {
      const list = await receivers.create({ name: `list-${size}-${Math.random()}`, desc: '' });
      for (let from = 0; from < size; from += 5000) {
        const entries = Array.from({ length: Math.min(5000, size - from) }, (_, k) => ({ email: recipient(from + k) }));
        await receivers.append(list.id, entries, { maxListSize: 1_000_000, maxTemplateDataBytes: 800 });
      }
      const now = clock.now();
      return control.create(
        (id) => ({
          taskId: id,
          from: { address: 'news@mail.example.com' },
          subject: 'Hello',
          text: 'Hello',
          templateData: {},
          attachments: [],
          unsubscribe: '0',
          adLocation: 0,
          receiverId: list.id,
          receiversName: list.name,
          templateId: 1,
          taskType: 1,
          schedule: { kind: 'now' },
          params: {},
        }),
        { n: 1, at: now },
      );
    },
    startWorkers(workerDeps = deps, only) {
      if (only !== 'delivery') workers.push(startCampaignWorker({ connection: redis, bullPrefix: keys.bullPrefix, concurrency: 4, deps: workerDeps }));
      if (only === 'campaign') return;
      workers.push(
        startDeliveryWorker({
          connection: redis,
          bullPrefix: keys.bullPrefix,
          concurrency: 8,
          deps: {
            clock,
            transport: workerDeps.transport,
            limiter,
            queue: deliveryQueue,
            messages,
            ...shared,
            statistics,
            policy,
            chunkSize: workerDeps.chunkSize,
            publicUrl: workerDeps.publicUrl,
            unsubscribeSecret: workerDeps.unsubscribeSecret,
            logger,
          },
          sendChunk: campaignChunkProcessor(workerDeps),
        }),
      );
    },
    async waitTask(id, until, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const view = await tasks.get(id);
        if (view && until(view.status)) return view;
        if (Date.now() > deadline) throw new Error(`task ${id} still ${view?.status} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await deliveryQueue.obliterate({ force: true }).catch(() => undefined);
      await campaignQueue.obliterate({ force: true }).catch(() => undefined);
      await deliveryQueue.close();
      await campaignQueue.close();
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    },
  };
}

/** True for the statuses a task ends in. */
export const settled = (s: TaskStatusCode) => s === TaskStatus.Done || s === TaskStatus.Cancelled;
