import { ManualClock, RunCode, TaskStatus } from '@postmill/core';
import { createKeys, createRedisClient, type Keys, keySlot, type RedisClient, TaskStore } from '@postmill/store';
import { deleteKeysWithPrefix, uniquePrefix } from '@postmill/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const detail = (code: string) => ({ code, message: code, at: NOW });

describe('TaskStore claims, control and one-step starts (real Redis)', () => {
  let redis: RedisClient;
  let prefix: string;
  let keys: Keys;
  let clock: ManualClock;
  let tasks: TaskStore<{ name: string }>;

  beforeAll(() => {
    redis = createRedisClient({ url: inject('redisUrl') });
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('taskctl');
    keys = createKeys(prefix);
    clock = new ManualClock(NOW);
    tasks = new TaskStore({ redis, keys, clock });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  async function sendingTask(total: number, run = 1, chunkSize = 50): Promise<number> {
    const id = await tasks.create(() => ({ name: 't' }));
    expect(await tasks.openRun(id, run, { plannedAt: NOW, total, chunkSize })).toEqual({ kind: 'started', startedAt: NOW, total });
    return id;
  }
  /** Claims `indexes` (all of one chunk range: the range of the first one). */
  const claim = (id: number, indexes: number[], o: { token?: string; generation?: number; leaseMs?: number; run?: number; chunkSize?: number } = {}) =>
    tasks.claim(id, o.run ?? 1, {
      generation: o.generation ?? 0,
      token: o.token ?? 'A',
      leaseMs: o.leaseMs ?? 1000,
      start: (indexes[0] ?? 0) - ((indexes[0] ?? 0) % (o.chunkSize ?? 50)),
      indexes,
    });
  const holder = async (id: number, start = 0) => (await tasks.runControl(id, 1, { start, end: start + 1 }))?.rangeClaim;

  it('keeps every key of a task, its runs and its active-run set in one slot', () => {
    const group = [keys.task(9), keys.taskActiveRuns(9), keys.taskRun(9, 1), keys.runStates(9, 3), keys.runDetails(9, 17)];
    expect(new Set(group.map(keySlot)).size).toBe(1);
    expect(keySlot(keys.tasksExpiry)).toBe(keySlot(keys.tasks));
  });

  describe('openRun', () => {
    it('starts a run in one step: total, cursor, generation, counters, schedule, active run and status sending', async () => {
      const id = await tasks.create(() => ({ name: 't' }));
      await tasks.openRun(id, 1, { plannedAt: NOW - 5, total: 7, next: NOW + 3_600_000, missed: [NOW - 7_200_000] });
      expect(await tasks.getRun(id, 1)).toMatchObject({ total: 7, cursor: 0, generation: 0, startedAt: NOW, plannedAt: NOW - 5, sent: 0 });
      expect(await tasks.get(id)).toMatchObject({
        status: TaskStatus.Sending,
        requested: 7,
        runs: 1,
        currentRun: 1,
        nextRunAt: NOW + 3_600_000,
        missed: [NOW - 7_200_000],
      });
      expect(await tasks.activeRuns(id)).toEqual([1]);
    });

    it('answers a second start of the same run with the first one’s start time and total, and counts nothing twice', async () => {
      const id = await sendingTask(7);
      clock.advance(1000);
      expect(await tasks.openRun(id, 1, { plannedAt: NOW, total: 9 })).toEqual({ kind: 'already', startedAt: NOW, total: 7 });
      expect(await tasks.get(id)).toMatchObject({ requested: 7, runs: 1 });
    });

    it('starts nothing for a paused or a cancelled task', async () => {
      const id = await tasks.create(() => ({ name: 't' }));
      expect((await tasks.control(id, 'pause')).kind).toBe('ok');
      expect(await tasks.openRun(id, 1, { plannedAt: NOW, total: 3 })).toEqual({ kind: 'paused' });
      expect((await tasks.control(id, 'cancel')).kind).toBe('ok');
      expect(await tasks.openRun(id, 1, { plannedAt: NOW, total: 3 })).toEqual({ kind: 'cancelled' });
      expect(await tasks.getRun(id, 1)).toBeUndefined();
    });

    it('finishes an empty run at once and settles a task with nothing planned as done', async () => {
      const id = await tasks.create(() => ({ name: 't' }));
      await tasks.openRun(id, 1, { plannedAt: NOW, total: 0 });
      expect((await tasks.getRun(id, 1))?.finishedAt).toBe(NOW);
      expect(await tasks.status(id)).toBe(TaskStatus.Done);
    });
  });

  describe('claims', () => {
    it('claims queued indexes of a chunk range for one token, marks them sending and tells another claimant of the range when the claim lapses', async () => {
      const id = await sendingTask(3);
      expect(await claim(id, [0, 1], { token: 'A' })).toEqual({ kind: 'ok', results: ['claimed', 'claimed'] });
      expect(await tasks.readCodes(id, 1, 0, 3)).toEqual([RunCode.Sending, RunCode.Sending, RunCode.Queued]);
      expect(await claim(id, [2], { token: 'B' })).toEqual({ kind: 'busy', until: NOW + 1000 });
      expect(await tasks.readCodes(id, 1, 2, 3)).toEqual([RunCode.Queued]);
      expect(await holder(id)).toEqual({ until: NOW + 1000, token: 'A' });
    });

    it('keeps the claims of different chunk ranges (the run’s own chunk size) apart', async () => {
      const id = await sendingTask(4, 1, 2);
      expect(await claim(id, [0, 1], { token: 'A', chunkSize: 2 })).toEqual({ kind: 'ok', results: ['claimed', 'claimed'] });
      expect(await claim(id, [2, 3], { token: 'B', chunkSize: 2 })).toEqual({ kind: 'ok', results: ['claimed', 'claimed'] });
      expect((await holder(id, 2))?.token).toBe('B');
    });

    it('lets anyone claim an index whose claim lapsed (its sender died), and the holder claim it again', async () => {
      const id = await sendingTask(1);
      await claim(id, [0], { token: 'A' });
      expect(await claim(id, [0], { token: 'A' })).toEqual({ kind: 'ok', results: ['claimed'] });
      clock.advance(1001);
      expect(await claim(id, [0], { token: 'B' })).toEqual({ kind: 'ok', results: ['claimed'] });
      expect((await holder(id))?.token).toBe('B');
    });

    it('skips final indexes and deferrals not yet due, and claims a due deferral out of DeferredCount', async () => {
      const id = await sendingTask(3);
      await tasks.record(id, 1, [
        { index: 0, code: RunCode.Sent },
        { index: 1, code: RunCode.Deferred, detail: { ...detail('FailedOperation.FrequencyLimit'), until: NOW + 500 } },
        { index: 2, code: RunCode.Deferred, detail: { ...detail('FailedOperation.FrequencyLimit'), until: NOW - 1 } },
      ]);
      expect(await tasks.getRun(id, 1)).toMatchObject({ deferred: 2 });
      expect(await claim(id, [0, 1, 2])).toEqual({ kind: 'ok', results: ['skip', 'skip', 'claimed'] });
      expect(await tasks.getRun(id, 1)).toMatchObject({ deferred: 1 });
      expect((await tasks.get(id))?.deferred).toBe(1);
    });

    it('refuses every claim while the task is paused or cancelled, or once the run was dispatched again under a newer generation', async () => {
      const id = await sendingTask(2, 1, 1);
      await tasks.control(id, 'pause');
      expect(await claim(id, [0], { generation: 1 })).toEqual({ kind: 'not-sending', status: TaskStatus.Paused });
      await tasks.control(id, 'resume');
      expect(await claim(id, [0], { generation: 1 })).toEqual({ kind: 'superseded', generation: 2 });
      expect(await claim(id, [0], { generation: 2 })).toEqual({ kind: 'ok', results: ['claimed'] });
      await tasks.control(id, 'cancel');
      expect(await claim(id, [1], { generation: 3, chunkSize: 1 })).toEqual({ kind: 'not-sending', status: TaskStatus.Cancelled });
      expect(await tasks.claim(id, 5, { generation: 0, token: 'A', leaseMs: 1000, start: 0, indexes: [0] })).toEqual({ kind: 'gone' });
    });
  });

  describe('recording under claims', () => {
    it('records a non-sent outcome of a claimed index only with its range claim’s token, and releases the claim only for its holder', async () => {
      const id = await sendingTask(2);
      await claim(id, [0], { token: 'A' });
      await tasks.record(id, 1, [{ index: 0, code: RunCode.FailedPermanent, detail: detail('SMTP.550') }], { token: 'B', release: 0 });
      expect(await tasks.readCodes(id, 1, 0, 1)).toEqual([RunCode.Sending]);
      expect((await holder(id))?.token).toBe('A');
      await tasks.record(id, 1, [{ index: 0, code: RunCode.FailedPermanent, detail: detail('SMTP.550') }], { token: 'A', release: 0 });
      expect(await tasks.readCodes(id, 1, 0, 1)).toEqual([RunCode.FailedPermanent]);
      expect(await holder(id)).toBeUndefined();
    });

    it('always records a sent answer, once: a send that lost its claim still shows, and the claimant’s own answer adds nothing', async () => {
      const id = await sendingTask(2);
      await claim(id, [0], { token: 'A' });
      clock.advance(1001);
      await claim(id, [0], { token: 'B' });
      await tasks.record(id, 1, [{ index: 0, code: RunCode.Sent }], { token: 'A' });
      await tasks.record(id, 1, [{ index: 0, code: RunCode.Sent }], { token: 'B' });
      await tasks.record(id, 1, [{ index: 0, code: RunCode.FailedPermanent, detail: detail('SMTP.550') }], { token: 'B' });
      expect(await tasks.readCodes(id, 1, 0, 1)).toEqual([RunCode.Sent]);
      expect(await tasks.getRun(id, 1)).toMatchObject({ sent: 1, failed: 0 });
    });

    it('releases an unused claim back to queued (or to its deferral) with its token', async () => {
      const id = await sendingTask(2);
      await claim(id, [0, 1], { token: 'A' });
      await tasks.record(
        id,
        1,
        [
          { index: 0, code: RunCode.Queued },
          { index: 1, code: RunCode.Deferred, detail: { ...detail('FailedOperation.FrequencyLimit'), until: NOW } },
        ],
        { token: 'A' },
      );
      expect(await tasks.readCodes(id, 1, 0, 2)).toEqual([RunCode.Queued, RunCode.Deferred]);
      expect(await tasks.getRun(id, 1)).toMatchObject({ deferred: 1 });
    });

    it('finishes the run with the recording of its last index, settles the task and takes the run out of the active ones', async () => {
      const id = await sendingTask(2);
      expect(await tasks.record(id, 1, [{ index: 0, code: RunCode.Sent }])).toEqual({ completedRun: false });
      expect(await tasks.record(id, 1, [{ index: 1, code: RunCode.Sent }])).toEqual({ completedRun: true });
      expect(await tasks.status(id)).toBe(TaskStatus.Done);
      expect(await tasks.activeRuns(id)).toEqual([]);
    });
  });

  describe('control', () => {
    it('pauses, resumes and cancels every overlapping run of a task in one step: each run’s generation moves and its cursor goes back to 0', async () => {
      const id = await sendingTask(4, 1);
      await tasks.openRun(id, 2, { plannedAt: NOW, total: 4 });
      for (const run of [1, 2]) await tasks.advanceCursor(id, run, 0, 0, 4);
      expect((await tasks.control(id, 'pause')).kind).toBe('ok');
      for (const run of [1, 2]) expect(await tasks.getRun(id, run)).toMatchObject({ generation: 1, cursor: 0 });
      expect(await tasks.control(id, 'resume')).toEqual({
        kind: 'ok',
        retried: 0,
        drivers: expect.arrayContaining([
          { run: 1, reopens: 0 },
          { run: 2, reopens: 0 },
        ]),
      });
      expect(await tasks.status(id)).toBe(TaskStatus.Sending);
      for (const run of [1, 2]) expect(await tasks.getRun(id, run)).toMatchObject({ generation: 2 });
      expect((await tasks.control(id, 'cancel')).kind).toBe('ok');
      for (const run of [1, 2]) expect(await tasks.getRun(id, run)).toMatchObject({ generation: 3 });
    });

    it('refuses what canTransitionTask refuses and changes nothing then', async () => {
      const id = await sendingTask(2);
      expect(await tasks.control(id, 'resume')).toEqual({ kind: 'not-allowed', status: TaskStatus.Sending });
      await tasks.control(id, 'cancel');
      expect(await tasks.control(id, 'pause')).toEqual({ kind: 'not-allowed', status: TaskStatus.Cancelled });
      expect(await tasks.control(id, 'retry')).toEqual({ kind: 'not-allowed', status: TaskStatus.Cancelled });
      expect(await tasks.getRun(id, 1)).toMatchObject({ generation: 1 });
      expect(await tasks.control(999, 'pause')).toEqual({ kind: 'not-found' });
    });

    it('moves the dispatch cursor only when neither it nor the generation changed since it was read', async () => {
      const id = await sendingTask(100);
      expect(await tasks.advanceCursor(id, 1, 0, 0, 50)).toBe(true);
      expect(await tasks.advanceCursor(id, 1, 0, 0, 100)).toBe(false);
      await tasks.control(id, 'pause');
      expect(await tasks.advanceCursor(id, 1, 0, 0, 50)).toBe(false);
      expect(await tasks.getRun(id, 1)).toMatchObject({ cursor: 0, generation: 1 });
    });

    it('retries transient failures of a finished run by reopening it: queued again, active again, reopen number 1, task sending', async () => {
      const id = await sendingTask(3);
      await tasks.record(id, 1, [
        { index: 0, code: RunCode.Sent },
        { index: 1, code: RunCode.FailedTransient, detail: detail('Network.Timeout') },
        { index: 2, code: RunCode.FailedPermanent, detail: detail('SMTP.550') },
      ]);
      expect(await tasks.status(id)).toBe(TaskStatus.Done);
      expect(await tasks.control(id, 'retry')).toEqual({ kind: 'ok', retried: 1, drivers: [{ run: 1, reopens: 1 }] });
      expect(await tasks.readCodes(id, 1, 0, 3)).toEqual([RunCode.Sent, RunCode.Queued, RunCode.FailedPermanent]);
      expect(await tasks.get(id)).toMatchObject({ status: TaskStatus.Sending, failed: 1 });
      expect(await tasks.getRun(id, 1)).toMatchObject({ finishedAt: undefined, generation: 1 });
      expect(await tasks.activeRuns(id)).toEqual([1]);
      expect(await tasks.control(id, 'retry')).toEqual({ kind: 'ok', retried: 0, drivers: [{ run: 1, reopens: 1 }] });
    });
  });

  describe('cancel sweeps', () => {
    it('cancels pending indexes and lapsed claims, leaves live claims to their send, and finishes the run once they are recorded', async () => {
      const id = await sendingTask(4, 1, 1);
      await tasks.record(id, 1, [{ index: 0, code: RunCode.Deferred, detail: { ...detail('FailedOperation.FrequencyLimit'), until: NOW + 10 } }]);
      await claim(id, [1], { token: 'A', leaseMs: 100, chunkSize: 1 });
      await claim(id, [2], { token: 'B', leaseMs: 5000, chunkSize: 1 });
      expect(await tasks.sweepCancelled(id, 1, 0, 4)).toBeUndefined(); // not cancelled: nothing swept
      await tasks.control(id, 'cancel');
      clock.advance(101);
      expect(await tasks.sweepCancelled(id, 1, 0, 4)).toEqual({ swept: 3, busyUntil: NOW + 5000, completedRun: false });
      expect(await tasks.getRun(id, 1)).toMatchObject({ cancelled: 3, deferred: 0 });
      expect(await tasks.record(id, 1, [{ index: 2, code: RunCode.Sent }], { token: 'B' })).toEqual({ completedRun: true });
      expect(await tasks.status(id)).toBe(TaskStatus.Cancelled);
      expect(await tasks.getRun(id, 1)).toMatchObject({ sent: 1, cancelled: 3 });
    });
  });
});
