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
import type { DeliveryObserver, MailOutcome } from '../src/delivery-observer.ts';
import { type DeliveryDeps, processDeliverMessage } from '../src/delivery-processor.ts';
import { createDeliveryQueue } from '../src/delivery-queue.ts';
import { type DeliverMessagePayload, type DeliveryPayload, JOB } from '../src/job-catalog.ts';
import { SharedRateLimiter } from '../src/shared-rate-limiter.ts';

const TIME_ZONE = 'Asia/Shanghai';
const RECIPIENT = 'late@example.org';

// A job whose worker lost its lock is run by a second worker while the first one's request is
// still in flight. The first worker's answer arrives last: it must neither overwrite `sent` nor
// be counted in statistics or metrics.
describe('a late provider answer of a job that lost its lock', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function setUp() {
    const prefix = uniquePrefix('late');
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
    const outcomes: { outcome: MailOutcome; errorCode: string; count: number }[] = [];
    const observer: DeliveryObserver = {
      mailOutcome: (e) => outcomes.push({ outcome: e.outcome, errorCode: e.errorCode, count: e.count }),
      providerRequest: () => undefined,
      rateLimitWait: () => undefined,
      scheduleLag: () => undefined,
    };
    const deps: DeliveryDeps = {
      clock: systemClock,
      transport,
      limiter: new SharedRateLimiter({ redis, keys, name: 'late', ratePerSecond: 1000 }),
      queue,
      messages,
      suppressions: new SuppressionStore({ redis, keys }),
      blacklist: new BlacklistStore({ redis, keys, clock: systemClock, timeZone: TIME_ZONE }),
      statistics,
      holds: new DomainHoldStore({ redis, keys, clock: systemClock }),
      // One attempt: a transient late answer would fail the recipient (the worst case).
      policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 },
      chunkSize: 50,
      publicUrl: 'http://postmill.test',
      unsubscribeSecret: 'late-answer-secret',
      logger: pino({ level: 'silent' }),
      observer,
    };
    cleanup = async () => {
      await transport.close();
      await fake.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    };
    const acceptedAt = systemClock.now();
    const spec: MessageSpec = {
      messageId: newMessageId(acceptedAt),
      acceptedAt,
      from: { address: 'news@mail.example.com', name: 'News' },
      to: [RECIPIENT],
      cc: [],
      bcc: [],
      subject: 'Hello',
      text: 'Hello there',
      attachments: [],
      headers: {},
      unsubscribe: '0',
      triggerType: 1,
    };
    await messages.accept(spec);
    await queue.add(JOB.deliverMessage, { messageId: spec.messageId }, { jobId: spec.messageId });
    const job = (await queue.getJob(spec.messageId)) as Job<DeliverMessagePayload>;
    return { fake, deps, messages, statistics, outcomes, spec, job };
  }

  for (const [late, becomes] of [
    ['FailedOperation.IncorrectEmail', 'a permanent failure'],
    ['InternalError', 'a transient failure on the last attempt'],
    ['FailedOperation.FrequencyLimit', 'a deferral'],
  ] as const) {
    it(`keeps the recipient sent and counts it once when the stale worker's ${late} (${becomes}) arrives after the other worker's acceptance`, async () => {
      const { fake, deps, messages, statistics, outcomes, spec, job } = await setUp();
      let arrivals = 0;
      // The stale worker's request arrives first and is answered last; the new owner's is accepted at once.
      fake.respondWith(() => (arrivals++ === 0 ? { kind: 'error', code: late, delayMs: 400 } : { kind: 'accept' }));
      const stale = processDeliverMessage(job, undefined, deps);
      await expect.poll(() => fake.requests.length).toBe(1);
      const owner = await processDeliverMessage(job, undefined, deps);
      expect(owner).toBe('sent 1/1');
      expect((await messages.getRecipients(spec.messageId)).get(RECIPIENT)).toMatchObject({ state: 'sent' });
      await stale;
      expect(fake.requests).toHaveLength(2);
      expect((await messages.getRecipients(spec.messageId)).get(RECIPIENT)).toMatchObject({ state: 'sent' });
      const { overall } = await statistics.report({ startDate: calendarDate(spec.acceptedAt, TIME_ZONE), endDate: calendarDate(Date.now(), TIME_ZONE) });
      expect(overall).toMatchObject({ requestCount: 1, acceptedCount: 1, deliveredCount: 1, bounceCount: 0 });
      expect(outcomes).toEqual([{ outcome: 'sent', errorCode: '', count: 1 }]);
    });
  }
});
