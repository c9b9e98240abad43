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
 */
export const RECORD_STATES = `
local buckets = { [1] = 'sent', [2] = 'deferred', [3] = 'failed', [4] = 'failed', [5] = 'cancelled' }
local n = tonumber(ARGV[2])
for i = 0, n - 1 do
  local idx = tonumber(ARGV[3 + i * 3])
  local code = tonumber(ARGV[4 + i * 3])
  local detail = ARGV[5 + i * 3]
  local old = redis.call('BITFIELD', KEYS[1], 'GET', 'u4', '#' .. idx)[1]
  if old == 0 or old == 2 or (old == 5 and code == 1) then
    if old ~= code then
      redis.call('BITFIELD', KEYS[1], 'SET', 'u4', '#' .. idx, code)
      if buckets[old] then
        redis.call('HINCRBY', KEYS[3], buckets[old], -1)
        redis.call('HINCRBY', KEYS[4], buckets[old], -1)
      end
      redis.call('HINCRBY', KEYS[3], buckets[code], 1)
      redis.call('HINCRBY', KEYS[4], buckets[code], 1)
    end
    if detail == '' then redis.call('HDEL', KEYS[2], idx) else redis.call('HSET', KEYS[2], idx, detail) end
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
