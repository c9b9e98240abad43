import { type Clock, canTransitionTask, decodeRunCodes, isTaskStatus, TaskStatus, type TaskStatusCode } from '@postmill/core';
import { CHUNK_LEDGER } from './chunk-read-script.ts';
import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';
import { CLAIM_SENDS, RECORD_STATES, SWEEP_CANCELLED } from './run-ledger-scripts.ts';
import { ADVANCE_CURSOR, CONTROL, READ_CONTROL, RELEASE_RANGE, SET_STATUS, START_RUN } from './task-scripts.ts';

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

/** What a chunk's claim of indexes answered (see CLAIM_SENDS). */
export type ClaimAnswer =
  /** Per index asked: `claimed`, or `skip` (final, or deferred and not due). */
  | { readonly kind: 'ok'; readonly results: readonly ('claimed' | 'skip')[] }
  /** Another chunk job holds the range under a live claim until `until` (ms): nothing was claimed. */
  | { readonly kind: 'busy'; readonly until: number }
  /** The task or the run no longer exists. */
  | { readonly kind: 'gone' }
  /** The task is not sending (paused, cancelled...): nothing was claimed. */
  | { readonly kind: 'not-sending'; readonly status: TaskStatusCode }
  /** The run was dispatched again under a newer generation: the newer chunk jobs cover these indexes. */
  | { readonly kind: 'superseded'; readonly generation: number };

/** A control action on a task (PauseSendTask, ResumeSendTask, CancelSendTask, RetrySendTaskFailures). */
export type ControlAction = 'pause' | 'resume' | 'cancel' | 'retry';

/** What a control action did. `drivers`: each active run after it, with its reopen number (see driver jobs). */
export type ControlResult =
  | { readonly kind: 'ok'; readonly retried: number; readonly drivers: readonly { readonly run: number; readonly reopens: number }[] }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-allowed'; readonly status?: TaskStatusCode };

/** What starting a run did (see START_RUN). */
export type RunStart =
  | { readonly kind: 'started' | 'already'; readonly startedAt: number; readonly total: number }
  | { readonly kind: 'paused' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'gone' };

/** One read of what a run's driver and chunks decide from (see READ_CONTROL). */
export interface RunControl {
  readonly status: TaskStatusCode;
  readonly total: number;
  readonly cursor: number;
  readonly generation: number;
  readonly startedAt: number;
  readonly finishedAt: number | undefined;
  readonly reopens: number;
  /** Indexes of the run that are final (sent, failed or cancelled). */
  readonly final: number;
  /**
   * Recipients per chunk job of the run (CAMPAIGN_JOB_RECIPIENTS at its start), fixed for the run:
   * chunk ranges are [k × chunkSize, (k + 1) × chunkSize).
   */
  readonly chunkSize: number;
  /** The claim of the range asked about (runControl's `range`), when there is one. */
  readonly rangeClaim: { readonly until: number; readonly token: string } | undefined;
  /** The ledger codes of the range asked about, in index order (empty without a range). */
  readonly rangeCodes: readonly number[];
}

/** How long finished runs and settled tasks are kept. Defaults: runs 30 days, tasks 90 days. */
export interface TaskRetention {
  /** A finished run's hash, ledger bitfield and details expire this long after it finished. */
  readonly runMs: number;
  /** A settled task (done, cancelled or error, nothing planned) expires this long after it settled. */
  readonly taskMs: number;
}

const DAY_MS = 86_400_000;
/** SEND_CHUNK_SIZE's default, for runs started without one. */
const DEFAULT_CHUNK_SIZE = 50;
const DEFAULT_RETENTION: TaskRetention = { runMs: 30 * DAY_MS, taskMs: 90 * DAY_MS };

const claimScript = new LuaScript(CLAIM_SENDS);
const recordScript = new LuaScript(RECORD_STATES);
const sweepScript = new LuaScript(SWEEP_CANCELLED);
const startScript = new LuaScript(START_RUN);
const controlScript = new LuaScript(CONTROL);
const statusScript = new LuaScript(SET_STATUS);
const cursorScript = new LuaScript(ADVANCE_CURSOR);
const readControlScript = new LuaScript(READ_CONTROL);
const releaseScript = new LuaScript(RELEASE_RANGE);

const num = (v: string | undefined | null, d = 0) => (v === undefined || v === null || v === '' ? d : Number(v));
const statusOf = (v: unknown): TaskStatusCode => {
  const n = Number(v);
  return isTaskStatus(n) ? n : TaskStatus.Error;
};

