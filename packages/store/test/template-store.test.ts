import { EngineError, ManualClock } from '@postmill/core';
import { AUTO_APPROVAL_REASON, createKeys, createRedisClient, type RedisClient, TemplateStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

// The root globalSetup (testkit/src/redis-global-setup.ts) provides this; that file is not part of
// this package's type program, so the typing of `inject('redisUrl')` is repeated here.
declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

describe('TemplateStore', () => {
  let redis: RedisClient;
  let prefix: string;
  let clock: ManualClock;
  let store: TemplateStore;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('template');
    clock = new ManualClock(1_700_000_000_000);
    store = new TemplateStore({ redis, keys: createKeys(prefix), clock });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('creates approved templates with ids counting up from 1 and keeps the decoded content exactly', async () => {
    const first = await store.create({ name: '欢迎', html: '<p>Hi {{name}} 👋</p>', text: 'Hi {{name}}\r\n' });
    expect(first).toEqual({
      id: 1,
      name: '欢迎',
      html: '<p>Hi {{name}} 👋</p>',
      text: 'Hi {{name}}\r\n',
      status: 0,
      reviewReason: AUTO_APPROVAL_REASON,
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
    });
    expect((await store.create({ name: 'second', text: 'x' })).id).toBe(2);
    expect(await store.get(1)).toEqual(first);
  });

  it('keeps only the content parts that were given', async () => {
    const t = await store.create({ name: 'text only', text: 'plain' });
    expect(t).not.toHaveProperty('html');
    expect(await store.get(t.id)).not.toHaveProperty('html');
  });

  it('answers undefined for an id that was never created', async () => {
    expect(await store.get(42)).toBeUndefined();
  });

  it('lists templates in creation order with offset, limit and the full total', async () => {
    for (let i = 1; i <= 12; i++) await store.create({ name: `t${i}`, text: `${i}` });
    const page = await store.list(10, 5);
    expect(page.total).toBe(12);
    expect(page.items.map((t) => t.id)).toEqual([11, 12]);
    expect((await store.list(0, 3)).items.map((t) => t.name)).toEqual(['t1', 't2', 't3']);
    expect(await store.list(0, 0)).toEqual({ total: 12, items: [] });
    expect((await store.list(0, Number.POSITIVE_INFINITY)).items).toHaveLength(12);
  });

  it('replaces name and content on update, drops content not given, keeps createdAt and stays approved', async () => {
    const t = await store.create({ name: 'old', html: '<b>old</b>', text: 'old' });
    clock.advance(5000);
    const updated = await store.update(t.id, { name: 'new', html: '<i>new</i>' });
    expect(updated).toEqual({
      id: t.id,
      name: 'new',
      html: '<i>new</i>',
      status: 0,
      reviewReason: AUTO_APPROVAL_REASON,
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_005_000,
    });
    expect(await store.get(t.id)).toEqual(updated);
  });

  it('refuses to update an unknown template as template-not-found and does not create it', async () => {
    const err = await store.update(7, { name: 'x', text: 'y' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ kind: 'template-not-found', context: { templateId: 7 } });
    expect(await store.get(7)).toBeUndefined();
    expect((await store.list(0, 10)).total).toBe(0);
  });

  it('deletes a template from get and list, answers false the second time, and never reuses its id', async () => {
    await store.create({ name: 'a', text: 'a' });
    const b = await store.create({ name: 'b', text: 'b' });
    expect(await store.delete(b.id)).toBe(true);
    expect(await store.delete(b.id)).toBe(false);
    expect(await store.get(b.id)).toBeUndefined();
    expect((await store.create({ name: 'c', text: 'c' })).id).toBe(3);
    expect((await store.list(0, 10)).items.map((t) => t.name)).toEqual(['a', 'c']);
  });

  it('refuses to update a deleted template rather than bringing it back', async () => {
    const t = await store.create({ name: 'a', text: 'a' });
    await store.delete(t.id);
    await expect(store.update(t.id, { name: 'b', text: 'b' })).rejects.toMatchObject({ kind: 'template-not-found' });
  });
});
