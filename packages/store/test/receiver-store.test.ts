import { EngineError, ManualClock } from '@postmill/core';
import { createKeys, createRedisClient, INVALID_LOG_CAP, type Keys, ReceiverStore, type RedisClient, UPLOAD_LEASE_MS } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const limits = { maxListSize: 50_000, maxTemplateDataBytes: 800 };

async function thrown(p: Promise<unknown>): Promise<{ name?: string; code?: string; kind?: string; context?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { name?: string; code?: string; kind?: string; context?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

async function keysOf(redis: RedisClient, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found;
}

describe('ReceiverStore', () => {
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
    prefix = uniquePrefix('receiver');
    keys = createKeys(prefix);
    clock = new ManualClock(1_700_000_000_000);
    store = new ReceiverStore({ redis, keys, clock });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  const emails = (...list: string[]) => list.map((email) => ({ email }));

  describe('lists', () => {
    it('creates empty lists with ids counting up from 1 and reads them back', async () => {
      const first = await store.create({ name: 'newsletter', desc: 'weekly' });
      expect(first).toEqual({
        id: 1,
        name: 'newsletter',
        desc: 'weekly',
        count: 0,
        invalidCount: 0,
        status: 1,
        createdAt: 1_700_000_000_000,
        templateKeys: undefined,
      });
      expect((await store.create({ name: 'second', desc: '' })).id).toBe(2);
      expect(await store.get(1)).toEqual(first);
      expect(await store.get(3)).toBeUndefined();
    });

    it('stores the alias given at creation with the list itself, shows it in get and list, and leaves none when a name clash refuses the list', async () => {
      const list = await store.create({ name: 'aliased', desc: '', alias: 'news@lists.example.org' });
      expect(list.alias).toBe('news@lists.example.org');
      expect(await store.get(list.id)).toMatchObject({ name: 'aliased', alias: 'news@lists.example.org' });
      expect((await store.list({ offset: 0, limit: 10 })).items.map((r) => r.alias)).toEqual(['news@lists.example.org']);
      await thrown(store.create({ name: 'aliased', desc: '', alias: 'other@lists.example.org' }));
      expect(await keysOf(redis, keys.receiverMeta(list.id + 1))).toEqual([]);
      expect((await store.create({ name: 'plain', desc: '' })).alias).toBeUndefined();
    });

    it('refuses a name already taken as already-exists and leaves no trace of the attempt', async () => {
      await store.create({ name: 'dup', desc: '' });
      const err = await thrown(store.create({ name: 'dup', desc: 'other' }));
      expect(err).toBeInstanceOf(EngineError);
      expect(err).toMatchObject({ kind: 'already-exists', context: { resource: 'receiver-list', name: 'dup' } });
      expect(await store.get(2)).toBeUndefined();
      expect((await store.list({ offset: 0, limit: 10 })).total).toBe(1);
      expect((await store.create({ name: 'Dup', desc: '' })).id).toBe(3);
    });

    it('lists in creation order with paging, and filters by status and a case-insensitive name keyword', async () => {
      for (const name of ['Alpha news', 'beta', 'NEWS gamma']) await store.create({ name, desc: '' });
      await store.append(2, emails('a@x.com'), limits);
      expect((await store.list({ offset: 1, limit: 1 })).items.map((r) => r.name)).toEqual(['beta']);
      expect((await store.list({ offset: 0, limit: 10 })).total).toBe(3);
      const news = await store.list({ offset: 0, limit: 10, keyword: 'news' });
      expect(news.items.map((r) => r.id)).toEqual([1, 3]);
      expect(news.total).toBe(2);
      expect((await store.list({ offset: 0, limit: 10, status: 3 })).items.map((r) => [r.id, r.status, r.count])).toEqual([[2, 3, 1]]);
      expect((await store.list({ offset: 1, limit: 10, status: 1 })).items.map((r) => r.id)).toEqual([3]);
      expect(await store.list({ offset: 0, limit: 10, status: 2 })).toEqual({ total: 0, items: [] });
    });
  });

  describe('append', () => {
    it('adds new addresses in order and skips repeats within a call and across calls, ignoring case', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      expect(await store.append(id, emails('a@x.com', 'B@Example.com', 'a@X.COM', 'c@x.com'), limits)).toEqual({
        total: 4,
        valid: 3,
        repeat: 1,
        tooLong: 0,
        empty: 0,
        invalid: [],
      });
      expect(await store.append(id, emails('b@EXAMPLE.com', 'A@x.com', 'd@x.com'), limits)).toMatchObject({ total: 3, valid: 1, repeat: 2 });
      expect((await store.readRange(id, 0, 10)).map((e) => [e.index, e.email])).toEqual([
        [0, 'a@x.com'],
        [1, 'B@example.com'],
        [2, 'c@x.com'],
        [3, 'd@x.com'],
      ]);
      expect(await store.get(id)).toMatchObject({ count: 4, status: 3, templateKeys: [] });
      expect(await store.length(id)).toBe(4);
    });

    it('keeps one entry for Bob@x.com and bob@x.com (addressKey), stored as first spelled, and finds it by any spelling', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      expect(await store.append(id, emails('Bob@x.com', 'bob@x.com'), limits)).toMatchObject({ total: 2, valid: 1, repeat: 1 });
      expect(await store.append(id, emails('BOB@X.COM'), limits)).toMatchObject({ total: 1, valid: 0, repeat: 1 });
      expect((await store.readRange(id, 0, 10)).map((e) => e.email)).toEqual(['Bob@x.com']);
      expect(await store.indexOf(id, 'bOB@x.com')).toBe(0);
    });

    it('reports every refused entry with its index and reason, counts them and logs them, while storing the rest', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      const long = `${'l'.repeat(64)}@${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${'g'.repeat(60)}.com`;
      const result = await store.append(
        id,
        [
          { email: 'ok@x.com', templateData: '{"name":"A"}' },
          { email: '' },
          { email: long, templateData: '{"name":"B"}' },
          { email: 'not-an-address', templateData: '{"name":"C"}' },
          { email: 'd@x.com', templateData: '{name}' },
          { email: 'e@x.com', templateData: `{"name":"${'x'.repeat(800)}"}` },
          { email: 'f@x.com', templateData: '{"name":"<b>F</b>"}' },
          { email: 'g@x.com', templateData: '{"nick":"G"}' },
          { email: 'h@x.com', templateData: '{"name":"H"}' },
        ],
        limits,
      );
      expect(result).toMatchObject({ total: 9, valid: 2, repeat: 0, tooLong: 1, empty: 1 });
      expect(result.invalid.map((r) => [r.index, r.reason])).toEqual([
        [1, 'EmptyEmail'],
        [2, 'TooLong'],
        [3, 'InvalidEmail'],
        [4, 'TemplateDataError'],
        [5, 'TemplateDataLenLimit'],
        [6, 'InValidTemplateData'],
        [7, 'TemplateDataInconsistent'],
      ]);
      expect(result.invalid[3]).toMatchObject({ email: 'd@x.com', message: expect.any(String) });
      expect(await store.get(id)).toMatchObject({ count: 2, invalidCount: 7, templateKeys: ['name'] });
      const refused = await store.details(id, { offset: 0, limit: 100, status: 2 });
      expect(refused?.items.map((r) => [r.email, r.reason])).toEqual(result.invalid.map((r) => [r.email, r.reason]));
    });

    it('refuses a call whose every entry is refused with the reason of the first refusal, storing nothing', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      const err = await thrown(store.append(id, [{ email: 'bad' }, { email: 'a@x.com', templateData: 'nope' }], limits));
      expect(err).toBeInstanceOf(EngineError);
      expect(err).toMatchObject({ kind: 'receiver-entries-refused', context: { receiverId: id, refusal: 'InvalidEmail', refused: 2 } });
      expect((await thrown(store.append(id, [{ email: 'a@x.com', templateData: '[]' }], limits))).context).toMatchObject({ refusal: 'TemplateDataError' });
      expect(await store.get(id)).toMatchObject({ count: 0, invalidCount: 0, templateKeys: undefined });
      expect(await redis.exists(keys.receiverInvalid(id))).toBe(0);
    });

    it('accepts a call of only repeats (a retried upload) without error', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      await store.append(id, emails('a@x.com', 'b@x.com'), limits);
      expect(await store.append(id, emails('a@x.com', 'b@x.com'), limits)).toMatchObject({ total: 2, valid: 0, repeat: 2, invalid: [] });
    });

    it('fixes the variable names with the first accepted entry: later data must carry the same names, in any order', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      await store.append(id, [{ email: 'a@x.com', templateData: '{"name":"A","age":30}' }], limits);
      expect(await store.get(id)).toMatchObject({ templateKeys: ['name', 'age'] });
      const next = await store.append(
        id,
        [{ email: 'b@x.com', templateData: '{"age":"31","name":"B"}' }, { email: 'c@x.com', templateData: '{"name":"C"}' }, { email: 'd@x.com' }],
        limits,
      );
      expect(next.valid).toBe(1);
      expect(next.invalid.map((r) => r.reason)).toEqual(['TemplateDataInconsistent', 'TemplateDataInconsistent']);
      expect(await store.readRange(id, 0, 2)).toEqual([
        { index: 0, email: 'a@x.com', templateData: { name: 'A', age: '30' } },
        { index: 1, email: 'b@x.com', templateData: { age: '31', name: 'B' } },
      ]);
    });

    it('keeps a list of plain addresses plain: data uploaded later is TemplateDataInconsistent', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      await store.append(id, emails('a@x.com'), limits);
      expect((await thrown(store.append(id, [{ email: 'b@x.com', templateData: '{"n":"1"}' }], limits))).context).toMatchObject({
        refusal: 'TemplateDataInconsistent',
      });
    });

    it('refuses as limit-exceeded (receiver-list-size), adding nothing, a call whose new entries pass the cap, counting repeats out exactly', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      const cap = { ...limits, maxListSize: 5 };
      await store.append(id, emails('a@x.com', 'b@x.com', 'c@x.com'), cap);
      const err = await thrown(store.append(id, emails('d@x.com', 'e@x.com', 'f@x.com'), cap));
      expect(err).toBeInstanceOf(EngineError);
      expect(err).toMatchObject({ kind: 'limit-exceeded', context: { limit: 'receiver-list-size', max: 5, count: 6 } });
      expect(await store.length(id)).toBe(3);
      // 5 entries given but 3 are repeats: the 2 new ones fit exactly.
      expect(await store.append(id, emails('a@x.com', 'b@x.com', 'c@x.com', 'd@x.com', 'e@x.com'), cap)).toMatchObject({ valid: 2, repeat: 3 });
      expect(await store.get(id)).toMatchObject({ count: 5 });
      expect((await thrown(store.append(id, emails('z@x.com'), cap))).kind).toBe('limit-exceeded');
    });

    it('refuses an unknown list as receiver-list-not-found and creates no key for it', async () => {
      const err = await thrown(store.append(9, emails('a@x.com'), limits));
      expect(err).toBeInstanceOf(EngineError);
      expect(err).toMatchObject({ kind: 'receiver-list-not-found', context: { receiverId: 9 } });
      expect(await keysOf(redis, `${prefix}:{r:9}:*`)).toEqual([]);
    });

    it('refuses an upload while another holds the list as receiver-list-busy, until that lease runs out', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      await redis.hset(keys.receiverMeta(id), 'lock', 'other-upload', 'lockUntil', clock.now() + UPLOAD_LEASE_MS);
      expect((await thrown(store.append(id, emails('a@x.com'), limits))).kind).toBe('receiver-list-busy');
      clock.advance(UPLOAD_LEASE_MS + 1);
      expect((await store.append(id, emails('a@x.com'), limits)).valid).toBe(1);
      expect(await redis.hexists(keys.receiverMeta(id), 'lock')).toBe(0);
    });

    it('keeps only the newest refused entries in the log but counts them all', async () => {
      expect(INVALID_LOG_CAP).toBe(100_000);
      const { id } = await store.create({ name: 'l', desc: '' });
      await redis.rpush(keys.receiverInvalid(id), ...Array.from({ length: INVALID_LOG_CAP }, () => '{}'));
      await store.append(id, [{ email: 'a@x.com' }, { email: 'bad1' }, { email: 'bad2' }], limits);
      expect(await redis.llen(keys.receiverInvalid(id))).toBe(INVALID_LOG_CAP);
      expect(JSON.parse((await redis.lindex(keys.receiverInvalid(id), -1)) ?? '')).toMatchObject({ Email: 'bad2', Reason: 'InvalidEmail' });
      expect(await store.get(id)).toMatchObject({ invalidCount: 2 });
    });
  });

  describe('reading', () => {
    it('reads ranges by index, past the end gives fewer, and finds an address index case-insensitively', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      await store.append(
        id,
        Array.from({ length: 12 }, (_, i) => ({ email: `u${i}@x.com`, templateData: `{"n":${i}}` })),
        limits,
      );
      expect(await store.readRange(id, 10, 20)).toEqual([
        { index: 10, email: 'u10@x.com', templateData: { n: '10' } },
        { index: 11, email: 'u11@x.com', templateData: { n: '11' } },
      ]);
      expect(await store.readRange(id, 5, 5)).toEqual([]);
      expect(await store.indexOf(id, 'U7@X.com')).toBe(7);
      expect(await store.indexOf(id, 'nobody@x.com')).toBeUndefined();
      expect(await store.indexOf(99, 'u1@x.com')).toBeUndefined();
    });

    it('pages details of valid then refused entries, with upload times, fuzzy and exact email filters and time bounds', async () => {
      const { id } = await store.create({ name: 'l', desc: '' });
      const t0 = clock.now();
      await store.append(id, [...emails('ann@one.com', 'bob@one.com'), { email: 'bad-one' }], limits);
      clock.advance(60_000);
      await store.append(id, [...emails('cat@two.com', 'dan@two.com'), { email: 'bad-two' }], limits);
      const all = await store.details(id, { offset: 0, limit: 10 });
      expect(all).toMatchObject({ total: 6, validCount: 4, invalidCount: 2 });
      expect(all?.items).toEqual([
        { status: 1, index: 0, email: 'ann@one.com', createdAt: t0 },
        { status: 1, index: 1, email: 'bob@one.com', createdAt: t0 },
        { status: 1, index: 2, email: 'cat@two.com', createdAt: t0 + 60_000 },
        { status: 1, index: 3, email: 'dan@two.com', createdAt: t0 + 60_000 },
        { status: 2, email: 'bad-one', reason: 'InvalidEmail', createdAt: t0 },
        { status: 2, email: 'bad-two', reason: 'InvalidEmail', createdAt: t0 + 60_000 },
      ]);
      expect((await store.details(id, { offset: 3, limit: 2 }))?.items.map((r) => r.email)).toEqual(['dan@two.com', 'bad-one']);
      const two = await store.details(id, { offset: 0, limit: 10, email: 'TWO' });
      expect([two?.total, two?.items.map((r) => r.email)]).toEqual([3, ['cat@two.com', 'dan@two.com', 'bad-two']]);
      expect((await store.details(id, { offset: 1, limit: 1, email: 'two', status: 1 }))?.items.map((r) => r.email)).toEqual(['dan@two.com']);
      const exact = await store.details(id, { offset: 0, limit: 10, email: 'BOB@one.com', status: 1 });
      expect([exact?.total, exact?.items.map((r) => r.index)]).toEqual([1, [1]]);
      const later = await store.details(id, { offset: 0, limit: 10, createTimeBegin: t0 + 1000 });
      expect(later?.items.map((r) => r.email)).toEqual(['cat@two.com', 'dan@two.com', 'bad-two']);
      const earlier = await store.details(id, { offset: 0, limit: 10, createTimeEnd: t0 + 59_999, status: 1 });
      expect([earlier?.total, earlier?.items.map((r) => r.email)]).toEqual([2, ['ann@one.com', 'bob@one.com']]);
      expect(await store.details(77, { offset: 0, limit: 10 })).toBeUndefined();
    });
  });

  describe('delete', () => {
    it('removes every key of the list, frees its name and answers false the second time', async () => {
      const { id } = await store.create({ name: 'gone', desc: '' });
      await store.append(id, [...Array.from({ length: 300 }, (_, i) => ({ email: `u${i}@x.com` })), { email: 'bad' }], limits);
      expect((await keysOf(redis, `${prefix}:{r:${id}}:*`)).length).toBeGreaterThan(100);
      expect(await store.delete(id)).toBe(true);
      expect(await keysOf(redis, `${prefix}:{r:${id}}:*`)).toEqual([]);
      expect(await store.get(id)).toBeUndefined();
      expect(await store.readRange(id, 0, 10)).toEqual([]);
      expect(await store.delete(id)).toBe(false);
      expect((await store.list({ offset: 0, limit: 10 })).total).toBe(0);
      expect((await store.create({ name: 'gone', desc: '' })).id).toBe(id + 1);
    });

    it('finishes a delete that stopped half-way when the name is reused', async () => {
      const { id } = await store.create({ name: 'half', desc: '' });
      await store.append(id, emails('a@x.com'), limits);
      await redis.hset(keys.receiverMeta(id), 'deleting', '1');
      expect(await store.get(id)).toBeUndefined();
      expect((await store.create({ name: 'half', desc: '' })).id).toBe(id + 1);
      expect(await keysOf(redis, `${prefix}:{r:${id}}:*`)).toEqual([]);
    });
  });

  it('holds 200,000 recipients with TemplateData in under 100 bytes each, appended in 20,000-entry calls', async () => {
    const { id } = await store.create({ name: 'big', desc: '' });
    const total = 200_000;
    const started = performance.now();
    for (let from = 0; from < total; from += 20_000) {
      const batch = Array.from({ length: 20_000 }, (_, k) => {
        const n = String(from + k).padStart(6, '0');
        return { email: `u${n}@example.org`, templateData: `{"name":"User ${n}"}` };
      });
      expect((await store.append(id, batch, { ...limits, maxListSize: 1_000_000 })).valid).toBe(20_000);
    }
    const elapsedMs = performance.now() - started;
    expect(await store.length(id)).toBe(total);
    expect(await store.indexOf(id, 'u123456@example.org')).toBe(123_456);
    const listKeys = await keysOf(redis, `${prefix}:{r:${id}}:*`);
    let bytes = 0;
    for (let i = 0; i < listKeys.length; i += 1000) {
      const sizes = await Promise.all(listKeys.slice(i, i + 1000).map((k) => redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')));
      bytes += sizes.reduce<number>((sum, s) => sum + Number(s), 0);
    }
    const perRecipient = bytes / total;
    console.log(
      `receiver list: ${total} recipients in ${listKeys.length} keys, ${bytes} bytes = ${perRecipient.toFixed(1)} B/recipient; appended in ${Math.round(elapsedMs)} ms`,
    );
    expect(perRecipient).toBeLessThanOrEqual(100);
    expect(await store.delete(id)).toBe(true);
    expect(await keysOf(redis, `${prefix}:{r:${id}}:*`)).toEqual([]);
  }, 120_000);
});