/** READ_CONTROL's answer (Buffers) as a RunControl; undefined when the task or the run is gone. */
function controlOf(h: readonly (Buffer | null)[], range: { start: number; end: number } | undefined): RunControl | undefined {
  if (!h[0] || !h[4] || h[1] === null || h[1] === undefined) return undefined;
  const claim = h[9] ? h[9].toString() : undefined;
  const bytes = h[10] ?? Buffer.alloc(0);
  const rangeCodes = range ? decodeRunCodes(bytes, range.start - (range.start % 2), range.start, range.end - range.start) : [];
  const sep = claim?.indexOf('|') ?? -1;
  const str = (b: Buffer | null | undefined) => (b ? b.toString() : undefined);
  return {
    status: statusOf(str(h[0])),
    total: num(str(h[1])),
    cursor: num(str(h[2])),
    generation: num(str(h[3])),
    startedAt: num(str(h[4])),
    finishedAt: h[5] ? Number(str(h[5])) : undefined,
    reopens: num(str(h[6])),
    final: num(str(h[7])),
    chunkSize: num(str(h[8]), DEFAULT_CHUNK_SIZE),
    rangeClaim: claim === undefined ? undefined : { until: Number(claim.slice(0, sep)), token: claim.slice(sep + 1) },
    rangeCodes,
  };
}

/** Statuses a control action may move a task from (the rest is up to canTransitionTask). */
const CONTROL_FROM: Readonly<Record<ControlAction, { from: readonly TaskStatusCode[]; to: readonly TaskStatusCode[]; stay?: TaskStatusCode }>> = {
  pause: { from: [TaskStatus.Pending, TaskStatus.Sending], to: [TaskStatus.Paused] },
  resume: { from: [TaskStatus.Paused], to: [TaskStatus.Sending, TaskStatus.Pending, TaskStatus.Done] },
  cancel: { from: Object.values(TaskStatus), to: [TaskStatus.Cancelled] },
  // A retry also leaves a sending task sending (not a transition: it stays).
  retry: { from: [TaskStatus.Done, TaskStatus.Pending, TaskStatus.Error, TaskStatus.Sending], to: [TaskStatus.Sending], stay: TaskStatus.Sending },
};

/** The "from>to" pairs a control action may take, by canTransitionTask (the one place for task transitions). */
function allowedPairs(action: ControlAction): string {
  const { from, to, stay } = CONTROL_FROM[action];
  const pairs = from.flatMap((f) => to.filter((t) => canTransitionTask(f, t)).map((t) => `${f}>${t}`));
  if (stay !== undefined) pairs.push(`${stay}>${stay}`);
  return pairs.join(',');
}

/**
 * Batch tasks, their runs and the per-(run, recipient) ledger. Guarantees: a run starts at most
 * once, in one atomic step (idempotent start); its ledger holds 4 bits per recipient index;
 * counters move only with real state changes (retried chunks never double-count); a recipient is
 * sent only under a claim taken atomically with the task's status and the run's generation; control
 * actions change the status and supersede every active run's dispatch in one atomic step; finished
 * runs and settled tasks expire (TaskRetention); every multi-key step stays inside the task's
 * `{t:<id>}` slot.
 */
export class TaskStore<Spec> {
  private readonly retention: TaskRetention;

  constructor(private readonly o: { redis: RedisClient; keys: Keys; clock: Clock; retention?: TaskRetention }) {
    this.retention = o.retention ?? DEFAULT_RETENTION;
  }

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

