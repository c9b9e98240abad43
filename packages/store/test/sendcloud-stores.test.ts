import { ManualClock } from '@postmill/core';
import { createKeys, createRedisClient, ReceiverStore, type RedisClient, SendCloudListAliasStore, SendCloudWebhookStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('SendCloud stores and receiver list updates', () => {
  let redis: RedisClient;
  const prefix = uniquePrefix('scstore');
  const keys = createKeys(prefix);
  const clock = new ManualClock(1_700_000_000_000);

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('keeps one webhook per (category, url), changes it atomically and keeps its creation time', async () => {
    const store = new SendCloudWebhookStore({ redis, keys, clock });
    const first = await store.add({ categoryName: 'all', url: 'https://h.example/a', events: [1, 11] });
    expect(first).toMatchObject({ categoryName: 'all', url: 'https://h.example/a', events: [1, 11], createdAt: clock.now() });
    expect(await store.add({ categoryName: 'all', url: 'https://h.example/a', events: [3] })).toBeUndefined();
    await store.add({ categoryName: 'all', url: 'https://h.example/b', events: [3] });
    expect(await store.update('all', 'https://h.example/a', { url: 'https://h.example/b' })).toBe('exists');
    clock.advance(1000);
    expect(await store.update('all', 'https://h.example/a', { categoryName: 'shop' })).toBe('ok');
    expect(await store.get('all', 'https://h.example/a')).toBeUndefined();
    expect(await store.get('shop', 'https://h.example/a')).toMatchObject({ events: [1, 11], createdAt: clock.now() - 1000, updatedAt: clock.now() });
    expect(await store.update('nobody', 'https://h.example/a', { events: [1] })).toBe('not-found');
    expect((await store.list()).map((w) => `${w.categoryName} ${w.url}`)).toEqual(['shop https://h.example/a', 'all https://h.example/b']);
    expect(await store.delete('shop', 'https://h.example/a')).toBe(true);
    expect(await store.delete('shop', 'https://h.example/a')).toBe(false);
  });

  it('gives an alias to exactly one of concurrent takers and lets only its holder release it', async () => {
    const aliases = new SendCloudListAliasStore({ redis, keys });
    const won = await Promise.all([1, 2, 3].map((id) => aliases.take('News@maillist.example', id)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const holder = await aliases.holder('news@MAILLIST.example');
    expect(holder).toBe([1, 2, 3][won.indexOf(true)]);
    await aliases.release('news@maillist.example', 99);
    expect(await aliases.holder('news@maillist.example')).toBe(holder);
    expect(await aliases.take('news@maillist.example', 7, holder)).toBe(true);
    await aliases.release('news@maillist.example', 7);
    expect(await aliases.holder('news@maillist.example')).toBeUndefined();
  });

  it('renames a receiver list, frees its old name, refuses a taken name and changes desc and alias', async () => {
    const receivers = new ReceiverStore({ redis, keys, clock });
    const a = await receivers.create({ name: 'alpha', desc: '', alias: 'a@ml.example' });
    await receivers.create({ name: 'beta', desc: '' });
    await expect(receivers.update(a.id, { name: 'beta' })).rejects.toMatchObject({ kind: 'already-exists' });
    const renamed = await receivers.update(a.id, { name: 'gamma', desc: 'd', alias: 'g@ml.example' });
    expect(renamed).toMatchObject({ id: a.id, name: 'gamma', desc: 'd', alias: 'g@ml.example' });
    expect((await receivers.create({ name: 'alpha', desc: '' })).name).toBe('alpha');
    await expect(receivers.create({ name: 'gamma', desc: '' })).rejects.toMatchObject({ kind: 'already-exists' });
    await expect(receivers.update(9999, { desc: 'x' })).rejects.toMatchObject({ kind: 'receiver-list-not-found' });
  });
});
