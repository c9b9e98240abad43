import { createHash } from 'node:crypto';
import { type Clock, type TaskStatusCode, TaskStatus, canTransitionTask, decodeRunCodes, isTaskStatus } from '@postmill/core';
import type { Keys } from './keys.ts';
import type { RedisClient } from './redis-client.ts';
import { CLAIM_RANGES, RECORD_STATES, RETRY_TRANSIENT } from './run-ledger-scripts.ts';

/** Counters kept per run and summed per task (exact: moved by the ledger script only). */
export interface LedgerCounts {
  readonly sent: number;
  readonly failed: number;
  readonly deferred: number;
  readonly cancelled: number;
}

/** A task as stored: the caller's spec (opaque JSON here) plus its live state. */
export interface TaskView<Spec> extends LedgerCounts {
  readonly id: number;
  readonly spec: Spec;
  readonly status: TaskStatusCode;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Recipients requested over all runs started so far. */
  readonly requested: number;
  /** Runs started so far. */
  readonly runs: number;
  /** The run started last (run numbers are occurrence numbers, so they may skip missed ones). */
  readonly currentRun: number | undefined;
  readonly nextRunAt: number | undefined;
  /** Planned times of occurrences that passed while nothing ran (recorded, never replayed). */
  readonly missed: readonly number[];
  readonly error: string;
}

export interface RunView extends LedgerCounts {
  readonly taskId: number;
  readonly run: number;
  readonly total: number;
  readonly cursor: number;
  readonly plannedAt: number;
  readonly startedAt: number;
  readonly finishedAt: number | undefined;
  /** Bumped when the run is dispatched again from the start (resume, retry of failures). */
  readonly generation: number;
}

/** One ledger change: an index and its new 4-bit code (see RunCode), with details for non-sent codes. */
export interface LedgerChange {
  readonly index: number;
  readonly code: number;
  readonly detail?: unknown;
}

const RECORD_STATES_SHA = createHash('sha1').update(RECORD_STATES).digest('hex');

/**
 * Runs a Lua script by its SHA1 (EVALSHA), loading it with EVAL only when Redis does not know it
 * yet (NOSCRIPT: nothing ran, so running it then is still exactly once). The hot ledger script is
 * called once per few recipients; sending its text every time cost the worker more CPU than the
 * script costs Redis.
 */
async function evalCached(redis: RedisClient, script: string, sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(sha, numKeys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(script, numKeys, ...args);
  }
}

const num = (v: string | undefined | null, d = 0) => (v === undefined || v === null || v === '' ? d : Number(v));

// Compare-and-set of the task status: ARGV = [to, updatedAt, allowed-from...].
const SET_STATUS = `
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return -1 end
for i = 3, #ARGV do if ARGV[i] == cur then
  redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updatedAt', ARGV[2])
  return tonumber(cur)
end end
return 0
`;

/**
 * Batch tasks, their runs and the per-(run, recipient) ledger. Guarantees: a run starts at most
 * once (idempotent start); its ledger holds 4 bits per recipient index; counters move only with
 * real state changes (retried chunks never double-count); the dispatch cursor only moves forward;
 * every multi-key step stays inside the task's `{t:<id>}` slot.
 */
export class TaskStore<Spec> {
  constructor(private readonly o: { redis: RedisClient; keys: Keys; clock: Clock }) {}

  /** Stores a new task (status Pending) and returns its id. */
  async create(build: (id: number) => Spec): Promise<number> {
    const { redis, keys, clock } = this.o;
    const id = await redis.incr(keys.taskSeq);
    const now = clock.now();
    await redis.hset(keys.task(id), {
      spec: JSON.stringify(build(id)),
      status: String(TaskStatus.Pending),
      createdAt: String(now),
      updatedAt: String(now),
      requested: '0',
      sent: '0',
      failed: '0',
      deferred: '0',
      cancelled: '0',
      runs: '0',
      missed: '[]',
      error: '',
    });
    await redis.zadd(keys.tasks, String(id), String(id));
    return id;
  }

  async get(id: number): Promise<TaskView<Spec> | undefined> {
    const h = await this.o.redis.hgetall(this.o.keys.task(id));
    if (!h.spec) return undefined;
    const status = num(h.status, TaskStatus.Pending);
    return {
      id,
      spec: JSON.parse(h.spec) as Spec,
      status: isTaskStatus(status) ? status : TaskStatus.Error,
      createdAt: num(h.createdAt),
      updatedAt: num(h.updatedAt),
      requested: num(h.requested),
      sent: num(h.sent),
      failed: num(h.failed),
      deferred: num(h.deferred),
      cancelled: num(h.cancelled),
      runs: num(h.runs),
      currentRun: h.currentRun ? Number(h.currentRun) : undefined,
      nextRunAt: h.nextRunAt ? Number(h.nextRunAt) : undefined,
      missed: JSON.parse(h.missed ?? '[]') as number[],
      error: h.error ?? '',
    };
  }

