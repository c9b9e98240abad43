import { createKeys, createRedisClient, type RedisClient, RunDayIndex, type RunSlice } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const DATE = '2026-03-15';
const T0 = Date.UTC(2026, 2, 15, 2, 0, 0);

/** Every (task, run, index) a slice list covers, in order. */
const cells = (slices: readonly RunSlice[]) => slices.flatMap((s) => Array.from({ length: s.to - s.from }, (_, k) => `${s.taskId}-${s.run}-${s.from + k}`));

describe('RunDayIndex', () => {
  let redis: RedisClient;
  let prefix: string;
  let index: RunDayIndex;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('rundays');
    index = new RunDayIndex({ redis, keys: createKeys(prefix), retentionDays: 30 });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('pages the rows of the day’s runs in the order they were added then index order, at every Offset and Limit', async () => {
    // Runs of 3, 0, 1, 4 and 2 recipients (the empty run has no row).
    const runs: [number, number, number][] = [
      [7, 1, 3],
      [8, 1, 0],
      [9, 1, 1],
      [7, 2, 4],
      [10, 1, 2],
    ];
    for (const [i, [task, run, total]] of runs.entries()) expect(await index.add(DATE, task, run, T0 + i, total)).toBe(true);
    const all = runs.flatMap(([task, run, total]) => Array.from({ length: total }, (_, k) => `${task}-${run}-${k}`));
    expect(all).toHaveLength(10);
    for (const limit of [1, 2, 3, 5, 100]) {
      for (let offset = 0; offset <= all.length + 1; offset++) {
        expect(cells(await index.page(DATE, offset, limit)), `offset ${offset} limit ${limit}`).toEqual(all.slice(offset, offset + limit));
      }
    }
    expect(await index.page(DATE, 0, 0)).toEqual([]);
    expect(await index.page('2026-03-16', 0, 10)).toEqual([]);
    const [slice] = await index.page(DATE, 4, 1);
    expect(slice).toEqual({ taskId: 7, run: 2, startedAt: T0 + 3, total: 4, from: 0, to: 1 });
  });

  it('changes nothing when a run is added twice, even with other figures (a retried start job)', async () => {
    expect(await index.add(DATE, 1, 1, T0, 3)).toBe(true);
    expect(await index.add(DATE, 2, 1, T0 + 1, 2)).toBe(true);
    expect(await index.add(DATE, 1, 1, T0 + 5, 9)).toBe(false);
    expect(await index.get(DATE, 1, 1)).toEqual({ taskId: 1, run: 1, startedAt: T0, total: 3 });
    expect(cells(await index.page(DATE, 0, 100))).toEqual(['1-1-0', '1-1-1', '1-1-2', '2-1-0', '2-1-1']);
  });

  it("counts the day's campaign rows with its row counter: every run's recipients once, a run added twice counted once, 0 for a day without runs", async () => {
    expect(await index.rowCount(DATE)).toBe(0);
    await index.add(DATE, 7, 1, T0, 3);
    await index.add(DATE, 8, 1, T0 + 1, 0);
    await index.add(DATE, 9, 1, T0 + 2, 4);
    await index.add(DATE, 7, 1, T0 + 3, 99);
    expect(await index.rowCount(DATE)).toBe(7);
    expect(await index.rowCount('2026-03-16')).toBe(0);
  });

  it('answers a run by task and run only under the day it was added to', async () => {
    await index.add(DATE, 4, 2, T0, 5);
    await index.add(DATE, 5, 1, T0, 0);
    expect(await index.get(DATE, 4, 2)).toEqual({ taskId: 4, run: 2, startedAt: T0, total: 5 });
    expect(await index.get(DATE, 5, 1)).toEqual({ taskId: 5, run: 1, startedAt: T0, total: 0 });
    expect(await index.get(DATE, 4, 1)).toBeUndefined();
    expect(await index.get('2026-03-14', 4, 2)).toBeUndefined();
  });

  it('walks the runs that have rows by rank, in the order they were added', async () => {
    for (let r = 1; r <= 7; r++) await index.add(DATE, 3, r, T0 + r, r === 4 ? 0 : 1);
    expect((await index.runs(DATE, 0, 4)).map((x) => x.run)).toEqual([1, 2, 3, 5]);
    expect((await index.runs(DATE, 4, 4)).map((x) => x.run)).toEqual([6, 7]);
    expect(await index.runs(DATE, 6, 4)).toEqual([]);
    expect(await index.runs(DATE, 0, 0)).toEqual([]);
  });

  it('keeps every key of the day for the retention (one slot, `{d:<date>}`)', async () => {
    await index.add(DATE, 1, 1, T0, 2);
    const keys = createKeys(prefix);
    for (const key of [keys.statusDayRunRows(DATE), keys.statusDayRunRowCount(DATE), keys.statusDayRunMeta(DATE)]) {
      const ttl = await redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(30 * 86_400 - 60);
      expect(ttl, key).toBeLessThanOrEqual(30 * 86_400);
    }
  });
});
