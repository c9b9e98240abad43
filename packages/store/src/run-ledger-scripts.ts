import { RunCode, TaskStatus, canTransitionTask, ledgerTransitionsLua } from '@postmill/core';

/**
 * The task state machine as a Lua expression `{[from] = {[to] = true, …}, …}`, rendered from
 * canTransitionTask, so a script moves a task's status exactly as TaskStore.transition would.
 */
export function taskTransitionsLua(): string {
  const codes = Object.values(TaskStatus);
  const rows = codes.map((from) => `[${from}] = {${codes.filter((to) => canTransitionTask(from, to)).map((to) => `[${to}] = true`).join(', ')}}`);
  return `{${rows.join(', ')}}`;
}

/**
 * Lua shared by every script that changes a run ledger or a task's status. All keys of one task
 * share the `{t:<id>}` tag, so each script touches one slot.
 *
 * - `LEDGER_CAN[from][to]`: THE ledger transition table (LEDGER_TRANSITIONS, rendered).
 * - `TASK_CAN[from][to]`: THE task transition table (canTransitionTask, rendered).
 * - `BUCKET[code]`: the counter a code is counted in (queued and sending are counted in none).
 * - `settle_task(task, active, now, taskTtlMs)`: when no run of the task is active, a sending or
 *   pending task becomes pending (a next occurrence is planned) or done; a paused task stays paused
 *   (ResumeSendTask then settles it), a cancelled one cancelled. A settled task (done, cancelled or
 *   error, nothing planned) gets its expiry; returns that expiry (ms) or 0.
 * - `finish_run(states, details, run, task, active, runNo, now, runTtlMs, taskTtlMs)`: when every
 *   index of the run is final, marks it finished (once), gives its three keys their expiry, takes it
 *   out of the active runs and settles the task; returns (1 when it finished it now, task expiry).
 * - `claim_of(details, idx)`: the claim of an index being sent: until (ms), token; or nil.
 */
export const LEDGER_PRELUDE = `
local LEDGER_CAN = ${ledgerTransitionsLua()}
local TASK_CAN = ${taskTransitionsLua()}
local BUCKET = { [${RunCode.Sent}] = 'sent', [${RunCode.Deferred}] = 'deferred', [${RunCode.FailedPermanent}] = 'failed', [${RunCode.FailedTransient}] = 'failed', [${RunCode.Cancelled}] = 'cancelled' }
local QUEUED, SENT, DEFERRED, FAILED_TRANSIENT, CANCELLED_CODE, SENDING = ${RunCode.Queued}, ${RunCode.Sent}, ${RunCode.Deferred}, ${RunCode.FailedTransient}, ${RunCode.Cancelled}, ${RunCode.Sending}
local T_PENDING, T_SENDING, T_ERROR, T_DONE, T_PAUSED, T_CANCELLED = ${TaskStatus.Pending}, ${TaskStatus.Sending}, ${TaskStatus.Error}, ${TaskStatus.Done}, ${TaskStatus.Paused}, ${TaskStatus.Cancelled}
local BATCH = 1000

local function each_batch(args, width, fn)
  for from = 1, #args, BATCH * width do
    fn(unpack(args, from, math.min(#args, from + BATCH * width - 1)))
  end
end

local function claim_of(details, idx)
  local c = redis.call('HGET', details, 'c' .. idx)
  if not c then return nil end
  local sep = string.find(c, '|', 1, true)
  return tonumber(string.sub(c, 1, sep - 1)), string.sub(c, sep + 1)
end

local function settle_task(task, active, now, taskTtlMs)
  if redis.call('SCARD', active) > 0 then return 0 end
  local status = tonumber(redis.call('HGET', task, 'status'))
  if not status then return 0 end
  local planned = redis.call('HEXISTS', task, 'nextRunAt') == 1
  if status == T_SENDING or status == T_PENDING then
    local to = T_DONE
    if planned then to = T_PENDING end
    if to ~= status and TASK_CAN[status] and TASK_CAN[status][to] then
      redis.call('HSET', task, 'status', to, 'updatedAt', now)
      status = to
    end
  end
  if not planned and (status == T_DONE or status == T_CANCELLED or status == T_ERROR) then
    -- Relative, so the expiry holds whatever the callers' clock says; the index notes now + ttl by that clock.
    redis.call('PEXPIRE', task, taskTtlMs)
    return now + taskTtlMs
  end
  return 0
end

local function finish_run(states, details, run, task, active, runNo, now, runTtlMs, taskTtlMs)
  local h = redis.call('HMGET', run, 'total', 'sent', 'failed', 'cancelled', 'finishedAt')
  if not h[1] or h[5] then return 0, 0 end
  if tonumber(h[2] or '0') + tonumber(h[3] or '0') + tonumber(h[4] or '0') < tonumber(h[1]) then return 0, 0 end
  redis.call('HSET', run, 'finishedAt', now)
  redis.call('PEXPIRE', states, runTtlMs)
  redis.call('PEXPIRE', details, runTtlMs)
  redis.call('PEXPIRE', run, runTtlMs)
  redis.call('SREM', active, runNo)
  return 1, settle_task(task, active, now, taskTtlMs)
end
`;

