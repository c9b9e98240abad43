import { DEFAULT_RETRY_POLICY } from '@postmill/core';
import { createKeys, createRedisClient, DeliveryIntakeStore, type Keys, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createDeliveryQueue } from '../src/delivery-queue.ts';
import { type IntakePump, type IntakePumpOptions, startIntakePump } from '../src/intake-pump.ts';
import { JOB } from '../src/job-catalog.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('intake pump', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: Keys;
  let intake: DeliveryIntakeStore;
  let queue: ReturnType<typeof createDeliveryQueue>;
  const pumps: IntakePump[] = [];
  const start = (over: Partial<IntakePumpOptions> = {}) => {
    const pump = startIntakePump({ intake, redis, queue, policy: DEFAULT_RETRY_POLICY, logger: pino({ level: 'silent' }), ...over });
    pumps.push(pump);
    return pump;
  };
  const jobCount = async () => Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('pump');
    keys = createKeys(prefix);
    intake = new DeliveryIntakeStore({ redis, keys });
    queue = createDeliveryQueue(redis, keys.bullPrefix);
  });
  afterEach(async () => {
    await Promise.all(pumps.splice(0).map((p) => p.stop()));
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('makes one deliver-message job of every id, over several batches, and empties the intake', async () => {
    const ids = Array.from({ length: 1200 }, (_, i) => `pm-${i}`);
    for (const id of ids) await intake.push(id);
    start({ batchSize: 500 });
    await expect.poll(() => intake.pending(), { timeout: 10_000 }).toBe(0);
    expect(await jobCount()).toBe(1200);
    const job = await queue.getJob('pm-777');
    expect(job?.name).toBe(JOB.deliverMessage);
    expect(job?.data).toEqual({ messageId: 'pm-777' });
    expect(job?.opts.attempts).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it('picks a new id up at once while idle (a blocking wait, not polling)', async () => {
    const pump = start({ idleWaitSeconds: 10 });
    await expect.poll(() => pump.isActive()).toBe(true);
    await new Promise((r) => setTimeout(r, 200)); // now blocked in its wait
    const pushedAt = performance.now();
    await intake.push('pm-late');
    await expect.poll(() => queue.getJob('pm-late').then(Boolean), { interval: 5 }).toBe(true);
    expect(performance.now() - pushedAt).toBeLessThan(1000);
  });

  it('pumps in one process at a time; another takes over when it stops', async () => {
    const a = start({ leaseMs: 500, standbyPollMs: 50 });
    await expect.poll(() => a.isActive()).toBe(true);
    const b = start({ leaseMs: 500, standbyPollMs: 50 });
    await new Promise((r) => setTimeout(r, 300));
    expect(b.isActive()).toBe(false);
    await a.stop(); // releases the lease
    await expect.poll(() => b.isActive(), { timeout: 2000 }).toBe(true);
    await intake.push('pm-after-handover');
    await expect.poll(() => queue.getJob('pm-after-handover').then(Boolean)).toBe(true);
  });

  it('takes over from a pump that died holding the lease and claimed ids, once the lease expires; a job queued twice stays one job', async () => {
    // What a pump killed between queueing and dropping its batch leaves behind.
    await queue.add(JOB.deliverMessage, { messageId: 'pm-1' }, { jobId: 'pm-1' });
    await redis.rpush(keys.deliveryIntakeClaimed, 'pm-1', 'pm-2');
    await redis.set(keys.deliveryIntakeLease, 'dead-pump', 'PX', 600);
    const startedAt = performance.now();
    const pump = start({ leaseMs: 600, standbyPollMs: 50 });
    await expect.poll(() => intake.pending(), { timeout: 5000 }).toBe(0);
    expect(performance.now() - startedAt).toBeGreaterThan(400); // not before the dead pump's lease ran out
    expect(pump.isActive()).toBe(true);
    expect(await jobCount()).toBe(2);
    expect((await queue.getJobs()).map((j) => j.id).sort()).toEqual(['pm-1', 'pm-2']);
  });

  it('keeps ids it could not queue and retries them when Redis refuses the job', async () => {
    await intake.push('pm-1');
    // A queue whose every add fails (its connection is closed): the id must stay in Redis.
    const broken = createRedisClient({ url: inject('redisUrl') });
    await broken.quit();
    const deadQueue = createDeliveryQueue(broken, keys.bullPrefix);
    deadQueue.on('error', () => undefined);
    const failing = start({ queue: deadQueue, retryDelayMs: 20 });
    await expect.poll(() => failing.isActive()).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(await intake.pending()).toBe(1);
    await failing.stop();
    await deadQueue.close().catch(() => undefined);
    start();
    await expect.poll(() => queue.getJob('pm-1').then(Boolean), { timeout: 5000 }).toBe(true);
    await expect.poll(() => intake.pending()).toBe(0);
  });
});