  /**
   * Task ids, newest first, paged. Settled tasks whose hash expired leave the index first
   * (purgeExpired), so the total counts live tasks only.
   */
  async ids(offset: number, limit: number): Promise<{ total: number; ids: number[] }> {
    const { redis, keys } = this.o;
    await this.purgeExpired();
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
   * Takes settled tasks whose hash expired out of the task index (lazily, on every read of the
   * index). A settle records its expiry in `tasksExpiry` (another slot than the task, so not in the
   * same script); each due entry is checked against the task's real TTL: gone → out of both
   * indexes; revived meanwhile (no TTL) → out of `tasksExpiry` only; still alive → its real expiry
   * is recorded. A task whose expiry entry was never written (a crash right after its settle) stays
   * indexed until a listing meets it: `get` then answers undefined and the listing skips it.
   */
  async purgeExpired(maxPerCall = 1000): Promise<void> {
    const { redis, keys, clock } = this.o;
    const now = clock.now();
    const due = await redis.zrangebyscore(keys.tasksExpiry, '-inf', String(now), 'LIMIT', 0, maxPerCall);
    if (due.length === 0) return;
    const ttls = await Promise.all(due.map((id) => redis.pttl(keys.task(Number(id)))));
    const multi = redis.multi();
    due.forEach((id, i) => {
      const ttl = Number(ttls[i]);
      if (ttl === -2) multi.zrem(keys.tasks, id).zrem(keys.tasksExpiry, id);
      else if (ttl === -1) multi.zrem(keys.tasksExpiry, id);
      else multi.zadd(keys.tasksExpiry, String(now + ttl), id);
    });
    await multi.exec();
  }

  /** Notes when a settled task expires (see purgeExpired); `at` 0 means it did not settle. */
  private async noteExpiry(id: number, at: number): Promise<void> {
    if (at > 0) await this.o.redis.zadd(this.o.keys.tasksExpiry, String(at), String(id));
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
    await this.purgeExpired();
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
   * Returns the previous status, or undefined when the task does not exist or the move is not
   * allowed. A task this settles (done, cancelled or error, no run active, nothing planned) gets
   * its expiry (TaskRetention.taskMs).
   */
  async transition(id: number, to: TaskStatusCode, onlyFrom?: readonly TaskStatusCode[]): Promise<TaskStatusCode | undefined> {
    const allowed = (onlyFrom ?? Object.values(TaskStatus)).filter((from) => canTransitionTask(from, to));
    if (allowed.length === 0) return undefined;
    const { redis, keys, clock } = this.o;
    const res = (await statusScript.run(redis, [keys.task(id), keys.taskActiveRuns(id)], [to, clock.now(), this.retention.taskMs, ...allowed])) as number[];
    const prev = Number(res[0]);
    if (!(prev > 0 && isTaskStatus(prev))) return undefined;
    await this.noteExpiry(id, Number(res[1] ?? 0));
    return prev;
  }

  /**
   * Pause, resume, cancel or retry, each ONE atomic step on the task's slot (see CONTROL): the
   * status moves by canTransitionTask AND every active run's generation is bumped and its cursor
   * reset, so chunk jobs dispatched before are superseded at their next claim and each run's driver
   * dispatches again. `retry` first resets the current run's transient failures (reopening it when
   * it had finished). Retries by itself when a run started or finished between its read of the
   * active runs and the script.
   */
  async control(id: number, action: ControlAction): Promise<ControlResult> {
    const { redis, keys, clock } = this.o;
    const pairs = allowedPairs(action);
    for (let attempt = 0; ; attempt++) {
      const [active, currentRun] = await Promise.all([redis.smembers(keys.taskActiveRuns(id)), redis.hget(keys.task(id), 'currentRun')]);
      const runNos = active.map(Number);
      const scriptKeys = [keys.task(id), keys.taskActiveRuns(id), ...runNos.map((r) => keys.taskRun(id, r))];
      const args: (string | number)[] = [action, clock.now(), this.retention.runMs, this.retention.taskMs, pairs, runNos.length, ...runNos];
      if (action === 'retry') {
        if (!currentRun) return (await redis.exists(keys.task(id))) ? { kind: 'not-allowed' } : { kind: 'not-found' };
        const run = Number(currentRun);
        scriptKeys.push(keys.runStates(id, run), keys.runDetails(id, run), keys.taskRun(id, run));
        args.push(run);
      }
      const res = (await controlScript.run(redis, scriptKeys, args)) as (string | number)[];
      switch (res[0]) {
        case 'ok': {
          await this.noteExpiry(id, Number(res[2]));
          const drivers: { run: number; reopens: number }[] = [];
          for (let i = 3; i + 1 < res.length; i += 2) drivers.push({ run: Number(res[i]), reopens: Number(res[i + 1]) });
          return { kind: 'ok', retried: Number(res[1]), drivers };
        }
        case 'not-found':
          return { kind: 'not-found' };
        case 'stale':
          if (attempt < 20) continue;
          throw new Error(`task ${id}: its active runs kept changing during ${action}`);
        case 'not-allowed':
          return res[1] === undefined ? { kind: 'not-allowed' } : { kind: 'not-allowed', status: statusOf(res[1]) };
        default:
          return { kind: 'not-allowed' };
      }
    }
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
   * Starts run `run` over `total` recipients in ONE atomic step (see START_RUN): the run with its
   * total, cursor and generation, the task's counters, its schedule (`next`, `missed`), its active
   * runs and its status (→ sending). Idempotent: a run that exists is answered `already` with its
   * own start time and total, and nothing changes, so a retried start job never double-counts and
   * never leaves a run without a total. A paused or cancelled task starts nothing.
   */
  async openRun(
    id: number,
    run: number,
    p: { plannedAt: number; total: number; next?: number | undefined; missed?: readonly number[]; chunkSize?: number },
  ): Promise<RunStart> {
    const { redis, keys, clock } = this.o;
    const res = (await startScript.run(
      redis,
      [keys.task(id), keys.taskRun(id, run), keys.taskActiveRuns(id)],
      [
        clock.now(),
        run,
        p.plannedAt,
        p.total,
        p.next === undefined ? '' : p.next,
        p.missed && p.missed.length > 0 ? JSON.stringify(p.missed) : '',
        this.retention.runMs,
        this.retention.taskMs,
        p.chunkSize ?? DEFAULT_CHUNK_SIZE,
      ],
    )) as (string | number)[];
    const kind = res[0];
    if (kind === 'started' || kind === 'already') {
      if (kind === 'started') await this.noteExpiry(id, Number(res[3] ?? 0));
      return { kind, startedAt: Number(res[1]), total: Number(res[2]) };
    }
    if (kind === 'paused') return { kind };
    if (kind === 'cancelled') return { kind };
    return { kind: 'gone' };
  }

  /**
   * Starts run `run` (see openRun, keeping the task's schedule as it is); true when this call
   * started it, false when it existed already or the task may not start a run now.
   */
  async startRun(id: number, run: number, p: { plannedAt: number; total: number }): Promise<boolean> {
    const next = await this.o.redis.hget(this.o.keys.task(id), 'nextRunAt');
    return (await this.openRun(id, run, { ...p, next: next ? Number(next) : undefined })).kind === 'started';
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

  /**
   * The task's status and the run's dispatch state, read together (with the claim and the ledger
   * codes of the chunk range [range.start, range.end), if given); undefined when either is gone.
   */
  async runControl(id: number, run: number, range?: { start: number; end: number }): Promise<RunControl | undefined> {
    const { keys } = this.o;
    const scriptKeys = [keys.task(id), keys.taskRun(id, run), keys.runClaims(id, run), keys.runStates(id, run)];
    const h = (await this.evalBuffers(readControlScript, scriptKeys, [range?.start ?? '', range?.end ?? ''])) as (Buffer | null)[];
    return controlOf(h, range);
  }

  /**
   * What a chunk of [range.start, range.end) decides from, in one script (CHUNK_LEDGER): runControl's
   * answer with that range, and the details (code, message, until...) of its indexes that are
   * deferred or sending, all read at one instant.
   */
  async readChunk(id: number, run: number, range: { start: number; end: number }): Promise<(RunControl & { details: Map<number, unknown> }) | undefined> {
    const { keys } = this.o;
    const scriptKeys = [keys.task(id), keys.taskRun(id, run), keys.runClaims(id, run), keys.runStates(id, run), keys.runDetails(id, run)];
    const h = (await this.evalBuffers(CHUNK_LEDGER, scriptKeys, [range.start, range.end])) as (Buffer | null | Buffer[])[];
    const ctl = controlOf(h as (Buffer | null)[], range);
    if (!ctl) return undefined;
    const flat = (h[11] ?? []) as Buffer[];
    const details = new Map<number, unknown>();
    for (let k = 0; k + 1 < flat.length; k += 2) details.set(Number(String(flat[k])), JSON.parse(String(flat[k + 1])));
    return { ...ctl, details };
  }

  /** Runs `script` answering bulk strings as Buffers (the bitfield bytes are binary; LuaScript answers strings). */
  private async evalBuffers(script: LuaScript, scriptKeys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const { redis } = this.o;
    const call = redis.callBuffer as (command: string, args: (string | number)[]) => Promise<unknown>;
    try {
      return await call.call(redis, 'EVALSHA', [script.sha, scriptKeys.length, ...scriptKeys, ...args]);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return call.call(redis, 'EVAL', [script.source, scriptKeys.length, ...scriptKeys, ...args]);
    }
  }

  /** The run numbers of the task's unfinished runs. */
  async activeRuns(id: number): Promise<number[]> {
    return (await this.o.redis.smembers(this.o.keys.taskActiveRuns(id))).map(Number).sort((a, b) => a - b);
  }

  /**
   * Moves the run's dispatch cursor from `expected` to `next` if neither it nor the generation
   * changed meanwhile (compare-and-set); false when a control action or another driver got there first.
   */
  async advanceCursor(id: number, run: number, generation: number, expected: number, next: number): Promise<boolean> {
    return Number(await cursorScript.run(this.o.redis, [this.o.keys.taskRun(id, run)], [generation, expected, next])) === 1;
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

  /**
   * Claims indexes of the chunk range starting at `start` for sending (see CLAIM_SENDS): atomically
   * with the task's status (must be sending) and the run's generation (must be `generation`), the
   * range's claim is taken or renewed for `token` until `leaseMs` from now, and each claimed index
   * becomes `sending`. `busy` when another token holds the range under a live claim.
   */
  async claim(
    id: number,
    run: number,
    p: { generation: number; token: string; leaseMs: number; start: number; indexes: readonly number[] },
  ): Promise<ClaimAnswer> {
    const { redis, keys, clock } = this.o;
    const now = clock.now();
    const res = (await claimScript.run(
      redis,
      [keys.runStates(id, run), keys.runDetails(id, run), keys.taskRun(id, run), keys.task(id), keys.runClaims(id, run)],
      [now, p.generation, now + p.leaseMs, p.token, p.start, ...p.indexes],
    )) as number[];
    switch (Number(res[0])) {
      case 0:
        return { kind: 'ok', results: res.slice(1).map((r) => (Number(r) === 1 ? 'claimed' : 'skip')) };
      case 2:
        return { kind: 'not-sending', status: statusOf(res[1]) };
      case 3:
        return { kind: 'superseded', generation: Number(res[1]) };
      case 4:
        return { kind: 'busy', until: Number(res[1]) };
      default:
        return { kind: 'gone' };
    }
  }

  /**
   * Applies ledger changes atomically with exact counters (see RECORD_STATES); a change of an index
   * being sent to anything but `sent` needs the `token` of its range's claim. `release`: the start
   * of a range whose claim `token` gives up in the same step (a chunk job ending). `completedRun` is
   * true exactly once per run (the call that made its last index final; the task is then settled in
   * the same step).
   */
  async record(id: number, run: number, changes: readonly LedgerChange[], p: { token?: string; release?: number } = {}): Promise<{ completedRun: boolean }> {
    if (changes.length === 0 && p.release === undefined) return { completedRun: false };
    const { redis, keys, clock } = this.o;
    const args: (string | number)[] = [clock.now(), run, this.retention.runMs, this.retention.taskMs, p.token ?? '', p.release ?? '', changes.length];
    for (const c of changes) args.push(c.index, c.code, c.detail === undefined ? '' : JSON.stringify(c.detail));
    const res = (await recordScript.run(
      redis,
      [keys.runStates(id, run), keys.runDetails(id, run), keys.taskRun(id, run), keys.task(id), keys.taskActiveRuns(id), keys.runClaims(id, run)],
      args,
    )) as number[];
    await this.noteExpiry(id, Number(res[1] ?? 0));
    return { completedRun: Number(res[0]) === 1 };
  }

  /** Gives the claim of the range starting at `start` back, when `token` holds it (a chunk job ending). */
  async releaseRange(id: number, run: number, start: number, token: string): Promise<void> {
    await releaseScript.run(this.o.redis, [this.o.keys.runClaims(id, run)], [start, token]);
  }

  /**
   * For a cancelled task: every pending index of [from, to) becomes `cancelled` (see
   * SWEEP_CANCELLED); indexes under a live claim are left to their send, and `busyUntil` says when
   * the earliest of those claims lapses (0: none). Undefined when the task is not cancelled.
   */
  async sweepCancelled(id: number, run: number, from: number, to: number): Promise<{ swept: number; busyUntil: number; completedRun: boolean } | undefined> {
    const { redis, keys, clock } = this.o;
    const res = (await sweepScript.run(
      redis,
      [keys.runStates(id, run), keys.runDetails(id, run), keys.taskRun(id, run), keys.task(id), keys.taskActiveRuns(id), keys.runClaims(id, run)],
      [clock.now(), run, this.retention.runMs, this.retention.taskMs, from, to],
    )) as number[];
    if (Number(res[0]) < 0) return undefined;
    await this.noteExpiry(id, Number(res[3] ?? 0));
    return { swept: Number(res[0]), busyUntil: Number(res[1]), completedRun: Number(res[2]) === 1 };
  }
}
