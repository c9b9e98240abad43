import { createKeys, createRedisClient, IdempotencyStore, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('IdempotencyStore', () => {
  let redis: RedisClient;
  let prefix: string;
  let store: IdempotencyStore;
  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('idem');
    store = new IdempotencyStore({ redis, keys: createKeys(prefix) });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  const use = { secretId: 'AKID1', key: 'order-1', fingerprint: 'f1' };

  it('gives exactly one of 50 simultaneous claims the key; the others see it pending', async () => {
    const claims = await Promise.all(Array.from({ length: 50 }, () => store.claim(use, { pendingMs: 60_000 })));
    expect(claims.filter((c) => c.state === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.state === 'pending')).toHaveLength(49);
  });

  it('answers the MessageId once completed, and mismatch to other parameters in every state', async () => {
    const claim = await store.claim(use, { pendingMs: 60_000 });
    expect(await store.claim({ ...use, fingerprint: 'f2' }, { pendingMs: 60_000 })).toEqual({ state: 'mismatch' });
    if (claim.state !== 'claimed') throw new Error('expected a claim');
    expect(await store.complete(use, claim.token, { messageId: 'pm-1', windowMs: 60_000 })).toBe(true);
    expect(await store.claim(use, { pendingMs: 60_000 })).toEqual({ state: 'done', messageId: 'pm-1' });
    expect(await store.claim({ ...use, fingerprint: 'f2' }, { pendingMs: 60_000 })).toEqual({ state: 'mismatch' });
  });

  it('keeps one SecretId’s key apart from the same key of another SecretId', async () => {
    expect((await store.claim(use, { pendingMs: 60_000 })).state).toBe('claimed');
    expect((await store.claim({ ...use, secretId: 'AKID2', fingerprint: 'other' }, { pendingMs: 60_000 })).state).toBe('claimed');
  });

  it('frees the key on release by its owner only, and lets a lapsed claim be taken over without the old owner completing it', async () => {
    const first = await store.claim(use, { pendingMs: 60_000 });
    if (first.state !== 'claimed') throw new Error('expected a claim');
    await store.release(use, 'not-the-token');
    expect((await store.claim(use, { pendingMs: 60_000 })).state).toBe('pending');
    await store.release(use, first.token);
    const second = await store.claim(use, { pendingMs: 50 });
    if (second.state !== 'claimed') throw new Error('expected a claim');
    await new Promise((r) => setTimeout(r, 80)); // the pending claim's PX lapses in Redis
    const third = await store.claim(use, { pendingMs: 60_000 });
    expect(third.state).toBe('claimed');
    expect(await store.complete(use, second.token, { messageId: 'pm-late', windowMs: 60_000 })).toBe(false);
    expect(await store.claim(use, { pendingMs: 60_000 })).toEqual({ state: 'pending' });
  });
});
