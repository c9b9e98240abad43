import { canTransitionTask, DeliveryRefusal, ledgerTransitionsLua, RunCode, TaskStatus } from '@postmill/core';

/**
 * The task state machine as a Lua expression `{[from] = {[to] = true, …}, …}`, rendered from
 * canTransitionTask, so a script moves a task's status exactly as TaskStore.transition would.
 */
export function taskTransitionsLua(): string {
  const codes = Object.values(TaskStatus);
  const rows = codes.map(
    (from) =>
      `[${from}] = {${codes
        .filter((to) => canTransitionTask(from, to))
        .map((to) => `[${to}] = true`)
        .join(', ')}}`,
  );
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
 * - `finish_run(states, details, run, task, active, claims, runNo, now, runTtlMs, taskTtlMs)`: when
 *   every index of the run is final, marks it finished (once), gives its three keys their expiry,
 *   drops its claims, takes it out of the active runs and settles the task; returns (1 when it
 *   finished it now, task expiry).
 * - `range_claim(claims, start)`: the claim of the chunk range starting at `start`: until (ms),
 *   token; or nil. `range_of(idx, size)`: the start of the range holding an index.
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

-- Codes of a run's bitfield (4 bits per index, index 0 in the high nibble of byte 0) are read and
-- written as one span of bytes (GETRANGE, then SETRANGE of the same span) when the indexes are
-- close together (a chunk's), which costs Redis far less than one BITFIELD sub-command per index;
-- farther apart, as BITFIELD sub-commands. Either way the result is exactly that of BITFIELD u4.
local SPAN_MAX = 8192
local function codes_open(key, idxs)
  local lo, hi = nil, nil
  for _, i in ipairs(idxs) do
    if lo == nil or i < lo then lo = i end
    if hi == nil or i > hi then hi = i end
  end
  local v = { key = key, sets = {} }
  if lo == nil then v.codes = {}; return v end
  if hi - lo <= SPAN_MAX then
    v.b0 = math.floor(lo / 2)
    local bytes = redis.call('GETRANGE', key, v.b0, math.floor(hi / 2))
    v.arr = {}
    for j = 1, math.floor(hi / 2) - v.b0 + 1 do v.arr[j] = string.byte(bytes, j) or 0 end
  else
    local gets = {}
    for _, i in ipairs(idxs) do
      local g = #gets
      gets[g + 1] = 'GET'; gets[g + 2] = 'u4'; gets[g + 3] = '#' .. i
    end
    v.codes = {}
    local k = 0
    each_batch(gets, 3, function(...)
      for _, c in ipairs(redis.call('BITFIELD', key, ...)) do k = k + 1; v.codes[idxs[k]] = c end
    end)
  end
  return v
end
local function code_get(v, i)
  if v.arr then
    local b = v.arr[math.floor(i / 2) - v.b0 + 1] or 0
    if i % 2 == 0 then return math.floor(b / 16) end
    return b % 16
  end
  return v.codes[i] or 0
end
local function code_set(v, i, code)
  if v.arr then
    local j = math.floor(i / 2) - v.b0 + 1
    local b = v.arr[j] or 0
    if i % 2 == 0 then v.arr[j] = code * 16 + b % 16 else v.arr[j] = b - b % 16 + code end
    v.dirty = true
  else
    v.codes[i] = code
    local s = #v.sets
    v.sets[s + 1] = 'SET'; v.sets[s + 2] = 'u4'; v.sets[s + 3] = '#' .. i; v.sets[s + 4] = code
  end
end
local function codes_close(v)
  if v.arr then
    if v.dirty then redis.call('SETRANGE', v.key, v.b0, string.char(unpack(v.arr))) end
  else
    each_batch(v.sets, 4, function(...) redis.call('BITFIELD', v.key, ...) end)
  end
end

local function range_claim(claims, start)
  local c = redis.call('HGET', claims, start)
  if not c then return nil end
  local sep = string.find(c, '|', 1, true)
  return tonumber(string.sub(c, 1, sep - 1)), string.sub(c, sep + 1)
end

local function range_of(idx, size)
  idx = tonumber(idx)
  return idx - (idx % size)
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

local function finish_run(states, details, run, task, active, claims, runNo, now, runTtlMs, taskTtlMs)
  local h = redis.call('HMGET', run, 'total', 'sent', 'failed', 'cancelled', 'finishedAt')
  if not h[1] or h[5] then return 0, 0 end
  if tonumber(h[2] or '0') + tonumber(h[3] or '0') + tonumber(h[4] or '0') < tonumber(h[1]) then return 0, 0 end
  redis.call('HSET', run, 'finishedAt', now)
  redis.call('PEXPIRE', states, runTtlMs)
  redis.call('PEXPIRE', details, runTtlMs)
  redis.call('PEXPIRE', run, runTtlMs)
  redis.call('DEL', claims)
  redis.call('SREM', active, runNo)
  return 1, settle_task(task, active, now, taskTtlMs)
end
`;

/**
 * CLAIM_SENDS: KEYS = [states bitfield, details hash, run hash, task hash, claims hash]; ARGV =
 * [nowMs, generation, claim until (ms), token, range start, index...]. The one gate before a
 * campaign send. A claim is held per chunk RANGE (the run's fixed `chunkSize` boundaries, so every
 * chunk job of a range, whatever its generation, competes for the same claim) and marks each
 * claimed index `sending`. Refuses every index at once unless the task is sending and the run's
 * generation is the caller's: returns {1} when the run or task is gone, {2, status} when the task is
 * not sending (paused, cancelled...), {3, generation} when the caller's generation is superseded,
 * {4, lapse ms} when another token holds the range under a live claim. Otherwise takes (or renews)
 * the range claim for `token` and returns {0, r1, r2, ...}, one answer per index: 1 claimed
 * (queued, deferred and due, or sending under a claim that lapsed or is the caller's → sending);
 * 0 not to be sent (final, or deferred and not due). Counters move as the ledger table says (a
 * claimed deferral leaves DeferredCount).
 */
export const CLAIM_SENDS = `${LEDGER_PRELUDE}
local now = tonumber(ARGV[1])
local status = tonumber(redis.call('HGET', KEYS[4], 'status'))
local gen = redis.call('HGET', KEYS[3], 'generation')
if not status or not gen then return {1} end
if status ~= T_SENDING then return {2, status} end
if tonumber(gen) ~= tonumber(ARGV[2]) then return {3, tonumber(gen)} end
local token = ARGV[4]
local lapse, holder = range_claim(KEYS[5], ARGV[5])
if lapse and lapse > now and holder ~= token then return {4, lapse} end
redis.call('HSET', KEYS[5], ARGV[5], ARGV[3] .. '|' .. token)
local idxs = {}
for i = 6, #ARGV do idxs[#idxs + 1] = tonumber(ARGV[i]) end
local v = codes_open(KEYS[1], idxs)
local out = {0}
local deferredLeft = 0
local seen = {}
for _, idx in ipairs(idxs) do
  local old = code_get(v, idx)
  local answer = 0
  if not seen[idx] and LEDGER_CAN[old] and LEDGER_CAN[old][SENDING] then
    local ok = old == QUEUED or old == SENDING
    if old == DEFERRED then
      local d = redis.call('HGET', KEYS[2], idx)
      local due = nil
      if d then due = cjson.decode(d)['until'] end
      ok = (type(due) ~= 'number') or due <= now
    end
    if ok then
      seen[idx] = true
      answer = 1
      if old ~= SENDING then code_set(v, idx, SENDING) end
      if old == DEFERRED then deferredLeft = deferredLeft + 1 end
    end
  end
  out[#out + 1] = answer
end
codes_close(v)
if deferredLeft > 0 then
  redis.call('HINCRBY', KEYS[3], 'deferred', -deferredLeft)
  redis.call('HINCRBY', KEYS[4], 'deferred', -deferredLeft)
end
return out
`;

/**
 * RECORD_STATES: KEYS = [states bitfield, details hash, run hash, task hash, active runs set,
 * claims hash]; ARGV = [nowMs, run number, run retention ms, task retention ms, claim token ('' for
 * none), range start to release ('' for none), n, then n × (index, code, detail JSON or '')].
 * Applies each change THE ledger table allows (LEDGER_CAN), moving the counters of the run AND the
 * task from the old bucket to the new one in the same step, so counts are exact however often a
 * chunk is retried. A change of an index being sent (`sending`) to anything but `sent` is applied
 * only with the token of its range's claim (a send that lost its claim cannot overwrite the
 * claimant's outcome); `sent` is always applied where the table allows it: the ledger never hides
 * mail that went out. Then, if asked, releases the range claim when `token` holds it.
 *
 * Changes are applied in ARGV order exactly as if recorded one by one (a later change of the same
 * index sees the earlier one), but Redis is called per batch, not per change: one read of every old
 * code and one write of the new ones (codes_open/codes_close), details set/deleted in one HSET/HDEL each,
 * and each counter moves by one HINCRBY with the summed delta. When this call made every index of
 * the run final it finishes the run (finish_run: once, with the run's expiry and the task settled).
 * Returns {1 when this call finished the run else 0, the task's expiry (ms) when it settled, else 0}.
 */
export const RECORD_STATES = `${LEDGER_PRELUDE}
local now = tonumber(ARGV[1])
local token = ARGV[5]
local n = tonumber(ARGV[7])
local A = 8
local size = nil
local idxs = {}
for i = 0, n - 1 do idxs[#idxs + 1] = tonumber(ARGV[A + i * 3]) end
local v = codes_open(KEYS[1], idxs)
local detailOf, deltas = {}, {}
for i = 0, n - 1 do
  local idx = idxs[i + 1]
  local code = tonumber(ARGV[A + 1 + i * 3])
  local old = code_get(v, idx)
  local ok = code ~= SENDING and LEDGER_CAN[old] ~= nil and LEDGER_CAN[old][code] == true
  if ok and old == SENDING and code ~= SENT then
    size = size or tonumber(redis.call('HGET', KEYS[3], 'chunkSize') or '1')
    local _, holder = range_claim(KEYS[6], range_of(idx, size))
    ok = holder ~= nil and holder == token
  end
  if ok then
    if old ~= code then
      code_set(v, idx, code)
      if BUCKET[old] then deltas[BUCKET[old]] = (deltas[BUCKET[old]] or 0) - 1 end
      if BUCKET[code] then deltas[BUCKET[code]] = (deltas[BUCKET[code]] or 0) + 1 end
    end
    detailOf[idx] = ARGV[A + 2 + i * 3]
  end
end
codes_close(v)
local dels, puts = {}, {}
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
if ARGV[6] ~= '' then
  local _, holder = range_claim(KEYS[6], ARGV[6])
  if holder == token then redis.call('HDEL', KEYS[6], ARGV[6]) end
end
local finished, expireAt = finish_run(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[2], now, tonumber(ARGV[3]), tonumber(ARGV[4]))
return {finished, expireAt}
`;

/**
 * SWEEP_CANCELLED: KEYS = [states, details, run hash, task hash, active runs set, claims]; ARGV = [nowMs,
 * run number, run retention ms, task retention ms, from, to]. Only for a cancelled task (else
 * returns {-1, status}): every index of [from, to) still pending (queued, deferred, or sending
 * under a lapsed claim) becomes `cancelled`, with exact counters; an index under a live claim is
 * left to its send (its range's claim is live), and the earliest such claim's lapse is reported. Finishes the run when it is
 * then complete. Returns {swept, earliest live claim lapse or 0, finished 1/0, task expiry or 0}.
 */
export const SWEEP_CANCELLED = `${LEDGER_PRELUDE}
local now = tonumber(ARGV[1])
local status = tonumber(redis.call('HGET', KEYS[4], 'status'))
if status ~= T_CANCELLED then return {-1, status or 0} end
local from, to = tonumber(ARGV[5]), tonumber(ARGV[6])
if to <= from then return {0, 0, 0, 0} end
local size = tonumber(redis.call('HGET', KEYS[3], 'chunkSize') or '1')
local lapses = {}
local v = codes_open(KEYS[1], { from, to - 1 })
local puts = {}
local detail = cjson.encode({ code = '${DeliveryRefusal.TaskCancelled}', message = 'the task was cancelled', at = now })
local swept, deferred, busy = 0, 0, 0
for idx = from, to - 1 do
  local code = code_get(v, idx)
  local sweep = code == QUEUED or code == DEFERRED
  if code == SENDING then
    local range = range_of(idx, size)
    if lapses[range] == nil then lapses[range] = range_claim(KEYS[6], range) or 0 end
    local lapse = lapses[range]
    if lapse <= now then
      sweep = true
    elseif busy == 0 or lapse < busy then
      busy = lapse
    end
  end
  if sweep and LEDGER_CAN[code][CANCELLED_CODE] then
    swept = swept + 1
    if code == DEFERRED then deferred = deferred + 1 end
    code_set(v, idx, CANCELLED_CODE)
    puts[#puts + 1] = idx; puts[#puts + 1] = detail
  end
end
codes_close(v)
each_batch(puts, 2, function(...) redis.call('HSET', KEYS[2], ...) end)
if swept > 0 then
  redis.call('HINCRBY', KEYS[3], 'cancelled', swept)
  redis.call('HINCRBY', KEYS[4], 'cancelled', swept)
end
if deferred > 0 then
  redis.call('HINCRBY', KEYS[3], 'deferred', -deferred)
  redis.call('HINCRBY', KEYS[4], 'deferred', -deferred)
end
local finished, expireAt = finish_run(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[2], now, tonumber(ARGV[3]), tonumber(ARGV[4]))
return {swept, busy, finished, expireAt}
`;
