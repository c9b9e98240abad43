import { LEDGER_PRELUDE } from './run-ledger-scripts.ts';

/**
 * Lua for a task's lifecycle (start, control, status). All keys of one task share the `{t:<id>}`
 * tag, so each script touches one slot; every status change goes through TASK_CAN (rendered from
 * canTransitionTask) or through the caller's allowed pairs (computed from it).
 */

/**
 * START_RUN: KEYS = [task hash, run hash, active runs set]; ARGV = [nowMs, run number, plannedAt,
 * total, nextRunAt or '', missed JSON array or '', run retention ms, task retention ms, chunk size].
 * Starts a run in ONE step: the run hash (startedAt, plannedAt, total, cursor 0, generation 0, the
 * chunk size that fixes its chunk ranges for good, counters),
 * the task's requested/runs/currentRun, the schedule (next run, missed occurrences merged), the
 * active runs and the task status (→ sending). Idempotent: a run that exists is answered
 * {'already', startedAt, total} and nothing changes. A cancelled or paused task starts nothing
 * ({'cancelled'} / {'paused'}: the caller waits for a resume). An empty run is finished at once.
 * Returns {'started', startedAt, total, task expiry or 0} or {'gone'}.
 */
export const START_RUN = `${LEDGER_PRELUDE}
local now = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return {'gone'} end
local h = redis.call('HMGET', KEYS[2], 'startedAt', 'total')
if h[1] then return {'already', tonumber(h[1]), tonumber(h[2] or '0')} end
local status = tonumber(redis.call('HGET', KEYS[1], 'status'))
if status == T_CANCELLED then return {'cancelled'} end
if status == T_PAUSED then return {'paused'} end
if ARGV[5] == '' then redis.call('HDEL', KEYS[1], 'nextRunAt') else redis.call('HSET', KEYS[1], 'nextRunAt', ARGV[5]) end
if ARGV[6] ~= '' then
  local merged, seen = {}, {}
  for _, list in ipairs({ cjson.decode(redis.call('HGET', KEYS[1], 'missed') or '[]'), cjson.decode(ARGV[6]) }) do
    for _, at in ipairs(list) do
      if not seen[at] then seen[at] = true; merged[#merged + 1] = at end
    end
  end
  table.sort(merged)
  redis.call('HSET', KEYS[1], 'missed', #merged > 0 and cjson.encode(merged) or '[]')
end
local total = tonumber(ARGV[4])
redis.call('HSET', KEYS[2], 'startedAt', now, 'plannedAt', ARGV[3], 'total', total, 'cursor', 0, 'generation', 0, 'reopens', 0,
  'chunkSize', ARGV[9], 'sent', 0, 'failed', 0, 'deferred', 0, 'cancelled', 0)
redis.call('HINCRBY', KEYS[1], 'requested', total)
redis.call('HINCRBY', KEYS[1], 'runs', 1)
redis.call('HSET', KEYS[1], 'currentRun', ARGV[2], 'updatedAt', now)
local expireAt = 0
if total == 0 then
  redis.call('HSET', KEYS[2], 'finishedAt', now)
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[7]))
  expireAt = settle_task(KEYS[1], KEYS[3], now, tonumber(ARGV[8]))
else
  redis.call('SADD', KEYS[3], ARGV[2])
  if status ~= T_SENDING and TASK_CAN[status] and TASK_CAN[status][T_SENDING] then
    redis.call('HSET', KEYS[1], 'status', T_SENDING)
  end
  redis.call('PERSIST', KEYS[1])
end
return {'started', now, total, expireAt}
`;

/**
 * CONTROL: KEYS = [task hash, active runs set, the run hash of each active run..., then the
 * states, details and run hash of the run to retry (retry only)]; ARGV = [action (pause | resume |
 * cancel | retry), nowMs, run retention ms, task retention ms, allowed "from>to" pairs (comma
 * separated, computed from canTransitionTask; "5>5" lets a retry leave a sending task sending), the number m of active runs passed, their run
 * numbers..., then the run number to retry (retry only)].
 *
 * One atomic step: checks the status and sets it AND bumps the generation and resets the cursor
 * of EVERY active run of the task (overlapping occurrences included), so every chunk job dispatched
 * before this step is superseded at its next claim and each run's driver re-dispatches from the
 * start under the new generation. The caller passes the active runs it read; when the set changed
 * meanwhile the script answers {'stale'} and changes nothing (the caller reads again).
 * - pause: → paused. cancel: → cancelled, nothing planned any more (drivers sweep the rest).
 * - resume (from paused): → sending when a run is active, else pending when a run is planned,
 *   else done.
 * - retry: resets the run's transient failures to queued (one pass over its bitfield); when there
 *   were some, the run is reopened if it had finished (expiry removed, active again, `reopens`
 *   bumped: the caller adds that reopen's driver) and the task → sending. With none, nothing
 *   changes.
 * Returns {'ok', retried count, task expiry or 0, then run number and reopens of each active run}
 * or {'not-found'} | {'stale'} | {'not-allowed', status} | {'no-run'}.
 */
