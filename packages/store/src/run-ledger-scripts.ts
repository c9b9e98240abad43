/**
 * Lua for the per-run ledger. All keys of one task share the `{t:<id>}` tag.
 *
 * RECORD: KEYS = [states bitfield, details hash, run hash, task hash]; ARGV = [nowMs, n,
 * then n × (index, code, detail JSON or '')]. Applies each state change the ledger allows
 * (queued/deferred → anything; sent and failed are final; cancelled is final except that a send
 * the provider accepted while a cancel swept the run is recorded as sent: the ledger never hides
 * mail that went out), moving the counters of the
 * run AND the task from the old bucket to the new one in the same step, so counts are exact
 * however often a chunk is retried. Returns 1 when this call completed the run (every index
 * final), else 0; the completion is reported exactly once (HSETNX finishedAt).
 *
 * Changes are applied in ARGV order exactly as if recorded one by one (a later change of the same
 * index sees the earlier one), but Redis is called per batch, not per change: one BITFIELD reads
 * every old code, one BITFIELD writes the new ones, details are set/deleted in one HSET/HDEL each,
 * and each counter moves by one HINCRBY with the summed delta (at most BATCH operations per call,
 * to stay within Lua's unpack limit). A many-recipient call thus costs Redis a handful of commands.
 */
export const RECORD_STATES = `
local buckets = { [1] = 'sent', [2] = 'deferred', [3] = 'failed', [4] = 'failed', [5] = 'cancelled' }
local BATCH = 1000
local n = tonumber(ARGV[2])
local function each_batch(args, width, fn)
  for from = 1, #args, BATCH * width do
    fn(unpack(args, from, math.min(#args, from + BATCH * width - 1)))
  end
end
local gets = {}
for i = 0, n - 1 do
  local g = #gets
  gets[g + 1] = 'GET'; gets[g + 2] = 'u4'; gets[g + 3] = '#' .. ARGV[3 + i * 3]
end
local olds = {}
each_batch(gets, 3, function(...)
  for _, v in ipairs(redis.call('BITFIELD', KEYS[1], ...)) do olds[#olds + 1] = v end
end)
local cur = {}
local detailOf = {}
local deltas = {}
local sets = {}
for i = 0, n - 1 do
  local idx = ARGV[3 + i * 3]
  local code = tonumber(ARGV[4 + i * 3])
  local old = cur[idx]
  if old == nil then old = olds[i + 1] end
  if old == 0 or old == 2 or (old == 5 and code == 1) then
    if old ~= code then
      cur[idx] = code
      local s = #sets
      sets[s + 1] = 'SET'; sets[s + 2] = 'u4'; sets[s + 3] = '#' .. idx; sets[s + 4] = code
      if buckets[old] then deltas[buckets[old]] = (deltas[buckets[old]] or 0) - 1 end
      if buckets[code] then deltas[buckets[code]] = (deltas[buckets[code]] or 0) + 1 end
    end
    detailOf[idx] = ARGV[5 + i * 3]
  end
end
each_batch(sets, 4, function(...) redis.call('BITFIELD', KEYS[1], ...) end)
local dels = {}
local puts = {}
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
local total = tonumber(redis.call('HGET', KEYS[3], 'total') or '-1')
local final = tonumber(redis.call('HGET', KEYS[3], 'sent') or '0') + tonumber(redis.call('HGET', KEYS[3], 'failed') or '0')
  + tonumber(redis.call('HGET', KEYS[3], 'cancelled') or '0')
if total >= 0 and final >= total and redis.call('HSETNX', KEYS[3], 'finishedAt', ARGV[1]) == 1 then return 1 end
return 0
`;

/**
 * RETRY_TRANSIENT: KEYS = [states, details, run hash, task hash]; ARGV = [from, to] (indexes).
 * Resets every transiently failed (code 4) index in [from, to) to queued, fixing the counters, and
 * reopens the run. Returns how many were reset.
 */
export const RETRY_TRANSIENT = `
local count = 0
for idx = tonumber(ARGV[1]), tonumber(ARGV[2]) - 1 do
  if redis.call('BITFIELD', KEYS[1], 'GET', 'u4', '#' .. idx)[1] == 4 then
    redis.call('BITFIELD', KEYS[1], 'SET', 'u4', '#' .. idx, 0)
    redis.call('HDEL', KEYS[2], idx)
    count = count + 1
  end
end
if count > 0 then
  redis.call('HINCRBY', KEYS[3], 'failed', -count)
  redis.call('HINCRBY', KEYS[4], 'failed', -count)
  redis.call('HDEL', KEYS[3], 'finishedAt')
end
return count
`;

/**
 * CLAIM_RANGES: KEYS = [run hash]; ARGV = [chunkSize, maxChunks]. Advances the durable dispatch
 * cursor by up to maxChunks chunks and returns the claimed chunk starts (the cursor only moves
 * forward; a crash after claiming is safe because chunk jobs have deterministic ids and the
 * ledger skips final indexes).
 */
export const CLAIM_RANGES = `
local total = tonumber(redis.call('HGET', KEYS[1], 'total') or '0')
local cursor = tonumber(redis.call('HGET', KEYS[1], 'cursor') or '0')
local size = tonumber(ARGV[1])
local starts = {}
while cursor < total and #starts < tonumber(ARGV[2]) do
  table.insert(starts, cursor)
  cursor = cursor + size
end
if cursor > total then cursor = total end
redis.call('HSET', KEYS[1], 'cursor', cursor)
return starts
`;
