import { ManualClock } from '@postmill/core';
import { createKeys, createRedisClient, type RedisClient, SendRateStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

const T0 = 1_700_000_000_000;

describe('SendRateStore', () => {
  let redis: RedisClient;
  let prefix: string;
  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('send-rate');
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('reads nothing before any worker announced, then the latest announcement with its time, and hands back the one it replaced', async () => {
    const clock = new ManualClock(T0);
    const store = new SendRateStore({ redis, keys: createKeys(prefix), clock });
    expect(await store.latest()).toBeUndefined();
    expect(await store.announce({ transport: 'outbox', perSecond: 'unlimited', setting: 'OUTBOX_RATE_PER_SECOND', isDefault: true })).toBeUndefined();
    clock.advance(5000);
    const replaced = await store.announce({ transport: 'tencent-ses', perSecond: 20, setting: 'TENCENT_SES_RATE_PER_SECOND', isDefault: true });
    expect(replaced).toEqual({ transport: 'outbox', perSecond: 'unlimited', setting: 'OUTBOX_RATE_PER_SECOND', isDefault: true, announcedAtMs: T0 });
    expect(await store.latest()).toEqual({
      transport: 'tencent-ses',
      perSecond: 20,
      setting: 'TENCENT_SES_RATE_PER_SECOND',
      isDefault: true,
      announcedAtMs: T0 + 5000,
    });
  });

  it('reads a damaged value as nothing announced', async () => {
    const keys = createKeys(prefix);
    const store = new SendRateStore({ redis, keys, clock: new ManualClock(T0) });
    for (const damaged of ['not json', '{"transport":"smtp","perSecond":-3,"setting":"X","isDefault":false,"announcedAtMs":1}', '[]']) {
      await redis.set(keys.sendRate, damaged);
      expect(await store.latest(), damaged).toBeUndefined();
    }
  });
});