export const CONTROL = `${LEDGER_PRELUDE}
local action, now = ARGV[1], tonumber(ARGV[2])
local runTtl, taskTtl = tonumber(ARGV[3]), tonumber(ARGV[4])
local status = tonumber(redis.call('HGET', KEYS[1], 'status'))
if not status then return {'not-found'} end
local m = tonumber(ARGV[6])
if redis.call('SCARD', KEYS[2]) ~= m then return {'stale'} end
local runKeys, runNos = {}, {}
for i = 1, m do
  if redis.call('SISMEMBER', KEYS[2], ARGV[6 + i]) == 0 then return {'stale'} end
  runKeys[i] = KEYS[2 + i]
  runNos[i] = ARGV[6 + i]
end
local allowed = {}
for pair in string.gmatch(ARGV[5], '[^,]+') do allowed[pair] = true end
local function may(to) return allowed[status .. '>' .. to] == true end
local to
local retried = 0
if action == 'pause' then
  to = T_PAUSED
elseif action == 'cancel' then
  to = T_CANCELLED
elseif action == 'resume' then
  if m > 0 then to = T_SENDING elseif redis.call('HEXISTS', KEYS[1], 'nextRunAt') == 1 then to = T_PENDING else to = T_DONE end
elseif action == 'retry' then
  to = T_SENDING
  if not may(to) then return {'not-allowed', status} end
  local runNo = ARGV[7 + m]
  local states, details, run = KEYS[3 + m], KEYS[4 + m], KEYS[5 + m]
  local total = tonumber(redis.call('HGET', run, 'total') or '-1')
  if total < 0 then return {'no-run'} end
  local bytes = redis.call('GET', states) or ''
  local sets, dels = {}, {}
  for i = 1, #bytes do
    local b = string.byte(bytes, i)
    for half = 0, 1 do
      local idx = (i - 1) * 2 + half
      local code
      if half == 0 then code = math.floor(b / 16) else code = b % 16 end
      if code == FAILED_TRANSIENT and idx < total and LEDGER_CAN[code][QUEUED] then
        local s = #sets
        sets[s + 1] = 'SET'; sets[s + 2] = 'u4'; sets[s + 3] = '#' .. idx; sets[s + 4] = QUEUED
        dels[#dels + 1] = idx
      end
    end
  end
  retried = #dels
  if retried == 0 then
    local out = {'ok', 0, 0}
    for i = 1, m do
      out[#out + 1] = tonumber(runNos[i])
      out[#out + 1] = tonumber(redis.call('HGET', runKeys[i], 'reopens') or '0')
    end
    return out
  end
  each_batch(sets, 4, function(...) redis.call('BITFIELD', states, ...) end)
  each_batch(dels, 1, function(...) redis.call('HDEL', details, ...) end)
  redis.call('HINCRBY', run, 'failed', -retried)
  redis.call('HINCRBY', KEYS[1], 'failed', -retried)
  if redis.call('HEXISTS', run, 'finishedAt') == 1 then
    redis.call('HDEL', run, 'finishedAt')
    redis.call('HINCRBY', run, 'reopens', 1)
    redis.call('PERSIST', states)
    redis.call('PERSIST', details)
    redis.call('PERSIST', run)
    redis.call('SADD', KEYS[2], runNo)
    -- Its generation is bumped with the others below.
    m = m + 1
    runKeys[m] = run
    runNos[m] = runNo
  end
else
  return {'not-allowed', status}
end
if not may(to) then return {'not-allowed', status} end
if status ~= to then
  redis.call('HSET', KEYS[1], 'status', to, 'updatedAt', now)
end
if action == 'cancel' then redis.call('HDEL', KEYS[1], 'nextRunAt') end
local expireAt = 0
if to == T_CANCELLED or to == T_DONE then
  expireAt = settle_task(KEYS[1], KEYS[2], now, taskTtl)
else
  redis.call('PERSIST', KEYS[1])
end
local out = {'ok', retried, expireAt}
local bumped = {}
for i = 1, m do
  local run = runKeys[i]
  if not bumped[run] then
    bumped[run] = true
    redis.call('HINCRBY', run, 'generation', 1)
    redis.call('HSET', run, 'cursor', 0)
    out[#out + 1] = tonumber(runNos[i])
    out[#out + 1] = tonumber(redis.call('HGET', run, 'reopens') or '0')
  end
end
return out
`;

