import type { Keys } from './keys.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

// Campaign rows of a day are numbered like SendEmail rows (StatusDayIndex): a run of `total`
// recipients takes rows [start, start + total) of the day, start handed out by an INCRBY in the
// same script as the ZADD. All keys carry `{d:<date>}` (one slot).

/**
 * Indexes one run, once. KEYS: meta, rows, count. ARGV: ttl seconds, "taskId:run", startedAt,
 * total. Returns 1 when indexed now, 0 when it already was (nothing changes). A run of no
 * recipient is recorded in meta only: it has no row.
 */
const ADD_RUN = new LuaScript(`
if redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3] .. ':' .. ARGV[4]) == 0 then return 0 end
redis.call('EXPIRE', KEYS[1], ARGV[1])
local total = tonumber(ARGV[4])
if total > 0 then
  local start = redis.call('INCRBY', KEYS[3], total) - total
  redis.call('ZADD', KEYS[2], start, ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[1])
  redis.call('EXPIRE', KEYS[3], ARGV[1])
end
return 1`);

/**
 * The run holding row ARGV[1] and up to ARGV[2] - 1 runs after it, each with its meta.
 * KEYS: rows, meta. Returns [member, first row, meta, ...]. O(log n + page).
 */
const RUNS_FROM_ROW = new LuaScript(`
local at = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
if not at[1] then return {} end
local found = { at[1], at[2] }
local more = tonumber(ARGV[2]) - 1
if more > 0 then
  local next = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. at[2], '+inf', 'WITHSCORES', 'LIMIT', 0, more)
  for i = 1, #next do found[#found + 1] = next[i] end
end
local out = {}
for i = 1, #found, 2 do
  out[#out + 1] = found[i]
  out[#out + 1] = found[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], found[i]) or ''
end
return out`);

/** Runs at ranks ARGV[1]..ARGV[2] of the day, each with its meta. KEYS: rows, meta. Returns [member, first row, meta, ...]. */
const RUNS_BY_RANK = new LuaScript(`
local found = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')
local out = {}
for i = 1, #found, 2 do
  out[#out + 1] = found[i]
  out[#out + 1] = found[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], found[i]) or ''
end
return out`);

/** A campaign run indexed under a day. */
export interface IndexedRun {
  readonly taskId: number;
  readonly run: number;
  readonly startedAt: number;
  /** Recipients of the run (its rows). */
  readonly total: number;
}

/** The rows [from, to) of one run that a page lists. */
export interface RunSlice extends IndexedRun {
  readonly from: number;
  readonly to: number;
}

export interface RunDayIndexOptions {
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Days a day's index is kept after its last run was added (STATUS_RETENTION_DAYS). Default 30. */
  readonly retentionDays: number;
}

/**
 * The campaign runs of each calendar day, for GetSendEmailStatus. Guarantees:
 * - `add` is idempotent: a second call for the same run changes nothing (a retried start job);
 * - runs keep the order they were added in (the order they started) and each holds a contiguous
 *   range of the day's campaign rows, so `page` finds the run of any Offset with one
 *   ZREVRANGEBYSCORE and reads only the runs it lists: O(log n + page);
 * - every key carries `{d:<date>}` (one slot, one script per call) and expires `retentionDays`
 *   after the day's last `add`.
 */
export class RunDayIndex {
  private readonly ttlSeconds: number;
  constructor(private readonly o: RunDayIndexOptions) {
    this.ttlSeconds = Math.max(1, Math.round(o.retentionDays * 86_400));
  }

  /** Indexes run `run` of task `taskId`, started at `startedAt` over `total` recipients, under `date`. Idempotent; true when indexed by this call. */
  async add(date: string, taskId: number, run: number, startedAt: number, total: number): Promise<boolean> {
    const { keys, redis } = this.o;
    const added = await ADD_RUN.run(
      redis,
      [keys.statusDayRunMeta(date), keys.statusDayRunRows(date), keys.statusDayRunRowCount(date)],
      [this.ttlSeconds, `${taskId}:${run}`, startedAt, total],
    );
    return added === 1;
  }

  /** The day's campaign rows: the recipients of every run indexed under `date` (the row counter, one command; 0 for a day without runs). */
  async rowCount(date: string): Promise<number> {
    return Number((await this.o.redis.get(this.o.keys.statusDayRunRowCount(date))) ?? 0);
  }

  /** The run as indexed under `date`, or undefined when it was not indexed there. */
  async get(date: string, taskId: number, run: number): Promise<IndexedRun | undefined> {
    const meta = await this.o.redis.hget(this.o.keys.statusDayRunMeta(date), `${taskId}:${run}`);
    return meta === null ? undefined : parseRun(`${taskId}:${run}`, meta);
  }

  /** The slices of runs holding the day's campaign rows [offset, offset + limit), in run order then index order. */
  async page(date: string, offset: number, limit: number): Promise<RunSlice[]> {
    if (limit <= 0) return [];
    const flat = (await RUNS_FROM_ROW.run(this.o.redis, [this.o.keys.statusDayRunRows(date), this.o.keys.statusDayRunMeta(date)], [offset, limit])) as string[];
    const slices: RunSlice[] = [];
    let left = limit;
    for (let i = 0; i + 2 < flat.length && left > 0; i += 3) {
      const run = parseRun(flat[i] as string, flat[i + 2] as string);
      const start = Number(flat[i + 1]);
      const from = Math.max(0, offset - start);
      if (from >= run.total) continue; // the offset lies past the day's last run
      const to = Math.min(run.total, from + left);
      slices.push({ ...run, from, to });
      left -= to - from;
    }
    return slices;
  }

  /** Up to `count` runs of the day from rank `rank` on, in run order (for walks that filter runs). */
  async runs(date: string, rank: number, count: number): Promise<IndexedRun[]> {
    if (count <= 0) return [];
    const flat = (await RUNS_BY_RANK.run(
      this.o.redis,
      [this.o.keys.statusDayRunRows(date), this.o.keys.statusDayRunMeta(date)],
      [rank, rank + count - 1],
    )) as string[];
    const runs: IndexedRun[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) runs.push(parseRun(flat[i] as string, flat[i + 2] as string));
    return runs;
  }
}

function parseRun(member: string, meta: string): IndexedRun {
  const [taskId, run] = member.split(':');
  const [startedAt, total] = meta.split(':');
  return { taskId: Number(taskId), run: Number(run), startedAt: Number(startedAt), total: Number(total) };
}
