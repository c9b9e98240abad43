import { ManualClock } from '@postmill/core';
import {
  createKeys,
  createRedisClient,
  IdentityStore,
  type RedisClient,
  readSendContext,
  SendContextReader,
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

  it('answers from what it read before only while no sender, identity or template changed, and always reads unsubscribes anew', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const reader = new SendContextReader({ redis, keys });
    const q = { sender: 'News@mail.example.com', templateId, recipients: ['a@example.org', 'b@example.org'] };
    expect((await reader.read(q)).template).toMatchObject({ html: '<p>Hi</p>' });
    const templates = new TemplateStore({ redis, keys, clock });
    await templates.update(templateId, { name: 't', html: '<p>Changed</p>' });
    expect((await reader.read(q)).template).toMatchObject({ html: '<p>Changed</p>' });
    await new SuppressionStore({ redis, keys }).unsubscribe('News@mail.example.com', 'b@example.org');
    expect([...(await reader.read(q)).unsubscribed]).toEqual(['b@example.org']);
    await new SenderAddressStore({ redis, keys, clock }).delete('News@mail.example.com');
    expect((await reader.read(q)).sender).toBeUndefined();
    await new IdentityStore({ redis, keys, clock }).delete('mail.example.com');
    expect((await reader.read(q)).identityExists).toBe(false);
    await templates.delete(templateId);
    expect((await reader.read(q)).template).toBeUndefined();
    await new IdentityStore({ redis, keys, clock }).create({ name: 'mail.example.com', dkimOption: 0, tags: [] });
    await new SenderAddressStore({ redis, keys, clock }).create({ address: 'News@mail.example.com', senderName: 'Again' });
    expect(await reader.read(q)).toMatchObject({ sender: { senderName: 'Again' }, identityExists: true, template: undefined });
  });

  it('reads neither sender, identity nor template again (only the version and the unsubscribes) when nothing changed since its last read', async () => {
    const reader = new SendContextReader({ redis, keys });
    const q = { sender: 'News@mail.example.com', templateId, recipients: ['gone@example.org'] };
    await reader.read(q);
    const calls = (info: string) => Number(/cmdstat_hget:calls=(\d+)/u.exec(info)?.[1] ?? 0) + Number(/cmdstat_hexists:calls=(\d+)/u.exec(info)?.[1] ?? 0);
    // The shared Redis counts other tests' commands too: repeat until a window shows none of ours.
    let readsOfOurs = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 20 && readsOfOurs > 0; attempt++) {
      const before = calls(await redis.info('commandstats'));
      const ctx = await reader.read(q);
      expect([...ctx.unsubscribed]).toEqual(['gone@example.org']);
      readsOfOurs = Math.min(readsOfOurs, calls(await redis.info('commandstats')) - before);
    }
    expect(readsOfOurs).toBe(0);
  });

  it('reads no unsubscribes for a sender nobody unsubscribed from, and sees the first unsubscribe as soon as it is recorded', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    await new SenderAddressStore({ redis, keys, clock }).create({ address: 'plain@mail.example.com' });
    const reader = new SendContextReader({ redis, keys });
    const q = { sender: 'plain@mail.example.com', recipients: ['a@example.org', 'b@example.org'] };
    expect((await reader.read(q)).unsubscribed.size).toBe(0);
    const smismember = (info: string) => Number(/cmdstat_smismember:calls=(\d+)/u.exec(info)?.[1] ?? 0);
    let readsOfOurs = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 20 && readsOfOurs > 0; attempt++) {
      const before = smismember(await redis.info('commandstats'));
      expect((await reader.read(q)).unsubscribed.size).toBe(0);
      readsOfOurs = Math.min(readsOfOurs, smismember(await redis.info('commandstats')) - before);
    }
    expect(readsOfOurs).toBe(0);
    await new SuppressionStore({ redis, keys }).unsubscribe('plain@mail.example.com', 'B@example.org');
    expect([...(await reader.read(q)).unsubscribed]).toEqual(['b@example.org']);
  });
});
