import { parseConfig } from '@postmill/config';
import { systemClock } from '@postmill/core';
import { createKeys, createRedisClient, WebhookEndpointStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { describe, expect, inject, it } from 'vitest';
import { createWebhookDelivery } from '../src/index.ts';
import { testEvent } from './harness.ts';
import { startReceiver, until } from './receiver.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('createWebhookDelivery', () => {
  it('assembles a pipeline from the parsed configuration that delivers to an allowed loopback receiver and closes twice without error', async () => {
    const prefix = uniquePrefix('whwire');
    const keys = createKeys(prefix);
    const redis = createRedisClient({ url: inject('redisUrl') });
    const receiver = await startReceiver();
    const settings = parseConfig({ WEBHOOK_ALLOW_CIDRS: '127.0.0.1', WEBHOOK_RETRY_DELAYS_SECONDS: '0.05' }).webhooks;
    const delivery = createWebhookDelivery({ redis, keys, clock: systemClock, settings, format: { tencent: { username: '42' } } });
    try {
      await new WebhookEndpointStore({ redis, keys }).setAccountUrl(receiver.url);
      const event = testEvent({ kind: 'deferred', reason: '451 try later' });
      expect(await delivery.publisher.publish(event)).toBe(1);
      await until(() => receiver.delivered().has(event.id));
      expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({ event: 'deferred', eventid: 8, username: '42', reason: '451 try later' });
    } finally {
      await delivery.close();
      await delivery.close();
      await receiver.close();
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
  });
});
