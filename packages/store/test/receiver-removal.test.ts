import { ManualClock } from '@postmill/core';
import { createKeys, createRedisClient, isRemovedSlot, type Keys, ReceiverStore, type RedisClient, UPLOAD_LEASE_MS } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const limits = { maxListSize: 50_000, maxTemplateDataBytes: 800 };

async function thrown(p: Promise<unknown>): Promise<{ kind?: string; context?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { kind?: string; context?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

const addr = (i: number) => `member${i}@example.org`;

describe('ReceiverStore.remove (one member out of a list, positions kept)', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: Keys;
  let clock: ManualClock;
  let store: ReceiverStore;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('rremove');
    keys = createKeys(prefix);
    clock = new ManualClock(1_700_000_000_000);
    store = new ReceiverStore({ redis, keys, clock });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  async function listOf(n: number, name = 'members'): Promise<number> {
    const { id } = await store.create({ name, desc: '' });
    if (n > 0)
      await store.append(
        id,
        Array.from({ length: n }, (_, i) => ({ email: addr(i) })),
        limits,
      );
    return id;
  }

  it('answers the removed index and leaves the position in place: count and details drop it, readSlots marks it removed, readRange skips it', async () => {
    const id = await listOf(4);
    expect(await store.remove(id, addr(1))).toBe(1);
    expect((await store.get(id))?.count).toBe(3);
    expect(await store.length(id)).toBe(4);
    expect(await store.readSlots(id, 0, 4)).toEqual([
      { index: 0, email: addr(0) },
      { index: 1, removed: true },
      { index: 2, email: addr(2) },
      { index: 3, email: addr(3) },
    ]);
    expect((await store.readRange(id, 0, 4)).map((e) => e.index)).toEqual([0, 2, 3]);
    const page = await store.details(id, { offset: 0, limit: 10, status: 1 });
    expect(page?.total).toBe(3);
    expect(page?.validCount).toBe(3);
    expect(page?.items.map((r) => [r.index, r.email])).toEqual([
      [0, addr(0)],
      [2, addr(2)],
      [3, addr(3)],
    ]);
    expect(await store.indexOf(id, addr(1))).toBeUndefined();
    expect(await store.details(id, { offset: 0, limit: 10, email: addr(1) })).toMatchObject({ total: 0, items: [] });
    expect(await store.details(id, { offset: 0, limit: 10, email: 'member1' })).toMatchObject({ total: 0, items: [] });
  });

  it('erases the removed address from the stored list (the slot keeps no trace of it)', async () => {
    const id = await listOf(3);
    await store.remove(id, addr(2));
    expect(await redis.lrange(keys.receiverEntries(id), 0, -1)).toEqual([addr(0), addr(1), '']);
  });

  it('matches the address case-insensitively and trimmed, as uploads compare addresses', async () => {
    const id = await listOf(2);
    expect(await store.remove(id, '  MEMBER0@Example.ORG ')).toBe(0);
    expect((await store.get(id))?.count).toBe(1);
  });

  it('answers undefined for an address that is not in the list, and for one already removed, changing nothing', async () => {
    const id = await listOf(2);
    expect(await store.remove(id, 'stranger@example.org')).toBeUndefined();
    expect(await store.remove(id, addr(0))).toBe(0);
    expect(await store.remove(id, addr(0))).toBeUndefined();
    expect((await store.get(id))?.count).toBe(1);
    expect(await redis.zcard(keys.receiverRemoved(id))).toBe(1);
  });

  it('adds a removed address again as a new entry at a new position, which a later removal takes out in turn', async () => {
    const id = await listOf(3);
    await store.remove(id, addr(1));
    const again = await store.append(id, [{ email: addr(1) }], limits);
    expect(again).toMatchObject({ valid: 1, repeat: 0 });
    expect(await store.indexOf(id, addr(1))).toBe(3);
    expect((await store.get(id))?.count).toBe(3);
    expect((await store.details(id, { offset: 0, limit: 10 }))?.items.map((r) => r.index)).toEqual([0, 2, 3]);
    expect(await store.remove(id, addr(1))).toBe(3);
    expect((await store.readRange(id, 0, 10)).map((e) => e.email)).toEqual([addr(0), addr(2)]);
  });

  it('applies the list size limit to live entries: a removal makes room for one more address', async () => {
    const id = await listOf(3);
    const small = { ...limits, maxListSize: 3 };
    expect((await thrown(store.append(id, [{ email: 'extra@example.org' }], small))).kind).toBe('limit-exceeded');
    await store.remove(id, addr(0));
    expect(await store.append(id, [{ email: 'extra@example.org' }], small)).toMatchObject({ valid: 1 });
    const over = await thrown(store.append(id, [{ email: 'more@example.org' }], small));
    expect(over).toMatchObject({ kind: 'limit-exceeded', context: { limit: 'receiver-list-size', max: 3, count: 4 } });
  });

  it('refuses with receiver-list-busy while an upload holds the list, and removes once the upload lease lapsed', async () => {
    const id = await listOf(2);
    // An upload in progress: the lock ACQUIRE takes (a token and its lease).
    await redis.hset(keys.receiverMeta(id), { lock: 'upload-token', lockUntil: clock.now() + UPLOAD_LEASE_MS });
    expect(await thrown(store.remove(id, addr(0)))).toMatchObject({ kind: 'receiver-list-busy', context: { receiverId: id } });
    expect((await store.get(id))?.count).toBe(2);
    clock.advance(UPLOAD_LEASE_MS + 1);
    expect(await store.remove(id, addr(0))).toBe(0);
  });

  it('refuses with receiver-list-not-found for a list that never existed and for a deleted one; deleting a list deletes its removed positions too', async () => {
    expect(await thrown(store.remove(999, addr(0)))).toMatchObject({ kind: 'receiver-list-not-found', context: { receiverId: 999 } });
    const id = await listOf(2);
    await store.remove(id, addr(0));
    expect(await redis.exists(keys.receiverRemoved(id))).toBe(1);
    await store.delete(id);
    expect(await redis.exists(keys.receiverRemoved(id))).toBe(0);
    expect(await thrown(store.remove(id, addr(1)))).toMatchObject({ kind: 'receiver-list-not-found' });
  });

  it('reads which indexes were removed in one call (removedAmong), none for a list without removals or that does not exist', async () => {
    const id = await listOf(5);
    expect(await store.removedAmong(id, [0, 1, 2])).toEqual(new Set());
    await store.remove(id, addr(1));
    await store.remove(id, addr(4));
    expect(await store.removedAmong(id, [0, 1, 2, 3, 4, 9])).toEqual(new Set([1, 4]));
    expect(await store.removedAmong(12345, [0, 1])).toEqual(new Set());
  });

  it('counts a list whose every member was removed as empty (count 0, status 1)', async () => {
    const id = await listOf(2);
    await store.remove(id, addr(0));
    await store.remove(id, addr(1));
    expect(await store.get(id)).toMatchObject({ count: 0, status: 1 });
    expect((await store.list({ offset: 0, limit: 10, status: 1 })).items.map((r) => r.id)).toEqual([id]);
  });

  it('pages live entries like a list without the removed ones, for any removals, any page and any starting position (property, real Redis)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 70 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            removed: fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { maxLength: n }),
            offset: fc.integer({ min: 0, max: n + 3 }),
            limit: fc.integer({ min: 0, max: 25 }),
            fromIndex: fc.option(fc.integer({ min: 0, max: n + 3 }), { nil: undefined }),
          }),
        ),
        async ({ n, removed, offset, limit, fromIndex }) => {
          const id = await listOf(n, `p${Math.random().toString(36).slice(2)}`);
          for (const i of removed) expect(await store.remove(id, addr(i))).toBe(i);
          const gone = new Set(removed);
          const live = Array.from({ length: n }, (_, i) => i).filter((i) => !gone.has(i));
          const page = await store.details(id, { offset, limit, status: 1, ...(fromIndex === undefined ? {} : { fromIndex }) });
          expect(page?.total).toBe(live.length);
          expect(page?.validCount).toBe(live.length);
          const rows = live.filter((i) => i >= (fromIndex ?? 0)).slice(offset, offset + limit);
          expect(page?.items.map((r) => [r.index, r.email])).toEqual(rows.map((i) => [i, addr(i)]));
          // The "contains" scan pages the same way.
          const scanned = await store.details(id, { offset, limit, status: 1, email: 'member', ...(fromIndex === undefined ? {} : { fromIndex }) });
          expect(scanned?.total).toBe(live.length);
          expect(scanned?.items.map((r) => r.index)).toEqual(rows);
          expect((await store.get(id))?.count).toBe(live.length);
          const slots = await store.readSlots(id, 0, n);
          expect(slots.filter(isRemovedSlot).map((s) => s.index)).toEqual([...gone].sort((a, b) => a - b));
          await store.delete(id);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('pages past long runs of removed entries (a 3,000-entry list with 2,990 removed) to exactly the live entries', async () => {
    const n = 3000;
    const id = await listOf(n);
    const keep = new Set([0, 1, 1500, 1501, 2997, 2998, 2999, 700, 701, 702]);
    for (let i = 0; i < n; i++) if (!keep.has(i)) await store.remove(id, addr(i));
    const page = await store.details(id, { offset: 2, limit: 6, status: 1 });
    expect(page?.total).toBe(10);
    expect(page?.items.map((r) => r.index)).toEqual([700, 701, 702, 1500, 1501, 2997]);
    expect((await store.details(id, { offset: 9, limit: 6, status: 1 }))?.items.map((r) => r.index)).toEqual([2999]);
    expect((await store.details(id, { offset: 10, limit: 6, status: 1 }))?.items).toEqual([]);
  });
});
