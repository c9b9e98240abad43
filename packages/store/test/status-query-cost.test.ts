import { ManualClock } from '@postmill/core';
import { createKeys, createRedisClient, MessageStore, type RedisClient, RunDayIndex } from '@postmill/store';
import { commandsDuring, deleteKeysWithPrefix, type LoggedCommand, uniquePrefix } from '@postmill/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { acceptMany, statusSpec } from './status-fixtures.ts';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const TIME_ZONE = 'Asia/Shanghai';
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const SMALL = 100;
const LARGE = 5_000;
const PAGE = 10;

/** Command names, sorted (commands sent together may run in any order). */
const names = (commands: readonly LoggedCommand[]) => commands.map((c) => (c.args[0] ?? '').toLowerCase()).sort();

/** True for a command that reads a whole sorted set, whatever the page. */
const readsWhole = (c: LoggedCommand) => {
  const a = c.args.map((x) => x.toLowerCase());
  if (a[0] === 'zrange') return a[2] === '0' && a[3] === '-1';
  if (a[0] === 'zrangebyscore' || a[0] === 'zrevrangebyscore') return !a.includes('limit');
  return false;
};

// The cost of a status page must not grow with the day: the same queries on a day of 100 and of
// 5 000 messages (and runs) must make Redis execute the same commands (MONITOR shows the commands
// scripts run too), none of them a whole-set read.
describe('status page cost does not grow with the day', () => {
  const redisUrl = inject('redisUrl');
  let redis: RedisClient;
  const prefixes: Record<number, string> = { [SMALL]: uniquePrefix('statuscost-s'), [LARGE]: uniquePrefix('statuscost-l') };

  beforeAll(async () => {
    redis = createRedisClient({ url: redisUrl });
    for (const n of [SMALL, LARGE]) {
      const store = storeOf(n);
      // Two recipients each: one of its own and one every message shares.
      await acceptMany(
        store,
        Array.from({ length: n }, (_, i) => statusSpec(`pm-${n}-${i}`, NOW + i, [`u${i}@x.org`, 'shared@x.org'])),
      );
      const runs = runsOf(n);
      for (let r = 1; r <= n; r++) await runs.add('2026-03-15', 1, r, NOW + r, 3);
    }
  }, 120_000);
  afterAll(async () => {
    for (const p of Object.values(prefixes)) await deleteKeysWithPrefix(redis, p);
    await redis.quit();
  });

  function storeOf(n: number): MessageStore {
    return new MessageStore({ redis, keys: createKeys(prefixes[n] as string), clock: new ManualClock(NOW), retentionDays: 30, timeZone: TIME_ZONE });
  }
  function runsOf(n: number): RunDayIndex {
    return new RunDayIndex({ redis, keys: createKeys(prefixes[n] as string), retentionDays: 30 });
  }

  /** The same pages, placed relative to the day's size: the start, the middle, the last page, past the end. */
  async function pagesOf(n: number): Promise<number[]> {
    const store = storeOf(n);
    const date = '2026-03-15';
    const sizes: number[] = [];
    const rows = 2 * n;
    for (const offset of [0, rows / 2 + 1, rows - PAGE, rows + 5]) sizes.push((await store.queryStatus({ date, offset, limit: PAGE })).length);
    sizes.push(await store.countStatus({ date }));
    for (const offset of [0, n / 2, n - PAGE]) sizes.push((await store.queryStatus({ date, recipient: 'Shared@x.org', offset, limit: PAGE })).length);
    sizes.push(await store.countStatus({ date, recipient: 'shared@x.org' }));
    sizes.push((await store.queryStatus({ date, messageId: `pm-${n}-${n / 2}`, offset: 0, limit: PAGE })).length);
    const runs = runsOf(n);
    for (const offset of [0, (3 * n) / 2 + 1, 3 * n - PAGE]) sizes.push((await runs.page(date, offset, PAGE)).reduce((sum, s) => sum + s.to - s.from, 0));
    sizes.push((await runs.get(date, 1, n / 2))?.total ?? -1);
    return sizes;
  }

  it('sends one command per message a page shows plus two, for a page of 100 rows by date at Offset 0, in the middle and on the last page, and by recipient, on a day of 100 and of 5 000 messages', async () => {
    const LIMIT = 100;
    const date = '2026-03-15';
    for (const n of [SMALL, LARGE]) {
      const store = storeOf(n);
      const rows = 2 * n;
      // Two rows per message: an even Offset starts on a message (50 of them), an odd one inside one (51).
      const pages = [
        { name: 'date, Offset 0', q: { date, offset: 0, limit: LIMIT }, messages: 50 },
        { name: 'date, middle', q: { date, offset: rows / 2 - 1, limit: LIMIT }, messages: 51 },
        { name: 'date, last page', q: { date, offset: rows - LIMIT, limit: LIMIT }, messages: 50 },
        { name: 'recipient, Offset 0', q: { date, recipient: 'shared@x.org', offset: 0, limit: LIMIT }, messages: 100 },
        { name: 'recipient, last page', q: { date, recipient: 'shared@x.org', offset: n - LIMIT, limit: LIMIT }, messages: 100 },
      ];
      for (const page of pages) await store.queryStatus(page.q); // scripts loaded: no NOSCRIPT retry in what is counted
      for (const page of pages) {
        let listed = 0;
        const commands = await commandsDuring(redisUrl, prefixes[n] as string, async () => {
          listed = (await store.queryStatus(page.q)).length;
        });
        expect(listed, `${n} messages, ${page.name}`).toBe(LIMIT);
        // What the client sent (MONITOR also lists the commands the scripts ran, as source "lua"):
        // the page's script, one read per message, and the check that the day's first message lives.
        const sent = commands.filter((c) => c.source !== 'lua').map((c) => (c.args[0] ?? '').toLowerCase());
        expect(sent, `${n} messages, ${page.name}`).toHaveLength(page.messages + 2);
        expect(
          sent.filter((name) => name === 'evalsha'),
          `${n} messages, ${page.name}`,
        ).toHaveLength(page.messages + 1);
        expect(
          sent.filter((name) => name === 'exists'),
          `${n} messages, ${page.name}`,
        ).toHaveLength(1);
      }
    }
  });

  it('sends the same commands for a page of the oldest day, whose first messages expired, once a page of it found the first live message', async () => {
    const date = '2026-03-14';
    const store = storeOf(SMALL);
    const keys = createKeys(prefixes[SMALL] as string);
    const specs = Array.from({ length: 300 }, (_, i) => statusSpec(`pm-old-${i}`, NOW - 86_400_000 + i, [`o${i}@x.org`, 'shared@x.org']));
    await acceptMany(store, specs);
    const ids = (await redis.zrange(keys.statusDayRows(date), '0', '-1')) as string[]; // index order
    for (const id of ids.slice(0, 120)) await redis.del(keys.messageSpec(id), keys.messageContent(id), keys.messageRecipients(id));
    const q = { date, offset: 0, limit: 100 };
    const first = await store.queryStatus(q); // finds the first live message (a search over the index)
    expect(first.map((r) => r.messageId)[0]).toBe(ids[120]);
    for (const search of [false, true]) {
      // true: ten more expired since, so the page searches on from the message it remembered.
      if (search) for (const id of ids.slice(120, 130)) await redis.del(keys.messageSpec(id), keys.messageContent(id), keys.messageRecipients(id));
      let rows: Awaited<ReturnType<MessageStore['queryStatus']>> = [];
      const commands = await commandsDuring(redisUrl, prefixes[SMALL] as string, async () => {
        rows = await store.queryStatus(q);
      });
      const live = ids.slice(search ? 130 : 120);
      expect(rows.map((r) => r.messageId)).toEqual(live.slice(0, 50).flatMap((id) => [id, id]));
      const sent = commands.filter((c) => c.source !== 'lua');
      if (!search) expect(sent).toHaveLength(50 + 2);
      // The remembered message gone: its rank, a search over the rest of the index (16 probes a
      // round, about log17(170) = 2 rounds), and the page again: bounded by the page, not the day.
      else expect(sent.length).toBeLessThanOrEqual(2 * (50 + 2) + 1 + 3 * (1 + 16));
    }
  });

  it('makes Redis run the same commands for every page, count and run page on a day of 100 and of 5 000 messages and runs, none reading a whole set', async () => {
    for (const n of [SMALL, LARGE]) await pagesOf(n); // scripts loaded: no NOSCRIPT retry in what is measured
    const measured: Record<number, LoggedCommand[]> = {};
    for (const n of [SMALL, LARGE]) {
      let sizes: number[] = [];
      measured[n] = await commandsDuring(redisUrl, prefixes[n] as string, async () => {
        sizes = await pagesOf(n);
      });
      // Full pages where the day has them; the counts are the day's.
      expect(sizes).toEqual([PAGE, PAGE, PAGE, 0, 2 * n, PAGE, PAGE, PAGE, n, 2, PAGE, PAGE, PAGE, 3]);
    }
    const small = measured[SMALL] as LoggedCommand[];
    const large = measured[LARGE] as LoggedCommand[];
    expect(small.length).toBeGreaterThan(0);
    expect(names(large)).toEqual(names(small));
    expect([...small, ...large].filter(readsWhole)).toEqual([]);
  });
});
