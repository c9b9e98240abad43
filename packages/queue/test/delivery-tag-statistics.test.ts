import { calendarDate, DEFAULT_RETRY_POLICY, type MessageSpec, newMessageId, systemClock } from '@postmill/core';
import {
  BlacklistStore,
  createKeys,
  createRedisClient,
  DomainHoldStore,
  MessageStore,
  type RedisClient,
  StatisticsStore,
  SuppressionStore,
} from '@postmill/store';
import { deleteKeysWithPrefix, type FakeTencentSes, startFakeTencentSes, uniquePrefix } from '@postmill/testkit';
import { createTencentSesTransport } from '@postmill/transports';
import type { Job, Queue } from 'bullmq';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type DeliveryDeps, processDeliverMessage } from '../src/delivery-processor.ts';
import { createDeliveryQueue } from '../src/delivery-queue.ts';
import { type DeliverMessagePayload, type DeliveryPayload, JOB } from '../src/job-catalog.ts';
import { SharedRateLimiter } from '../src/shared-rate-limiter.ts';

const TIME_ZONE = 'Asia/Shanghai';

// The worker counts a message's statistics under the tag the message was sent with, as it
// records each outcome, so a report by tag needs no scan of messages.
describe('statistics of a tagged message', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('counts the delivered and the permanently failed recipients of a tagged message under its tag, and nothing under another tag', async () => {
    const prefix = uniquePrefix('tagstats');
    const keys = createKeys(prefix);
    const redis: RedisClient = createRedisClient({ url: inject('redisUrl') });
    const fake: FakeTencentSes = await startFakeTencentSes();
    const transport = createTencentSesTransport({
      endpoint: fake.endpoint,
      secretId: fake.secretId,
      secretKey: fake.secretKey,
      region: 'ap-guangzhou',
      timeoutMs: 5000,
    });
    const queue: Queue<DeliveryPayload> = createDeliveryQueue(redis, keys.bullPrefix);
    const messages = new MessageStore({ redis, keys, clock: systemClock, retentionDays: 1, timeZone: TIME_ZONE });
    const statistics = new StatisticsStore({ redis, keys, timeZone: TIME_ZONE });
    cleanup = async () => {
      await transport.close();
      await fake.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    };
    const deps: DeliveryDeps = {
      clock: systemClock,
      transport,
      limiter: new SharedRateLimiter({ redis, keys, name: 'tagstats', ratePerSecond: 1000 }),
      queue,
      messages,
      suppressions: new SuppressionStore({ redis, keys }),
      blacklist: new BlacklistStore({ redis, keys, clock: systemClock, timeZone: TIME_ZONE }),
      statistics,
      holds: new DomainHoldStore({ redis, keys, clock: systemClock }),
      policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 },
      chunkSize: 1,
      publicUrl: 'http://postmill.test',
      unsubscribeSecret: 'tag-stats-secret',
      logger: pino({ level: 'silent' }),
    };
    const acceptedAt = systemClock.now();
    const spec: MessageSpec = {
      messageId: newMessageId(acceptedAt),
      acceptedAt,
      from: { address: 'news@mail.example.com' },
      to: ['ok@example.org', 'gone@example.org'],
      cc: [],
      bcc: [],
      subject: 'Hello',
      text: 'Hello there',
      attachments: [],
      headers: {},
      unsubscribe: '0',
      triggerType: 1,
      tag: 'spring',
    };
    fake.respondWith((request) =>
      request.recipients.includes('gone@example.org') ? { kind: 'error', code: 'FailedOperation.IncorrectEmail' } : { kind: 'accept' },
    );
    await messages.accept(spec);
    await queue.add(JOB.deliverMessage, { messageId: spec.messageId }, { jobId: spec.messageId });
    const job = (await queue.getJob(spec.messageId)) as Job<DeliverMessagePayload>;
    await processDeliverMessage(job, undefined, deps);

    const range = { startDate: calendarDate(acceptedAt, TIME_ZONE), endDate: calendarDate(Date.now(), TIME_ZONE) };
    const spring = await statistics.report({ ...range, tag: 'spring' });
    expect(spring.overall).toMatchObject({ requestCount: 2, deliveredCount: 1 });
    expect((await statistics.report({ ...range, tag: 'spring', domain: 'mail.example.com' })).overall.requestCount).toBe(2);
    expect((await statistics.report({ ...range, tag: 'autumn' })).overall.requestCount).toBe(0);
  });
});