/**
 * CLAIM_SENDS: KEYS = [states bitfield, details hash, run hash, task hash]; ARGV = [nowMs,
 * generation, claim until (ms), token, index...]. The one gate before a campaign send. Refuses
 * every index at once unless the task is sending and the run's generation is the caller's:
 * returns {1} when the run or task is gone, {2, status} when the task is not sending (paused,
 * cancelled...), {3, generation} when the caller's generation is superseded. Otherwise returns
 * {0, r1, r2, ...}, one answer per index: 1 claimed (queued, deferred and due, or sending under a
 * lapsed claim or the caller's own token → sending, with the claim `c<index>` = "until|token");
 * 0 not to be sent (final, or deferred and not due); or the time (ms) another send's live claim
 * lapses. Counters move as the ledger table says (a claimed deferral leaves DeferredCount).
 */
export const CLAIM_SENDS = `${LEDGER_PRELUDE}
local now = tonumber(ARGV[1])
local status = tonumber(redis.call('HGET', KEYS[4], 'status'))
local gen = redis.call('HGET', KEYS[3], 'generation')
if not status or not gen then return {1} end
if status ~= T_SENDING then return {2, status} end
if tonumber(gen) ~= tonumber(ARGV[2]) then return {3, tonumber(gen)} end
local untilAt, token = ARGV[3], ARGV[4]
local gets = {}
for i = 5, #ARGV do
  local g = #gets
  gets[g + 1] = 'GET'; gets[g + 2] = 'u4'; gets[g + 3] = '#' .. ARGV[i]
end
local olds = {}
each_batch(gets, 3, function(...)
  for _, v in ipairs(redis.call('BITFIELD', KEYS[1], ...)) do olds[#olds + 1] = v end
end)
local out = {0}
local sets, claims = {}, {}
local deferredLeft = 0
local seen = {}
for i = 5, #ARGV do
  local idx = ARGV[i]
  local old = olds[i - 4]
  local answer = 0
  if not seen[idx] and LEDGER_CAN[old] and LEDGER_CAN[old][SENDING] then
    local ok = false
    if old == QUEUED then
      ok = true
    elseif old == DEFERRED then
      local d = redis.call('HGET', KEYS[2], idx)
      local due = nil
      if d then due = cjson.decode(d)['until'] end
      ok = (type(due) ~= 'number') or due <= now
    elseif old == SENDING then
      local lapse, holder = claim_of(KEYS[2], idx)
      if not lapse or lapse <= now or holder == token then ok = true else answer = lapse end
    end
    if ok then
      seen[idx] = true
      answer = 1
      if old ~= SENDING then
        local s = #sets
        sets[s + 1] = 'SET'; sets[s + 2] = 'u4'; sets[s + 3] = '#' .. idx; sets[s + 4] = SENDING
      end
      if old == DEFERRED then deferredLeft = deferredLeft + 1 end
      claims[#claims + 1] = 'c' .. idx; claims[#claims + 1] = untilAt .. '|' .. token
    end
  end
  out[#out + 1] = answer
end
each_batch(sets, 4, function(...) redis.call('BITFIELD', KEYS[1], ...) end)
each_batch(claims, 2, function(...) redis.call('HSET', KEYS[2], ...) end)
if deferredLeft > 0 then
  redis.call('HINCRBY', KEYS[3], 'deferred', -deferredLeft)
  redis.call('HINCRBY', KEYS[4], 'deferred', -deferredLeft)
end
return out
`;