  /** Just the status (the hot path's check), or undefined when the task does not exist. */
  async status(id: number): Promise<TaskStatusCode | undefined> {
    const v = await this.o.redis.hget(this.o.keys.task(id), 'status');
    if (v === null) return undefined;
    const n = Number(v);
    return isTaskStatus(n) ? n : TaskStatus.Error;
  }

  /** Task ids, newest first, paged. */
  async ids(offset: number, limit: number): Promise<{ total: number; ids: number[] }> {
    const { redis, keys } = this.o;
    const [total, ids] = await Promise.all([
      redis.zcard(keys.tasks),
      limit > 0 ? redis.zrevrange(keys.tasks, String(offset), String(offset + limit - 1)) : Promise.resolve([] as string[]),
    ]);
    return { total, ids: ids.map(Number) };
  }

  /** Every task id (for filtered listings), newest first, read in pages. */
  async *allIds(pageSize = 1000): AsyncGenerator<number> {
    for (let offset = 0; ; offset += pageSize) {
      const { ids } = await this.ids(offset, pageSize);
      for (const id of ids) yield id;
      if (ids.length < pageSize) return;
    }
  }

  /**
   * Tasks per status, every status present (zeros included). Exact, nothing to drift: it reads
   * each task's status (the `tasks` index in id order behind a cursor, so each task is counted
   * once even while tasks are created; then one HGET per task, sent together so a page costs
   * one round trip). Cost: O(tasks) small reads per call (metrics call it at scrape time). A
   * per-status counter would be O(1), but under Redis Cluster it could not change in the same
   * script as the status (different slots), and a counter updated separately drifts for good
   * after a crash between the two writes.
   */
  async countByStatus(pageSize = 1000): Promise<Record<TaskStatusCode, number>> {
    const counts = Object.fromEntries(Object.values(TaskStatus).map((s) => [s, 0])) as Record<TaskStatusCode, number>;
    for (let after = 0; ; ) {
      const ids = (await this.o.redis.zrangebyscore(this.o.keys.tasks, `(${after}`, '+inf', 'LIMIT', 0, pageSize)).map(Number);
      const statuses = await Promise.all(ids.map((id) => this.status(id)));
      for (const status of statuses) if (status !== undefined) counts[status] += 1;
      if (ids.length < pageSize) return counts;
      after = ids[ids.length - 1] ?? after;
    }
  }

  /**
   * Moves the task to `to` if its current status may make that transition (canTransitionTask).
   * Returns the previous status, or undefined when the task does not exist or the move is not allowed.
   */
  async transition(id: number, to: TaskStatusCode, onlyFrom?: readonly TaskStatusCode[]): Promise<TaskStatusCode | undefined> {
    const allowed = (onlyFrom ?? Object.values(TaskStatus)).filter((from) => canTransitionTask(from, to));
    if (allowed.length === 0) return undefined;
    const prev = Number(
      await this.o.redis.eval(SET_STATUS, 1, this.o.keys.task(id), String(to), String(this.o.clock.now()), ...allowed.map(String)),
    );
    return prev > 0 && isTaskStatus(prev) ? prev : undefined;
  }

  /** Records the schedule's next planned run and any missed occurrences (appended, never replayed). */
  async setSchedule(id: number, next: number | undefined, missed: readonly number[] = []): Promise<void> {
    const { redis, keys } = this.o;
    const key = keys.task(id);
    const multi = redis.multi();
    if (next === undefined) multi.hdel(key, 'nextRunAt');
    else multi.hset(key, 'nextRunAt', String(next));
    if (missed.length > 0) {
      const current = JSON.parse((await redis.hget(key, 'missed')) ?? '[]') as number[];
      multi.hset(key, 'missed', JSON.stringify([...new Set([...current, ...missed])].sort((a, b) => a - b)));
    }
    await multi.exec();
  }

  async setError(id: number, message: string): Promise<void> {
    await this.o.redis.hset(this.o.keys.task(id), 'error', message, 'updatedAt', String(this.o.clock.now()));
  }

  /**
   * Starts run `run` over `total` recipients, once: a second call for the same run changes nothing
   * and returns false (a retried start job never double-counts).
   */
  async startRun(id: number, run: number, p: { plannedAt: number; total: number }): Promise<boolean> {
    const { redis, keys, clock } = this.o;
    const started = await redis.hsetnx(keys.taskRun(id, run), 'startedAt', String(clock.now()));
    if (started === 0) return false;
    await redis
      .multi()
      .hset(keys.taskRun(id, run), { total: String(p.total), cursor: '0', plannedAt: String(p.plannedAt), sent: '0', failed: '0', deferred: '0', cancelled: '0' })
      .hincrby(keys.task(id), 'requested', p.total)
      .hincrby(keys.task(id), 'runs', 1)
      .hset(keys.task(id), 'currentRun', String(run), 'updatedAt', String(clock.now()))
      .exec();
    if (p.total === 0) await redis.hset(keys.taskRun(id, run), 'finishedAt', String(clock.now()));
    return true;
  }

