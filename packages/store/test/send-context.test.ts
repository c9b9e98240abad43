import { ManualClock } from '@postmill/core';
import {
  createKeys,
  createRedisClient,
  IdentityStore,
  type RedisClient,
  readSendContext,
  SenderAddressStore,
  SuppressionStore,
  TemplateStore,
} from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('readSendContext', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: ReturnType<typeof createKeys>;
  let templateId: number;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    prefix = uniquePrefix('sendctx');
    keys = createKeys(prefix);
    const clock = new ManualClock(1_700_000_000_000);
    await new IdentityStore({ redis, keys, clock }).create({ name: 'mail.example.com', dkimOption: 0, tags: [] });
    await new SenderAddressStore({ redis, keys, clock }).create({ address: 'News@mail.example.com', senderName: 'News' });
    templateId = (await new TemplateStore({ redis, keys, clock }).create({ name: 't', html: '<p>Hi</p>' })).id;
    await new SuppressionStore({ redis, keys }).unsubscribe('News@mail.example.com', 'Gone@Example.org');
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('reads the sender, its identity, the template and who unsubscribed, as the separate stores do', async () => {
    const ctx = await readSendContext({ redis, keys }, { sender: 'News@MAIL.example.com', templateId, recipients: ['a@example.org', 'gone@example.org'] });
    expect(ctx.sender).toMatchObject({ address: 'News@mail.example.com', senderName: 'News' });
    expect(ctx.identityExists).toBe(true);
    expect(ctx.template).toMatchObject({ id: templateId, html: '<p>Hi</p>' });
    expect([...ctx.unsubscribed]).toEqual(['gone@example.org']);
  });

  it('answers absent for an unknown sender, domain and template, and nobody unsubscribed without recipients', async () => {
    const ctx = await readSendContext({ redis, keys }, { sender: 'x@other.example.com', templateId: templateId + 1, recipients: [] });
    expect(ctx).toEqual({ sender: undefined, identityExists: false, template: undefined, unsubscribed: new Set() });
    expect((await readSendContext({ redis, keys }, { sender: 'News@mail.example.com', recipients: ['a@example.org'] })).template).toBeUndefined();
  });
});