/**
 * RECORD_STATES: KEYS = [states bitfield, details hash, run hash, task hash, active runs set];
 * ARGV = [nowMs, run number, run retention ms, task retention ms, claim token ('' for none), n,
 * then n × (index, code, detail JSON or '')]. Applies each change THE ledger table allows
 * (LEDGER_CAN), moving the counters of the run AND the task from the old bucket to the new one in
 * the same step, so counts are exact however often a chunk is retried. A change of an index being
 * sent (`sending`) to anything but `sent` is applied only with that claim's token (a send that lost
 * its claim cannot overwrite the claimant's outcome); `sent` is always applied where the table
 * allows it: the ledger never hides mail that went out. Recording an index removes its claim.
 *
 * Changes are applied in ARGV order exactly as if recorded one by one (a later change of the same
 * index sees the earlier one), but Redis is called per batch, not per change: one BITFIELD reads
 * every old code, one BITFIELD writes the new ones, details are set/deleted in one HSET/HDEL each,
 * and each counter moves by one HINCRBY with the summed delta. When this call made every index of
 * the run final it finishes the run (finish_run: once, with the run's expiry and the task settled).
 * Returns {1 when this call finished the run else 0, the task's expiry (ms) when it settled, else 0}.
 */
export const RECORD_STATES = `${LEDGER_PRELUDE}
local now = tonumber(ARGV[1])
local token = ARGV[5]
local n = tonumber(ARGV[6])
local gets = {}
for i = 0, n - 1 do
  local g = #gets
  gets[g + 1] = 'GET'; gets[g + 2] = 'u4'; gets[g + 3] = '#' .. ARGV[7 + i * 3]
end
local olds = {}
each_batch(gets, 3, function(...)
  for _, v in ipairs(redis.call('BITFIELD', KEYS[1], ...)) do olds[#olds + 1] = v end
end)
local cur, detailOf, deltas, sets, claimDels = {}, {}, {}, {}, {}
for i = 0, n - 1 do
  local idx = ARGV[7 + i * 3]
  local code = tonumber(ARGV[8 + i * 3])
  local old = cur[idx]
  if old == nil then old = olds[i + 1] end
  local ok = code ~= SENDING and LEDGER_CAN[old] ~= nil and LEDGER_CAN[old][code] == true
  if ok and old == SENDING then
    if code ~= SENT then
      local _, holder = claim_of(KEYS[2], idx)
      ok = holder ~= nil and holder == token
    end
    if ok then claimDels[#claimDels + 1] = 'c' .. idx end
  end
  if ok then
    if old ~= code then
      cur[idx] = code
      local s = #sets
      sets[s + 1] = 'SET'; sets[s + 2] = 'u4'; sets[s + 3] = '#' .. idx; sets[s + 4] = code
      if BUCKET[old] then deltas[BUCKET[old]] = (deltas[BUCKET[old]] or 0) - 1 end
      if BUCKET[code] then deltas[BUCKET[code]] = (deltas[BUCKET[code]] or 0) + 1 end
    end
    detailOf[idx] = ARGV[9 + i * 3]
  end
end
each_batch(sets, 4, function(...) redis.call('BITFIELD', KEYS[1], ...) end)
local dels, puts = claimDels, {}
for idx, detail in pairs(detailOf) do
  if detail == '' then dels[#dels + 1] = idx else puts[#puts + 1] = idx; puts[#puts + 1] = detail end
end
each_batch(dels, 1, function(...) redis.call('HDEL', KEYS[2], ...) end)
each_batch(puts, 2, function(...) redis.call('HSET', KEYS[2], ...) end)
for bucket, delta in pairs(deltas) do
  if delta ~= 0 then
    redis.call('HINCRBY', KEYS[3], bucket, delta)
    redis.call('HINCRBY', KEYS[4], bucket, delta)
  end
end
local finished, expireAt = finish_run(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[2], now, tonumber(ARGV[3]), tonumber(ARGV[4]))
return {finished, expireAt}
`;