  /** Indexes a started run under its calendar day (GetSendEmailStatus by RequestDate); kept `retentionDays`. */
  async indexRunDay(date: string, id: number, run: number, startedAt: number, retentionDays: number): Promise<void> {
    const key = this.o.keys.statusDayRuns(date);
    await this.o.redis.multi().zadd(key, String(startedAt), `${id}:${run}`).expire(key, Math.round(retentionDays * 86_400)).exec();
  }

  /** Runs started on a calendar day, in start order. */
  async runsOfDay(date: string): Promise<{ taskId: number; run: number }[]> {
    const members = await this.o.redis.zrange(this.o.keys.statusDayRuns(date), '0', '-1');
    return members.map((m) => {
      const [t, r] = m.split(':');
      return { taskId: Number(t), run: Number(r) };
    });
  }

  async getRun(id: number, run: number): Promise<RunView | undefined> {
    const h = await this.o.redis.hgetall(this.o.keys.taskRun(id, run));
    if (!h.startedAt || h.total === undefined) return undefined;
    return {
      taskId: id,
      run,
      total: num(h.total),
      cursor: num(h.cursor),
      plannedAt: num(h.plannedAt),
      startedAt: num(h.startedAt),
      finishedAt: h.finishedAt ? Number(h.finishedAt) : undefined,
      generation: num(h.generation),
      sent: num(h.sent),
      failed: num(h.failed),
      deferred: num(h.deferred),
      cancelled: num(h.cancelled),
    };
  }

  /** Claims up to `maxChunks` chunk starts past the durable cursor (see CLAIM_RANGES). */
  async claimChunks(id: number, run: number, chunkSize: number, maxChunks: number): Promise<number[]> {
    const res = (await this.o.redis.eval(CLAIM_RANGES, 1, this.o.keys.taskRun(id, run), String(chunkSize), String(maxChunks))) as number[];
    return res.map(Number);
  }

  /** The 4-bit ledger codes of indexes [start, end). */
  async readCodes(id: number, run: number, start: number, end: number): Promise<number[]> {
    if (end <= start) return [];
    const first = start - (start % 2);
    const bytes = await this.o.redis.getrangeBuffer(this.o.keys.runStates(id, run), first >> 1, (end - 1) >> 1);
    return decodeRunCodes(bytes, first, start, end - start);
  }

  /** Details (code, message, until...) recorded for the given indexes. */
  async readDetails(id: number, run: number, indexes: readonly number[]): Promise<Map<number, unknown>> {
    if (indexes.length === 0) return new Map();
    const values = await this.o.redis.hmget(this.o.keys.runDetails(id, run), ...indexes.map(String));
    const out = new Map<number, unknown>();
    indexes.forEach((idx, i) => {
      const v = values[i];
      if (v) out.set(idx, JSON.parse(v));
    });
    return out;
  }

  /** Applies ledger changes atomically with exact counters; `completedRun` is true exactly once per run. */
  async record(id: number, run: number, changes: readonly LedgerChange[]): Promise<{ completedRun: boolean }> {
    if (changes.length === 0) return { completedRun: false };
    const { redis, keys, clock } = this.o;
    const args: string[] = [String(clock.now()), String(changes.length)];
    for (const c of changes) args.push(String(c.index), String(c.code), c.detail === undefined ? '' : JSON.stringify(c.detail));
    const res = await evalCached(redis, RECORD_STATES, RECORD_STATES_SHA, 4, keys.runStates(id, run), keys.runDetails(id, run), keys.taskRun(id, run), keys.task(id), ...args);
    return { completedRun: Number(res) === 1 };
  }

  /**
   * Starts dispatching the run again from index 0 under a new generation (after a resume or a
   * retry of failures) and returns that generation. Chunks whose recipients are all final are
   * skipped by the dispatcher, so this never resends anyone.
   */
  async redispatch(id: number, run: number): Promise<number> {
    const { redis, keys } = this.o;
    const [[, generation]] = (await redis.multi().hincrby(keys.taskRun(id, run), 'generation', 1).hset(keys.taskRun(id, run), 'cursor', '0').exec()) as [[Error | null, number]];
    return Number(generation);
  }

  /** Resets transient failures of a run to queued (in slices, so Redis is never blocked long). */
  async retryTransient(id: number, run: number, total: number, slice = 20_000): Promise<number> {
    const { redis, keys } = this.o;
    let count = 0;
    for (let from = 0; from < total; from += slice) {
      count += Number(
        await redis.eval(RETRY_TRANSIENT, 4, keys.runStates(id, run), keys.runDetails(id, run), keys.taskRun(id, run), keys.task(id), String(from), String(Math.min(total, from + slice))),
      );
    }
    return count;
  }
}
