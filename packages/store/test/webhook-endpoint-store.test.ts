import { createKeys, createRedisClient, keySlot, type RedisClient, tencentCallbackKey, WebhookEndpointStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('WebhookEndpointStore (Tencent callback addresses)', () => {
  let redis: RedisClient;
  const prefix = uniquePrefix('whstore');
  const keys = createKeys(prefix);

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it("gives a sender's own URL for its address, the account URL for every other, and nothing once both are removed", async () => {
    const store = new WebhookEndpointStore({ redis, keys });
    expect(await store.urlFor('a@mail.example')).toBeUndefined();
    await store.setAccountUrl('http://hooks.example:8080/all');
    await store.setSenderUrl('A@Mail.Example', 'http://hooks.example:8081/a');
    expect(await store.urlFor('a@mail.example')).toBe('http://hooks.example:8081/a');
    expect(await store.urlFor('b@mail.example')).toBe('http://hooks.example:8080/all');
    expect(await store.list()).toEqual({
      accountUrl: 'http://hooks.example:8080/all',
      senders: [{ address: 'a@mail.example', url: 'http://hooks.example:8081/a' }],
    });
    await store.setSenderUrl('a@mail.example', '');
    expect(await store.urlFor('a@mail.example')).toBe('http://hooks.example:8080/all');
    await store.setAccountUrl('');
    expect(await store.list()).toEqual({ senders: [] });
  });

  it('keeps its hash under the deployment tag, in the slot of the other global collections', () => {
    expect(keySlot(tencentCallbackKey(keys))).toBe(keySlot(keys.sendCloudWebhooks));
  });
});
