import { EngineError, ManualClock } from '@postmill/core';
import { createKeys, createRedisClient, IdentityStore, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

// The root globalSetup (testkit/src/redis-global-setup.ts) provides this; that file is not part of
// this package's type program, so the typing of `inject('redisUrl')` is repeated here.
declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('IdentityStore', () => {
  let redis: RedisClient;
  let prefix: string;
  let clock: ManualClock;
  let store: IdentityStore;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('identity');
    clock = new ManualClock(1_700_000_000_000);
    store = new IdentityStore({ redis, keys: createKeys(prefix), clock });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('creates a domain lower-cased with its DKIM option, tags and creation time, and reads it back case-insensitively', async () => {
    const created = await store.create({ name: 'Mail.Example.COM', dkimOption: 1, tags: [{ key: 'team', value: 'growth' }] });
    expect(created).toEqual({ name: 'mail.example.com', createdAt: 1_700_000_000_000, dkimOption: 1, tags: [{ key: 'team', value: 'growth' }] });
    expect(await store.get('MAIL.example.com')).toEqual(created);
  });

  it('answers undefined for a domain that was never created', async () => {
    expect(await store.get('nothing.example.com')).toBeUndefined();
  });

  it('refuses to create a domain twice, whatever its case, as already-exists, and keeps the first record', async () => {
    await store.create({ name: 'example.com', dkimOption: 0, tags: [] });
    clock.advance(1000);
    const err = await store.create({ name: 'EXAMPLE.com', dkimOption: 2, tags: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ kind: 'already-exists', context: { resource: 'domain', name: 'example.com' } });
    expect(await store.get('example.com')).toMatchObject({ dkimOption: 0, createdAt: 1_700_000_000_000 });
    expect((await store.list(0, 10)).total).toBe(1);
  });

  it('lists domains in creation order even when they were created in the same millisecond', async () => {
    for (const name of ['c.example.com', 'a.example.com', 'b.example.com']) await store.create({ name, dkimOption: 0, tags: [] });
    const page = await store.list(0, 10);
    expect(page.total).toBe(3);
    expect(page.items.map((i) => i.name)).toEqual(['c.example.com', 'a.example.com', 'b.example.com']);
  });

  it('pages with offset and limit and always reports the full total', async () => {
    for (let i = 0; i < 5; i++) await store.create({ name: `d${i}.example.com`, dkimOption: 0, tags: [] });
    expect(await store.list(1, 2)).toMatchObject({ total: 5, items: [{ name: 'd1.example.com' }, { name: 'd2.example.com' }] });
    expect((await store.list(4, 10)).items.map((i) => i.name)).toEqual(['d4.example.com']);
    expect(await store.list(9, 10)).toEqual({ total: 5, items: [] });
    expect(await store.list(0, 0)).toEqual({ total: 5, items: [] });
    expect((await store.list(2, Number.POSITIVE_INFINITY)).items).toHaveLength(3);
  });

  it('deletes a domain so it is gone from get and list, and answers false for an unknown one', async () => {
    await store.create({ name: 'a.example.com', dkimOption: 0, tags: [] });
    await store.create({ name: 'b.example.com', dkimOption: 0, tags: [] });
    expect(await store.delete('A.example.com')).toBe(true);
    expect(await store.delete('a.example.com')).toBe(false);
    expect(await store.get('a.example.com')).toBeUndefined();
    expect(await store.list(0, 10)).toMatchObject({ total: 1, items: [{ name: 'b.example.com' }] });
  });

  it('lets a deleted domain be created again, placed last in the order', async () => {
    await store.create({ name: 'a.example.com', dkimOption: 0, tags: [] });
    await store.create({ name: 'b.example.com', dkimOption: 0, tags: [] });
    await store.delete('a.example.com');
    await store.create({ name: 'a.example.com', dkimOption: 1, tags: [] });
    expect((await store.list(0, 10)).items.map((i) => i.name)).toEqual(['b.example.com', 'a.example.com']);
  });

  it('records a new DKIM option without touching the rest, and answers undefined for an unknown domain', async () => {
    const created = await store.create({ name: 'example.com', dkimOption: 0, tags: [{ key: 'k', value: 'v' }] });
    expect(await store.setDkimOption('Example.com', 2)).toEqual({ ...created, dkimOption: 2 });
    expect(await store.get('example.com')).toEqual({ ...created, dkimOption: 2 });
    expect(await store.setDkimOption('other.example.com', 1)).toBeUndefined();
    expect(await store.get('other.example.com')).toBeUndefined();
  });

  it('keeps every key under the deployment hash tag so its scripts are Redis Cluster safe', async () => {
    await store.create({ name: 'example.com', dkimOption: 0, tags: [] });
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    expect(found.length).toBeGreaterThan(0);
    for (const key of found) expect(key.startsWith(`{${prefix}}:`)).toBe(true);
  });
});
