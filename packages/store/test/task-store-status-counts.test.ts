import { systemClock, TaskStatus } from '@postmill/core';
import { createKeys, createRedisClient, type RedisClient, TaskStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

describe('TaskStore.countByStatus (real Redis)', () => {
  let redis: RedisClient;
  const prefix = uniquePrefix('taskcounts');

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('counts every task once per status across pages, zeros included, and follows transitions', async () => {
    const tasks = new TaskStore<{ n: number }>({ redis, keys: createKeys(prefix), clock: systemClock });
    const zero = {
      [TaskStatus.Pending]: 0,
      [TaskStatus.Sending]: 0,
      [TaskStatus.Error]: 0,
      [TaskStatus.Done]: 0,
      [TaskStatus.Paused]: 0,
      [TaskStatus.Cancelled]: 0,
    };
    expect(await tasks.countByStatus()).toEqual(zero);
    const ids: number[] = [];
    for (let n = 0; n < 7; n++) ids.push(await tasks.create(() => ({ n })));
    await tasks.transition(ids[0]!, TaskStatus.Sending);
    await tasks.transition(ids[1]!, TaskStatus.Sending);
    await tasks.transition(ids[1]!, TaskStatus.Done);
    await tasks.transition(ids[2]!, TaskStatus.Cancelled);
    // A page size of 3 makes the 7 tasks span three pages.
    expect(await tasks.countByStatus(3)).toEqual({
      ...zero,
      [TaskStatus.Pending]: 4,
      [TaskStatus.Sending]: 1,
      [TaskStatus.Done]: 1,
      [TaskStatus.Cancelled]: 1,
    });
  });
});