/**
 * SWEEP_CANCELLED: KEYS = [states, details, run hash, task hash, active runs set]; ARGV = [nowMs,
 * run number, run retention ms, task retention ms, from, to]. Only for a cancelled task (else
 * returns {-1, status}): every index of [from, to) still pending (queued, deferred, or sending
 * under a lapsed claim) becomes `cancelled`, with exact counters; an index under a live claim is
 * left to its send, and the earliest such claim's lapse is reported. Finishes the run when it is
 * then complete. Returns {swept, earliest live claim lapse or 0, finished 1/0, task expiry or 0}.
 */
export const SWEEP_CANCELLED = `${LEDGER_PRELUDE}
local now = tonumber(ARGV[1])
local status = tonumber(redis.call('HGET', KEYS[4], 'status'))
if status ~= T_CANCELLED then return {-1, status or 0} end
local from, to = tonumber(ARGV[5]), tonumber(ARGV[6])
local bytes = redis.call('GETRANGE', KEYS[1], math.floor(from / 2), math.floor((to - 1) / 2))
local base = from - (from % 2)
local sets, puts, dels = {}, {}, {}
local detail = cjson.encode({ code = 'OperationDenied.TaskCancelled', message = 'the task was cancelled', at = now })
local swept, deferred, busy = 0, 0, 0
for idx = from, to - 1 do
  local rel = idx - base
  local b = string.byte(bytes, math.floor(rel / 2) + 1) or 0
  local code
  if rel % 2 == 0 then code = math.floor(b / 16) else code = b % 16 end
  local sweep = code == QUEUED or code == DEFERRED
  if code == SENDING then
    local lapse = claim_of(KEYS[2], idx)
    if not lapse or lapse <= now then
      sweep = true
      dels[#dels + 1] = 'c' .. idx
    elseif busy == 0 or lapse < busy then
      busy = lapse
    end
  end
  if sweep and LEDGER_CAN[code][CANCELLED_CODE] then
    swept = swept + 1
    if code == DEFERRED then deferred = deferred + 1 end
    local s = #sets
    sets[s + 1] = 'SET'; sets[s + 2] = 'u4'; sets[s + 3] = '#' .. idx; sets[s + 4] = CANCELLED_CODE
    puts[#puts + 1] = idx; puts[#puts + 1] = detail
  end
end
each_batch(sets, 4, function(...) redis.call('BITFIELD', KEYS[1], ...) end)
each_batch(puts, 2, function(...) redis.call('HSET', KEYS[2], ...) end)
each_batch(dels, 1, function(...) redis.call('HDEL', KEYS[2], ...) end)
if swept > 0 then
  redis.call('HINCRBY', KEYS[3], 'cancelled', swept)
  redis.call('HINCRBY', KEYS[4], 'cancelled', swept)
end
if deferred > 0 then
  redis.call('HINCRBY', KEYS[3], 'deferred', -deferred)
  redis.call('HINCRBY', KEYS[4], 'deferred', -deferred)
end
local finished, expireAt = finish_run(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[2], now, tonumber(ARGV[3]), tonumber(ARGV[4]))
return {swept, busy, finished, expireAt}
`;