/**
 * SET_STATUS: KEYS = [task hash, active runs set]; ARGV = [to, nowMs, task retention ms,
 * allowed-from...]. Compare-and-set of the task status; a task it settles (done, cancelled or
 * error, no run active, nothing planned) gets its expiry, a task it revives loses it. Returns
 * {previous status, task expiry or 0}, {0} when the move is not allowed, {-1} when the task is gone.
 */
export const SET_STATUS = `${LEDGER_PRELUDE}
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return {-1} end
for i = 4, #ARGV do
  if ARGV[i] == cur then
    local now = tonumber(ARGV[2])
    redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updatedAt', now)
    local to = tonumber(ARGV[1])
    local expireAt = 0
    if to == T_DONE or to == T_CANCELLED or to == T_ERROR then
      expireAt = settle_task(KEYS[1], KEYS[2], now, tonumber(ARGV[3]))
    else
      redis.call('PERSIST', KEYS[1])
    end
    return {tonumber(cur), expireAt}
  end
end
return {0}
`;

/**
 * ADVANCE_CURSOR: KEYS = [run hash]; ARGV = [generation, expected cursor, new cursor]. Moves the
 * dispatch cursor only if neither the generation nor the cursor changed since the caller read them
 * (compare-and-set). Returns 1 when moved, 0 otherwise.
 */
export const ADVANCE_CURSOR = `
local h = redis.call('HMGET', KEYS[1], 'generation', 'cursor')
if tonumber(h[1] or '-1') ~= tonumber(ARGV[1]) or tonumber(h[2] or '-1') ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'cursor', ARGV[3])
return 1
`;

/** READ_CONTROL up to its answer (CHUNK_LEDGER reads on from here): locals status, h, final, claim, bytes. */
export const READ_CONTROL_BODY = `
local status = redis.call('HGET', KEYS[1], 'status')
local h = redis.call('HMGET', KEYS[2], 'total', 'cursor', 'generation', 'startedAt', 'finishedAt', 'reopens', 'sent', 'failed', 'cancelled', 'chunkSize')
local final = tonumber(h[7] or '0') + tonumber(h[8] or '0') + tonumber(h[9] or '0')
local claim, bytes = false, false
if ARGV[1] ~= '' then
  claim = redis.call('HGET', KEYS[3], ARGV[1])
  local from, to = tonumber(ARGV[1]), tonumber(ARGV[2])
  if to > from then bytes = redis.call('GETRANGE', KEYS[4], math.floor(from / 2), math.floor((to - 1) / 2)) end
end
`;

/**
 * READ_CONTROL: KEYS = [task hash, run hash, claims hash, states bitfield]; ARGV = [range start or
 * '', range end or '']. One consistent read of what a driver or a chunk decides from: {task status
 * or false, total, cursor, generation, startedAt, finishedAt, reopens, indexes final so far, chunk
 * size, the range's claim "until|token" or false, the bytes of the bitfield covering the range or
 * false} (false fields when the run does not exist).
 */
export const READ_CONTROL = `${READ_CONTROL_BODY}
return {status, h[1], h[2], h[3], h[4], h[5], h[6], final, h[10], claim, bytes}
`;

/**
 * RELEASE_RANGE: KEYS = [claims hash]; ARGV = [range start, token]. Gives a range's claim back,
 * only when `token` holds it. Returns 1 when released.
 */
export const RELEASE_RANGE = `
local c = redis.call('HGET', KEYS[1], ARGV[1])
if c and string.sub(c, string.find(c, '|', 1, true) + 1) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
`;
