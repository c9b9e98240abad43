import { systemClock } from '@postmill/core';
import { createKeys, createRedisClient, type Keys, type LedgerChange, type RedisClient, TaskStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

const SENT = 1;
const DEFERRED = 2;
const FAILED = 3;
const CANCELLED = 5;
const detail = (code: string) => ({ code, message: code, at: 1 });

describe('TaskStore run ledger (real Redis)', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: Keys;
  let tasks: TaskStore<{ name: string }>;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('ledger');
    keys = createKeys(prefix);
    tasks = new TaskStore({ redis, keys, clock: systemClock });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  async function runOf(total: number): Promise<number> {
    const id = await tasks.create(() => ({ name: 't' }));
    await tasks.startRun(id, 1, { plannedAt: 0, total });
    return id;
  }
  const counts = async (id: number) => {
    const run = await tasks.getRun(id, 1);
    const task = await tasks.get(id);
    return { run: [run?.sent, run?.failed, run?.deferred, run?.cancelled], task: [task?.sent, task?.failed, task?.deferred, task?.cancelled] };
  };

  it('records a whole chunk in one call with exact counters, and reports the run complete exactly once', async () => {
    const id = await runOf(3000);
    const changes: LedgerChange[] = Array.from({ length: 3000 }, (_, i) =>
      i % 10 === 0 ? { index: i, code: FAILED, detail: detail('X') } : { index: i, code: SENT },
    );
    expect(await tasks.record(id, 1, changes.slice(0, 2500))).toEqual({ completedRun: false });
    expect(await tasks.record(id, 1, changes.slice(2500))).toEqual({ completedRun: true });
    expect(await counts(id)).toEqual({ run: [2700, 300, 0, 0], task: [2700, 300, 0, 0] });
    // The same chunk recorded again (a retry) changes nothing and does not complete the run twice.
    expect(await tasks.record(id, 1, changes)).toEqual({ completedRun: false });
    expect(await counts(id)).toEqual({ run: [2700, 300, 0, 0], task: [2700, 300, 0, 0] });
    expect(await tasks.readCodes(id, 1, 0, 12)).toEqual([3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1]);
    expect((await tasks.readDetails(id, 1, [0, 1, 10])).size).toBe(2);
  });

  it('applies changes of one index in the order given, as if recorded one by one', async () => {
    const id = await runOf(4);
    await tasks.record(id, 1, [
      { index: 0, code: DEFERRED, detail: detail('Later') },
      { index: 0, code: SENT },
      { index: 1, code: SENT },
      { index: 1, code: FAILED, detail: detail('Ignored') }, // sent is final
      { index: 2, code: DEFERRED, detail: detail('First') },
      { index: 2, code: DEFERRED, detail: detail('Second') },
    ]);
    expect(await tasks.readCodes(id, 1, 0, 4)).toEqual([SENT, SENT, DEFERRED, 0]);
    expect(await counts(id)).toEqual({ run: [2, 0, 1, 0], task: [2, 0, 1, 0] });
    const details = await tasks.readDetails(id, 1, [0, 1, 2]);
    expect([...details.keys()]).toEqual([2]);
    expect(details.get(2)).toMatchObject({ code: 'Second' });
  });

  it('records a send the provider accepted during a cancel sweep as sent, and drops the cancel detail', async () => {
    const id = await runOf(2);
    await tasks.record(id, 1, [
      { index: 0, code: CANCELLED, detail: detail('OperationDenied.TaskCancelled') },
      { index: 1, code: CANCELLED, detail: detail('OperationDenied.TaskCancelled') },
    ]);
    expect(await tasks.record(id, 1, [{ index: 0, code: SENT }])).toEqual({ completedRun: false });
    expect(await tasks.readCodes(id, 1, 0, 2)).toEqual([SENT, CANCELLED]);
    expect(await counts(id)).toEqual({ run: [1, 0, 0, 1], task: [1, 0, 0, 1] });
    expect([...(await tasks.readDetails(id, 1, [0, 1])).keys()]).toEqual([1]);
  });
});
