import { EngineError, ManualClock } from '@postmill/core';
import { BlacklistStore, createKeys, createRedisClient, type Keys, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';

// The root globalSetup (testkit/src/redis-global-setup.ts) provides this; that file is not part of
// this package's type program, so the typing of `inject('redisUrl')` is repeated here.
declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

// 2026-03-15 10:00:00 in Asia/Shanghai (02:00 UTC).
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const DAY = 86_400_000;
// 2026-03-15 23:59:59.999 in Asia/Shanghai.
const LAST_MS_OF_15TH = Date.UTC(2026, 2, 15, 15, 59, 59, 999);

async function kindOf(promise: Promise<unknown>): Promise<[string, string, unknown]> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; kind: string; context: unknown };
    return [e.name, e.kind, e.context];
  }
  throw new Error('expected a rejection');
}

describe('BlacklistStore', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: Keys;
  let clock: ManualClock;
  let store: BlacklistStore;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('blacklist');
    keys = createKeys(prefix);
    clock = new ManualClock(NOW);
    store = new BlacklistStore({ redis, keys, clock, timeZone: 'Asia/Shanghai' });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  describe('add', () => {
    it('adds valid addresses with ids from 1, counting repeats and listing invalid entries as given (Tencent example)', async () => {
      expect(await store.add(['resrse@sdasd.com', 'resrse@sdasd.com', 'asdasdasdasd'])).toEqual({ added: 1, repeat: 1, invalid: ['asdasdasdasd'] });
      expect(await store.add(['b@gmail.com', ' a@gmail.com ', 'x@', ''])).toEqual({ added: 2, repeat: 0, invalid: ['x@', ''] });
      const { total, items } = await store.list({ offset: 0, limit: 10 });
      expect(total).toBe(3);
      expect(items.map((e) => [e.id, e.email])).toEqual([
        [1, 'resrse@sdasd.com'],
        [2, 'b@gmail.com'],
        [3, 'a@gmail.com'],
      ]);
      expect(items[0]).toEqual({ id: 1, email: 'resrse@sdasd.com', createTime: '2026-03-15 10:00:00', expireDate: '', status: 1 });
    });

    it('compares addresses by addressKey (local part too) and lists the first spelling, domain lower-cased', async () => {
      await store.add(['Ann@Example.COM']);
      expect(await store.add(['Ann@example.com', 'ann@example.com', 'ANN@EXAMPLE.COM'])).toEqual({ added: 0, repeat: 3, invalid: [] });
      expect(await store.add(['Bob@x.com', 'bob@X.com'])).toEqual({ added: 1, repeat: 1, invalid: [] });
      expect((await store.list({ offset: 0, limit: 10 })).items.map((e) => [e.id, e.email])).toEqual([
        [1, 'Ann@example.com'],
        [2, 'Bob@x.com'],
      ]);
    });

    it('leaves an address already in the blacklist unchanged and counts it as a repeat', async () => {
      await store.add(['a@x.com'], '2026-03-20');
      clock.advance(60_000);
      expect(await store.add(['a@x.com'], '2026-04-01')).toEqual({ added: 0, repeat: 1, invalid: [] });
      expect((await store.list({ offset: 0, limit: 10 })).items).toEqual([
        { id: 1, email: 'a@x.com', createTime: '2026-03-15 10:00:00', expireDate: '2026-03-20', status: 1 },
      ]);
    });

    it('refuses a malformed expiry date or one before today as an invalid date, and accepts today', async () => {
      for (const date of ['2026-3-20', '2026-02-30', 'tomorrow']) {
        expect(await kindOf(store.add(['a@x.com'], date))).toEqual(['EngineError', 'invalid-date', { field: 'expireDate', problem: 'format' }]);
      }
      expect(await kindOf(store.add(['a@x.com'], '2026-03-14'))).toEqual(['EngineError', 'invalid-date', { field: 'expireDate', problem: 'past' }]);
      expect(await store.add(['a@x.com'], '2026-03-15')).toEqual({ added: 1, repeat: 0, invalid: [] });
    });

    it('never reuses an id after a removal', async () => {
      await store.add(['a@x.com', 'b@x.com']);
      await store.remove(['b@x.com']);
      await store.add(['b@x.com']);
      expect((await store.list({ offset: 0, limit: 10 })).items.map((e) => [e.id, e.email])).toEqual([
        [1, 'a@x.com'],
        [3, 'b@x.com'],
      ]);
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      await store.add(['keep@one.com', 'keep@two.com']);
      await store.add(['soon@one.com', 'soon@two.com'], '2026-03-15');
      await store.add(['later@one.com'], '2026-03-20');
    });

    it('pages in id order with the total, and limit 0 gives only the total', async () => {
      expect(await store.list({ offset: 1, limit: 2 })).toEqual({
        total: 5,
        items: [
          expect.objectContaining({ id: 2, email: 'keep@two.com' }),
          expect.objectContaining({ id: 3, email: 'soon@one.com', expireDate: '2026-03-15', status: 1 }),
        ],
      });
      expect(await store.list({ offset: 0, limit: 0 })).toEqual({ total: 5, items: [] });
      expect(await store.list({ offset: 10, limit: 5 })).toEqual({ total: 5, items: [] });
    });

    it('keeps an entry active through its expiry day in the store zone and expired from the next day', async () => {
      clock.set(LAST_MS_OF_15TH);
      expect((await store.list({ offset: 0, limit: 10, status: 0 })).total).toBe(0);
      clock.set(LAST_MS_OF_15TH + 1);
      const expired = await store.list({ offset: 0, limit: 10, status: 0 });
      expect(expired.total).toBe(2);
      expect(expired.items.map((e) => [e.email, e.status])).toEqual([
        ['soon@one.com', 0],
        ['soon@two.com', 0],
      ]);
      const active = await store.list({ offset: 0, limit: 10, status: 1 });
      expect(active.items.map((e) => e.email)).toEqual(['keep@one.com', 'keep@two.com', 'later@one.com']);
      expect((await store.list({ offset: 0, limit: 10, status: 2 })).items.map((e) => e.status)).toEqual([1, 1, 0, 0, 1]);
      clock.advance(6 * DAY);
      expect((await store.list({ offset: 0, limit: 10, status: 1 })).items.map((e) => e.email)).toEqual(['keep@one.com', 'keep@two.com']);
    });

    it('filters by a case-insensitive substring of the address, combined with the status and paging', async () => {
      expect((await store.list({ offset: 0, limit: 10, email: 'ONE.com' })).items.map((e) => e.email)).toEqual([
        'keep@one.com',
        'soon@one.com',
        'later@one.com',
      ]);
      clock.advance(DAY);
      expect(await store.list({ offset: 1, limit: 1, status: 1, email: '@one' })).toEqual({
        total: 2,
        items: [expect.objectContaining({ email: 'later@one.com' })],
      });
      expect((await store.list({ offset: 0, limit: 10, email: 'nobody' })).total).toBe(0);
    });
  });

  describe('update', () => {
    it('changes the address and expiry in place, keeping id and createTime; the old address no longer blocks', async () => {
      await store.add(['old@x.com', 'other@x.com']);
      clock.advance(DAY);
      expect(await store.update(1, { email: 'New@X.com', expireDate: '2026-04-01' })).toEqual({
        id: 1,
        email: 'New@x.com',
        createTime: '2026-03-15 10:00:00',
        expireDate: '2026-04-01',
        status: 1,
      });
      expect(await store.blockedAmong(['old@x.com', 'New@x.com'])).toEqual(new Set(['New@x.com']));
      expect((await store.list({ offset: 0, limit: 10 })).items.map((e) => [e.id, e.email])).toEqual([
        [1, 'New@x.com'],
        [2, 'other@x.com'],
      ]);
    });

    it('keeps a field that is not given, and makes an entry permanent with an empty expiry date', async () => {
      await store.add(['a@x.com'], '2026-03-16');
      expect(await store.update(1, { email: 'a@x.com' })).toMatchObject({ expireDate: '2026-03-16' });
      expect(await store.update(1, { expireDate: '2026-03-18' })).toMatchObject({ email: 'a@x.com', expireDate: '2026-03-18' });
      expect(await store.update(1, { expireDate: '' })).toMatchObject({ expireDate: '', status: 1 });
      clock.advance(400 * DAY);
      expect(await store.blockedAmong(['a@x.com'])).toEqual(new Set(['a@x.com']));
    });

    it('reactivates an expired entry with a later date', async () => {
      await store.add(['a@x.com'], '2026-03-15');
      clock.advance(2 * DAY);
      expect((await store.list({ offset: 0, limit: 1 })).items[0]?.status).toBe(0);
      expect(await store.update(1, { email: 'a@x.com', expireDate: '2026-03-30' })).toMatchObject({ status: 1 });
      expect(await store.blockedAmong(['a@x.com'])).toEqual(new Set(['a@x.com']));
    });

    it('refuses an unknown or removed id as suppression-entry-not-found', async () => {
      await store.add(['a@x.com']);
      await store.remove(['a@x.com']);
      for (const id of [1, 2, 0]) {
        const err = await store.update(id, { email: 'b@x.com' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(EngineError);
        expect(err).toMatchObject({ kind: 'suppression-entry-not-found', context: { id } });
      }
    });

    it('changes only the listed spelling when the new address is a case variant of the entry’s own', async () => {
      await store.add(['bob@x.com', 'other@x.com']);
      expect(await store.update(1, { email: 'BOB@x.com' })).toMatchObject({ id: 1, email: 'BOB@x.com' });
      expect((await store.list({ offset: 0, limit: 10 })).items.map((e) => [e.id, e.email])).toEqual([
        [1, 'BOB@x.com'],
        [2, 'other@x.com'],
      ]);
      expect(await store.blockedAmong(['bob@x.com'])).toEqual(new Set(['bob@x.com']));
    });

    it('refuses an illegal address, a bad date, and an address that is another entry’s', async () => {
      await store.add(['a@x.com', 'b@x.com']);
      expect(await kindOf(store.update(1, { email: 'not an address' }))).toEqual([
        'EngineError',
        'invalid-address',
        { field: 'email', value: 'not an address' },
      ]);
      expect(await kindOf(store.update(1, { email: 'a@x.com', expireDate: '2026-03-14' }))).toEqual([
        'EngineError',
        'invalid-date',
        { field: 'expireDate', problem: 'past' },
      ]);
      const err = await store.update(1, { email: 'B@X.COM' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect(err).toMatchObject({ kind: 'already-exists', context: { resource: 'suppression-entry', name: 'B@x.com' } });
      expect((await store.list({ offset: 0, limit: 10 })).items.map((e) => e.email)).toEqual(['a@x.com', 'b@x.com']);
    });
  });

  describe('remove', () => {
    it('removes the given addresses by addressKey, whatever their spelling, and ignores unknown ones', async () => {
      await store.add(['a@x.com', 'b@x.com', 'C@x.com']);
      expect(await store.remove(['zzz@x.com', 'junk'])).toBe(0);
      expect(await store.remove(['A@X.com', 'c@X.COM', 'C@x.com'])).toBe(2);
      expect(await store.remove(['a@x.com'])).toBe(0);
      expect(await store.list({ offset: 0, limit: 10 })).toEqual({ total: 1, items: [expect.objectContaining({ email: 'b@x.com' })] });
      expect(await store.remove([])).toBe(0);
    });
  });

  describe('blockedAmong', () => {
    it('answers the recipients (as given) with an active entry, compared by addressKey, in one round trip', async () => {
      await store.add(['A@x.com', 'b@x.com']);
      await store.add(['c@x.com'], '2026-03-15');
      const client = createRedisClient({ url: inject('redisUrl') });
      try {
        const counted = new BlacklistStore({ redis: client, keys, clock, timeZone: 'Asia/Shanghai' });
        await client.ping();
        const send = vi.spyOn(client, 'sendCommand');
        expect(await counted.blockedAmong(['a@X.com', 'C@x.com', 'd@x.com'])).toEqual(new Set(['a@X.com', 'C@x.com']));
        // One script: the blacklist's layout check, then HMGET.
        expect(send.mock.calls.map(([command]) => (command as { name: string }).name)).toEqual(['evalsha']);
        expect(await counted.blockedAmong([])).toEqual(new Set());
      } finally {
        await client.quit();
      }
    });

    it('stops blocking once the expiry day is over in the store zone', async () => {
      await store.add(['c@x.com'], '2026-03-15');
      clock.set(LAST_MS_OF_15TH);
      expect(await store.blockedAmong(['c@x.com'])).toEqual(new Set(['c@x.com']));
      clock.set(LAST_MS_OF_15TH + 1);
      expect(await store.blockedAmong(['c@x.com'])).toEqual(new Set());
    });
  });

  describe('a blacklist written before addressKey (local parts compared exactly)', () => {
    // The layout those versions wrote: fields with only the domain lower-cased, values without
    // "email", no version key.
    async function writeLegacy(entries: readonly { email: string; id: number; createdAt: number; expireDate: string }[]): Promise<void> {
      for (const e of entries) {
        await redis.hset(keys.blacklist, e.email, JSON.stringify({ id: e.id, createdAt: e.createdAt, expireDate: e.expireDate }));
        await redis.zadd(keys.blacklistIds, e.id, e.email);
      }
      await redis.set(keys.blacklistSeq, String(entries.length));
    }

    beforeEach(async () => {
      await writeLegacy([
        { email: 'Bob@x.com', id: 1, createdAt: NOW - 2 * DAY, expireDate: '2026-03-16' },
        { email: 'bob@x.com', id: 2, createdAt: NOW - DAY, expireDate: '' },
        { email: 'Ann@y.com', id: 3, createdAt: NOW - DAY, expireDate: '2026-03-20' },
        { email: 'c@x.com', id: 4, createdAt: NOW, expireDate: '' },
      ]);
    });

    it('is re-keyed by the first send-time check, so a mixed-case entry blocks every spelling', async () => {
      expect(await store.blockedAmong(['BOB@X.com', 'ann@y.com', 'C@x.com', 'd@x.com'])).toEqual(new Set(['BOB@X.com', 'ann@y.com', 'C@x.com']));
      expect((await redis.hkeys(keys.blacklist)).sort()).toEqual(['ann@y.com', 'bob@x.com', 'c@x.com']);
      expect(await redis.get(keys.blacklistVersion)).toBe('2');
    });

    it('merges case variants into the oldest entry (its id, createTime and spelling) blocking as long as the longest did', async () => {
      expect(await store.list({ offset: 0, limit: 10 })).toEqual({
        total: 3,
        items: [
          { id: 1, email: 'Bob@x.com', createTime: '2026-03-13 10:00:00', expireDate: '', status: 1 },
          { id: 3, email: 'Ann@y.com', createTime: '2026-03-14 10:00:00', expireDate: '2026-03-20', status: 1 },
          { id: 4, email: 'c@x.com', createTime: '2026-03-15 10:00:00', expireDate: '', status: 1 },
        ],
      });
      expect(await store.add(['bob@X.com', 'new@x.com'])).toEqual({ added: 1, repeat: 1, invalid: [] });
      expect((await store.list({ offset: 3, limit: 1 })).items.map((e) => [e.id, e.email])).toEqual([[5, 'new@x.com']]);
    });

    it('is re-keyed by a removal too, which then removes every spelling of the address', async () => {
      expect(await store.remove(['BOB@x.com'])).toBe(1);
      expect(await store.blockedAmong(['Bob@x.com', 'bob@x.com'])).toEqual(new Set());
      expect((await store.list({ offset: 0, limit: 10 })).total).toBe(2);
    });
  });
});
