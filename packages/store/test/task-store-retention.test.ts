import { setTimeout as sleep } from 'node:timers/promises';
import { RunCode, systemClock, TaskStatus } from '@postmill/core';
import { createKeys, createRedisClient, type Keys, type RedisClient, TaskStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

// Retention in seconds instead of days, so the keys really expire within the test.
const RETENTION = { runMs: 1500, taskMs: 1500 };

describe('TaskStore retention of finished runs and settled tasks (real Redis, real expiry)', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: Keys;
  let tasks: TaskStore<{ name: string }>;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('retention');
    keys = createKeys(prefix);
    tasks = new TaskStore({ redis, keys, clock: systemClock, retention: RETENTION });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  const runKeys = (id: number) => [keys.taskRun(id, 1), keys.runStates(id, 1), keys.runDetails(id, 1)];

  it('expires a finished run’s hash, bitfield and details, and the settled task with its place in ListSendTasks', async () => {
    const id = await tasks.create(() => ({ name: 't' }));
    const kept = await tasks.create(() => ({ name: 'still pending' }));
    await tasks.openRun(id, 1, { plannedAt: 0, total: 2 });
    await tasks.record(id, 1, [
      { index: 0, code: RunCode.Sent },
      { index: 1, code: RunCode.FailedPermanent, detail: { code: 'SMTP.550', message: 'no', at: 1 } },
    ]);
    expect(await tasks.status(id)).toBe(TaskStatus.Done);
    for (const key of [...runKeys(id), keys.task(id)]) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1500);
    }
    expect(await redis.pttl(keys.task(kept))).toBe(-1);
    expect(await tasks.ids(0, 10)).toEqual({ total: 2, ids: [kept, id] });

    await sleep(1700);
    for (const key of [...runKeys(id), keys.task(id)]) expect(await redis.exists(key)).toBe(0);
    expect(await tasks.ids(0, 10)).toEqual({ total: 1, ids: [kept] });
    expect(await redis.zcard(keys.tasksExpiry)).toBe(0);
    expect((await tasks.countByStatus())[TaskStatus.Done]).toBe(0);
  });

  it('takes the expiry off a run and its task again when RetrySendTaskFailures reopens the run', async () => {
    const id = await tasks.create(() => ({ name: 't' }));
    await tasks.openRun(id, 1, { plannedAt: 0, total: 1 });
    await tasks.record(id, 1, [{ index: 0, code: RunCode.FailedTransient, detail: { code: 'Network.Timeout', message: 'slow', at: 1 } }]);
    expect(await redis.pttl(keys.taskRun(id, 1))).toBeGreaterThan(0);
    expect((await tasks.control(id, 'retry')).kind).toBe('ok');
    for (const key of [keys.taskRun(id, 1), keys.runStates(id, 1), keys.task(id)]) expect(await redis.pttl(key)).toBe(-1);
    await sleep(1700);
    // The expiry noted in the index at the settle is checked against the task's real TTL: it stays listed.
    expect(await tasks.ids(0, 10)).toEqual({ total: 1, ids: [id] });
    expect(await tasks.status(id)).toBe(TaskStatus.Sending);
  });

  it('expires a task cancelled before any run, and never a paused or pending one', async () => {
    const cancelled = await tasks.create(() => ({ name: 'c' }));
    const paused = await tasks.create(() => ({ name: 'p' }));
    await tasks.control(cancelled, 'cancel');
    await tasks.control(paused, 'pause');
    expect(await redis.pttl(keys.task(cancelled))).toBeGreaterThan(0);
    expect(await redis.pttl(keys.task(paused))).toBe(-1);
  });
});
