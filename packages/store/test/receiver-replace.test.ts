import { ManualClock } from '@postmill/core';
import { createKeys, createRedisClient, isRemovedSlot, type Keys, ReceiverStore, type RedisClient } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const limits = { maxListSize: 50_000, maxTemplateDataBytes: 800 };
const replaceLimits = { maxTemplateDataBytes: 800 };
const addr = (i: number) => `member${i}@example.org`;
const data = (v: string) => JSON.stringify({ k: v });

async function thrown(p: Promise<unknown>): Promise<{ kind?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { kind?: string };
  }
  throw new Error('expected a rejection');
}

describe('ReceiverStore.replace (members changed in place, atomically)', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: Keys;
  let store: ReceiverStore;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('rreplace');
    keys = createKeys(prefix);
    store = new ReceiverStore({ redis, keys, clock: new ManualClock(1_700_000_000_000) });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  async function listOf(n: number): Promise<number> {
    const { id } = await store.create({ name: 'members', desc: '' });
    await store.append(
      id,
      Array.from({ length: n }, (_, i) => ({ email: addr(i), templateData: data(String(i)) })),
      limits,
    );
    return id;
  }

  /** Everything a reader could see of the list: its slots, its count and every address's index. */
  async function snapshot(id: number, n: number) {
    return {
      slots: await store.readSlots(id, 0, 100),
      count: (await store.get(id))?.count,
      indexes: await Promise.all(Array.from({ length: n + 2 }, (_, i) => store.indexOf(id, addr(i)))),
    };
  }

  it('replaces a member with a new address and data at the same index; the old address is gone and the count unchanged', async () => {
    const id = await listOf(3);
    const outcomes = await store.replace(id, [{ email: 'MEMBER1@example.org', entry: { email: 'new@example.org', templateData: data('n') } }], replaceLimits);
    expect(outcomes).toEqual([{ index: 1 }]);
    expect(await store.readSlots(id, 0, 10)).toEqual([
      { index: 0, email: addr(0), templateData: { k: '0' } },
      { index: 1, email: 'new@example.org', templateData: { k: 'n' } },
      { index: 2, email: addr(2), templateData: { k: '2' } },
    ]);
    expect((await store.get(id))?.count).toBe(3);
    expect(await store.indexOf(id, addr(1))).toBeUndefined();
    expect(await store.indexOf(id, 'new@example.org')).toBe(1);
    // The old address may be added again, as a new entry at a new position.
    expect(await store.append(id, [{ email: addr(1), templateData: data('x') }], limits)).toMatchObject({ valid: 1 });
    expect(await store.indexOf(id, addr(1))).toBe(3);
  });

  it('changes only the data when the new address is the same one (any case)', async () => {
    const id = await listOf(2);
    expect(await store.replace(id, [{ email: addr(0), entry: { email: 'Member0@EXAMPLE.org', templateData: data('z') } }], replaceLimits)).toEqual([
      { index: 0 },
    ]);
    expect((await store.readSlots(id, 0, 1))[0]).toEqual({ index: 0, email: 'Member0@example.org', templateData: { k: 'z' } });
    expect(await store.indexOf(id, addr(0))).toBe(0);
  });

  it('refuses the whole call, changing nothing, when any new entry carries other variable names than the list', async () => {
    const id = await listOf(3);
    const before = await snapshot(id, 3);
    const err = await thrown(
      store.replace(
        id,
        [
          { email: addr(0), entry: { email: 'fine@example.org', templateData: data('ok') } },
          { email: addr(1), entry: { email: addr(1), templateData: JSON.stringify({ other: 'x' }) } },
        ],
        replaceLimits,
      ),
    );
    expect(err.kind).toBe('receiver-entries-refused');
    expect(await snapshot(id, 3)).toEqual(before);
  });

  it('leaves both members as they were when the new address is another live member, and skips a member not in the list', async () => {
    const id = await listOf(3);
    const before = await snapshot(id, 3);
    const outcomes = await store.replace(
      id,
      [
        { email: addr(0), entry: { email: addr(2), templateData: data('t') } },
        { email: 'stranger@example.org', entry: { email: 'x@example.org', templateData: data('s') } },
      ],
      replaceLimits,
    );
    expect(outcomes).toEqual([{ skipped: 'taken' }, { skipped: 'not-found' }]);
    expect(await snapshot(id, 3)).toEqual(before);
  });

  it('refuses with receiver-list-busy while an upload holds the list, and receiver-list-not-found for a list that does not exist', async () => {
    const id = await listOf(1);
    await redis.hset(keys.receiverMeta(id), { lock: 'other', lockUntil: 1_700_000_000_000 + 60_000 });
    expect((await thrown(store.replace(id, [{ email: addr(0), entry: { email: addr(0), templateData: data('b') } }], replaceLimits))).kind).toBe(
      'receiver-list-busy',
    );
    expect((await thrown(store.replace(id + 1000, [{ email: addr(0), entry: { email: addr(0) } }], replaceLimits))).kind).toBe('receiver-list-not-found');
  });

  // The model: live members by lower-cased address → their index and value; positions never move.
  type Op =
    | { op: 'replace'; from: number; to: number; value: string; badKeys: boolean }
    | { op: 'remove'; who: number }
    | { op: 'append'; who: number; value: string };
  const pool = 6;
  // Values the list's TemplateData rule accepts (it refuses markup such as `<`, which another test
  // covers): the property is about positions and membership, so every op's data is valid.
  const valueArb = fc.stringMatching(/^[a-z0-9 ]{0,3}$/u);
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('replace' as const), from: fc.nat(pool - 1), to: fc.nat(pool - 1), value: valueArb, badKeys: fc.boolean() }),
    fc.record({ op: fc.constant('remove' as const), who: fc.nat(pool - 1) }),
    fc.record({ op: fc.constant('append' as const), who: fc.nat(pool - 1), value: valueArb }),
  );

  async function apply(id: number, op: Op): Promise<void> {
    if (op.op === 'remove') {
      await store.remove(id, addr(op.who));
    } else if (op.op === 'append') {
      await store.append(id, [{ email: addr(op.who), templateData: data(op.value) }], limits);
    } else {
      const templateData = op.badKeys ? JSON.stringify({ other: op.value }) : data(op.value);
      await store.replace(id, [{ email: addr(op.from), entry: { email: addr(op.to), templateData } }], replaceLimits).catch((err: { kind?: string }) => {
        if (err.kind !== 'receiver-entries-refused') throw err;
      });
    }
  }

  it('never loses nor doubles a member: random replaces, removals and appends in sequence match a model of the list exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const { id } = await store.create({ name: `p${Math.random()}`, desc: '' });
        await store.append(id, [{ email: addr(0), templateData: data('seed') }], limits);
        const slots: ({ who: number; value: string } | undefined)[] = [{ who: 0, value: 'seed' }];
        const live = (who: number) => slots.findIndex((s) => s?.who === who);
        for (const op of ops) {
          await apply(id, op);
          if (op.op === 'remove' && live(op.who) >= 0) slots[live(op.who)] = undefined;
          if (op.op === 'append' && live(op.who) < 0) slots.push({ who: op.who, value: op.value });
          if (op.op === 'replace' && !op.badKeys && live(op.from) >= 0 && (op.from === op.to || live(op.to) < 0)) {
            slots[live(op.from)] = { who: op.to, value: op.value };
          }
        }
        const stored = await store.readSlots(id, 0, 1000);
        expect(stored).toEqual(
          slots.map((s, index) => (s === undefined ? { index, removed: true } : { index, email: addr(s.who), templateData: { k: s.value } })),
        );
        expect((await store.get(id))?.count).toBe(slots.filter((s) => s !== undefined).length);
        for (let who = 0; who < pool; who++) expect(await store.indexOf(id, addr(who))).toBe(live(who) < 0 ? undefined : live(who));
        await store.delete(id);
      }),
      { numRuns: 40 },
    );
  });

  it('never loses nor doubles a member when replaces and removals of the same list run concurrently', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 2, maxLength: 12 }), async (ops) => {
        const { id } = await store.create({ name: `c${Math.random()}`, desc: '' });
        await store.append(
          id,
          Array.from({ length: 3 }, (_, i) => ({ email: addr(i), templateData: data('seed') })),
          limits,
        );
        // Appends may meet each other's upload lock; only replaces and removals interleave here.
        const interleaved = ops.filter((op) => op.op !== 'append');
        const removed = await Promise.all(
          interleaved.map(async (op) => {
            if (op.op === 'remove') return (await store.remove(id, addr(op.who))) !== undefined;
            await apply(id, op);
            return false;
          }),
        );
        const entries = (await store.readSlots(id, 0, 1000)).filter((s) => !isRemovedSlot(s));
        const emails = entries.map((e) => ('email' in e ? e.email.toLowerCase() : ''));
        expect(new Set(emails).size).toBe(emails.length);
        // Only a removal takes a member out, and a replace never adds one: 3 − removals are left.
        expect(entries.length).toBe(3 - removed.filter(Boolean).length);
        expect((await store.get(id))?.count).toBe(entries.length);
        for (const e of entries) if ('email' in e) expect(await store.indexOf(id, e.email)).toBe(e.index);
        await store.delete(id);
      }),
      { numRuns: 40 },
    );
  });
});
