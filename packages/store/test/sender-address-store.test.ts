import { EngineError, ManualClock } from '@postmill/core';
import { createKeys, createRedisClient, type RedisClient, SenderAddressStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

// The root globalSetup (testkit/src/redis-global-setup.ts) provides this; that file is not part of
// this package's type program, so the typing of `inject('redisUrl')` is repeated here.
declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

async function kindOf(promise: Promise<unknown>): Promise<string | undefined> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return (err as EngineError).kind;
}

describe('SenderAddressStore', () => {
  let redis: RedisClient;
  let prefix: string;
  let clock: ManualClock;
  let store: SenderAddressStore;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('sender');
    clock = new ManualClock(1_700_000_000_000);
    store = new SenderAddressStore({ redis, keys: createKeys(prefix), clock, maxAddresses: 3 });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('creates an address with its sender name and creation time, lower-casing only the domain part', async () => {
    const created = await store.create({ address: 'News@Mail.Example.COM', senderName: 'Example News' });
    expect(created).toEqual({ address: 'News@mail.example.com', senderName: 'Example News', createdAt: 1_700_000_000_000 });
    expect(await store.get('News@MAIL.example.com')).toEqual(created);
  });

  it('treats the local part as case-sensitive: a different-case local part is another address', async () => {
    await store.create({ address: 'News@example.com' });
    expect(await store.get('news@example.com')).toBeUndefined();
    expect((await store.create({ address: 'news@example.com' })).address).toBe('news@example.com');
  });

  it('stores no sender name when none or an empty one is given', async () => {
    expect(await store.create({ address: 'a@example.com' })).toEqual({ address: 'a@example.com', createdAt: 1_700_000_000_000 });
    expect(await store.create({ address: 'b@example.com', senderName: '' })).not.toHaveProperty('senderName');
    expect(await store.get('b@example.com')).toEqual({ address: 'b@example.com', createdAt: 1_700_000_000_000 });
  });

  it('refuses a duplicate address as already-exists, even when the cap is also reached', async () => {
    await store.create({ address: 'a@example.com' });
    expect(await kindOf(store.create({ address: 'a@EXAMPLE.com', senderName: 'Other' }))).toBe('already-exists');
    await store.create({ address: 'b@example.com' });
    await store.create({ address: 'c@example.com' });
    expect(await kindOf(store.create({ address: 'c@example.com' }))).toBe('already-exists');
    expect((await store.get('a@example.com'))?.senderName).toBeUndefined();
  });

  it('refuses an address beyond the cap as limit-exceeded and accepts one again after a delete', async () => {
    for (const a of ['a', 'b', 'c']) await store.create({ address: `${a}@example.com` });
    expect(await kindOf(store.create({ address: 'd@example.com' }))).toBe('limit-exceeded');
    expect(await store.delete('b@example.com')).toBe(true);
    await store.create({ address: 'd@example.com' });
    expect((await store.list()).map((r) => r.address).sort()).toEqual(['a@example.com', 'c@example.com', 'd@example.com']);
  });

  it('never exceeds the cap when many creates race', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.create({ address: `user${i}@example.com` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(await store.list()).toHaveLength(3);
  });

  it('defaults the cap to 10 addresses', async () => {
    const defaults = new SenderAddressStore({ redis, keys: createKeys(prefix), clock });
    for (let i = 0; i < 10; i++) await defaults.create({ address: `user${i}@example.com` });
    expect(await kindOf(defaults.create({ address: 'user10@example.com' }))).toBe('limit-exceeded');
  });

  it('lists addresses oldest first, ties broken by address', async () => {
    clock.set(3000);
    await store.create({ address: 'late@example.com' });
    clock.set(1000);
    await store.create({ address: 'z@example.com' });
    await store.create({ address: 'b@example.com' });
    expect((await store.list()).map((r) => r.address)).toEqual(['b@example.com', 'z@example.com', 'late@example.com']);
  });

  it('deletes an address case-insensitively in its domain and answers false when it does not exist', async () => {
    await store.create({ address: 'a@example.com' });
    expect(await store.delete('a@Example.com')).toBe(true);
    expect(await store.delete('a@example.com')).toBe(false);
    expect(await store.get('a@example.com')).toBeUndefined();
  });

  it('counts the addresses of exactly one domain, case-insensitively, not of its subdomains', async () => {
    await store.create({ address: 'a@example.com' });
    await store.create({ address: 'b@Example.com' });
    await store.create({ address: 'c@mail.example.com' });
    expect(await store.countForDomain('EXAMPLE.COM')).toBe(2);
    expect(await store.countForDomain('mail.example.com')).toBe(1);
    expect(await store.countForDomain('other.com')).toBe(0);
  });
});
