import {
  DEFAULT_RETRY_POLICY,
  type MailTransport,
  type MessageSpec,
  newMessageId,
  type RecipientState,
  type RetryPolicyOptions,
  systemClock,
} from '@postmill/core';
import {
  BlacklistStore,
  createKeys,
  createRedisClient,
  DeliveryIntakeStore,
  DomainHoldStore,
  MessageStore,
  StatisticsStore,
  SuppressionStore,
} from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import type { Worker } from 'bullmq';
import { type Logger, pino } from 'pino';
import { inject } from 'vitest';
import { createDeliveryQueue } from '../src/delivery-queue.ts';
import { startDeliveryWorker } from '../src/delivery-worker.ts';
import { startIntakePump } from '../src/intake-pump.ts';
import type { DeliveryPayload } from '../src/job-catalog.ts';
import { MessageProducer } from '../src/message-producer.ts';
import { SharedRateLimiter } from '../src/shared-rate-limiter.ts';
import type { WorkerDrain } from '../src/worker-drain.ts';

/** A producer + one delivery worker on the test Redis under a unique prefix, with a real transport. */
export interface WorkerHarness {
  readonly messages: MessageStore;
  readonly suppressions: SuppressionStore;
  readonly blacklist: BlacklistStore;
  readonly holds: DomainHoldStore;
  readonly queue: ReturnType<typeof createDeliveryQueue>;
  readonly worker: Worker<DeliveryPayload>;
  /** Accepts a message (defaults: sender news@mail.example.com, one text part); resolves once its job exists. */
  send(partial: Partial<MessageSpec> & Pick<MessageSpec, 'to'>): Promise<MessageSpec>;
  /** Resolves with the ledger once every recipient is final (sent or failed). */
  settled(messageId: string, timeoutMs?: number): Promise<Map<string, RecipientState>>;
  close(): Promise<void>;
}

export async function startWorkerHarness(options: {
  transport: MailTransport;
  policy?: Partial<RetryPolicyOptions>;
  chunkSize?: number;
  ratePerSecond?: number;
  concurrency?: number;
  /** Default: a silent logger. */
  logger?: Logger;
  /** The worker's drain switch (drainWorkers); default: one nobody begins. */
  drain?: WorkerDrain;
}): Promise<WorkerHarness> {
  const prefix = uniquePrefix('worker');
  const keys = createKeys(prefix);
  const redis = createRedisClient({ url: inject('redisUrl') });
  const clock = systemClock;
  const policy: RetryPolicyOptions = { ...DEFAULT_RETRY_POLICY, backoffBaseMs: 50, ...options.policy };
  const queue = createDeliveryQueue(redis, keys.bullPrefix);
  const messages = new MessageStore({ redis, keys, clock, retentionDays: 1, timeZone: 'Asia/Shanghai' });
  const suppressions = new SuppressionStore({ redis, keys });
  const holds = new DomainHoldStore({ redis, keys, clock });
  const blacklist = new BlacklistStore({ redis, keys, clock, timeZone: 'Asia/Shanghai' });
  const intake = new DeliveryIntakeStore({ redis, keys });
  const producer = new MessageProducer({ messages, intake });
  const pump = startIntakePump({ intake, redis, queue, policy, logger: pino({ level: 'silent' }) });
  const worker = startDeliveryWorker({
    connection: redis,
    bullPrefix: keys.bullPrefix,
    concurrency: options.concurrency ?? 4,
    ...(options.drain ? { drain: options.drain } : {}),
    deps: {
      clock,
      transport: options.transport,
      limiter: new SharedRateLimiter({ redis, keys, name: options.transport.kind, ratePerSecond: options.ratePerSecond ?? 1000 }),
      queue,
      messages,
      suppressions,
      blacklist,
      statistics: new StatisticsStore({ redis, keys, timeZone: 'Asia/Shanghai' }),
      holds,
      policy,
      chunkSize: options.chunkSize ?? 50,
      publicUrl: 'http://postmill.test',
      unsubscribeSecret: 'worker-harness-secret',
      logger: options.logger ?? pino({ level: 'silent' }),
    },
  });
  return {
    messages,
    suppressions,
    blacklist,
    holds,
    queue,
    worker,
    async send(partial) {
      const acceptedAt = clock.now();
      const spec: MessageSpec = {
        messageId: newMessageId(acceptedAt),
        acceptedAt,
        from: { address: 'news@mail.example.com', name: 'News' },
        cc: [],
        bcc: [],
        subject: 'Hello',
        text: 'Hello there',
        attachments: [],
        headers: {},
        unsubscribe: '0',
        triggerType: 1,
        ...partial,
      };
      await producer.enqueue(spec);
      // The intake pump creates the job a moment later; tests look at it right after send().
      for (const by = Date.now() + 10_000; !(await queue.getJob(spec.messageId)); ) {
        if (Date.now() > by) throw new Error(`no job for ${spec.messageId} within 10 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return spec;
    },
    async settled(messageId, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await messages.getRecipients(messageId);
        if (states.size > 0 && [...states.values()].every((s) => s.state === 'sent' || s.state === 'failed')) return states;
        if (Date.now() > deadline) throw new Error(`message ${messageId} not settled: ${JSON.stringify([...states])}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await pump.stop();
      await worker.close();
      await options.transport.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    },
  };
}
