// Lua scripts of ReceiverStore. Each touches only keys passed in KEYS, all of one list's
// `{r:<id>}` tag (or the deployment tag for names/index), so they run unchanged on Redis Cluster.
//
// One list's meta HASH holds: name, desc, createdAt, count (= LLEN entries: positions, removed
// ones included), removed (entries DeleteReceiverDetail took out; the list's live size is
// count - removed), invalidCount,
// templateKeys ("" until fixed, else a JSON array), bucketBits, lastUploadAt, the upload lock
// (`lock` = token, `lockUntil` = ms), `deleting` while a delete runs, and upload markers
// `u:<first index>` = ms (one per upload second; entry times are derived from them), and `alias`
// when a dialect gave the list one.
//
// A removed entry keeps its position (a running campaign's checkpoint is a position): its slot in
// `entries` is overwritten with REMOVED_SLOT (the address is gone), its index is added to the
// `removed` ZSET (score = member = index, so ZCOUNT counts removed positions in a range) and its
// fingerprint is deleted, so the address is no longer "in the list" and may be added again (at a
// new position).

/** Return codes shared by the scripts below. */
export const SCRIPT_NOT_EXIST = -1;
export const SCRIPT_BUSY = -2;
export const SCRIPT_OVER_CAP = -3;

/** What a removed entry's slot in the entries LIST holds: no entry encodes to the empty string (an address is never empty). */
export const REMOVED_SLOT = '';

/**
 * Takes the upload lock. KEYS: meta. ARGV: token, nowMs, lockUntilMs.
 * Returns {1, live entries (count - removed), templateKeys, bucketBits} or {NOT_EXIST} / {BUSY}.
 */
export const ACQUIRE = `
local m = redis.call('HMGET', KEYS[1], 'createdAt', 'deleting', 'lock', 'lockUntil', 'count', 'templateKeys', 'bucketBits', 'removed')
if not m[1] or m[2] then return {-1} end
if m[3] and tonumber(m[4]) > tonumber(ARGV[2]) then return {-2} end
redis.call('HSET', KEYS[1], 'lock', ARGV[1], 'lockUntil', ARGV[3])
return {1, tostring(tonumber(m[5] or '0') - tonumber(m[8] or '0')), m[6], m[7]}`;

/** Gives the lock back if still held with this token. KEYS: meta. ARGV: token. */
export const RELEASE = `
if redis.call('HGET', KEYS[1], 'lock') == ARGV[1] then redis.call('HDEL', KEYS[1], 'lock', 'lockUntil') end
return 1`;

/** How many of the fingerprints already exist (read only). KEYS: buckets. ARGV: (bucket key number, fingerprint) pairs. */
export const COUNT_EXISTING = `
local n = 0
for i = 1, #ARGV, 2 do
  n = n + redis.call('HEXISTS', KEYS[tonumber(ARGV[i])], ARGV[i + 1])
end
return n`;

/**
 * Inserts one slice of candidates (distinct fingerprints, already validated) in order.
 * KEYS: meta, entries, buckets... ARGV: token, maxListSize, templateKeys (JSON), nowMs, lockUntilMs,
 * then (bucket key number, fingerprint, encoded entry) triples.
 * For each candidate: HSETNX fingerprint → index; RPUSH the entry only when it was new, so an
 * entry's index is its fingerprint's value. The cap applies to live entries (length - removed).
 * When the slice could pass it, it first counts the new candidates and inserts nothing if they do
 * not all fit: returns {OVER_CAP, live entries, new}.
 * Returns {added, length} or {NOT_EXIST} (deleted) / {BUSY} (lock lost).
 */
export const INSERT_SLICE = `
local m = redis.call('HMGET', KEYS[1], 'createdAt', 'deleting', 'lock', 'templateKeys', 'lastUploadAt', 'removed')
if not m[1] or m[2] then return {-1} end
if m[3] ~= ARGV[1] then return {-2} end
local max = tonumber(ARGV[2])
local len = redis.call('LLEN', KEYS[2])
local live = len - tonumber(m[6] or '0')
local first = len
local n = (#ARGV - 5) / 3
if live + n > max then
  local fresh = 0
  for i = 6, #ARGV, 3 do
    if redis.call('HEXISTS', KEYS[tonumber(ARGV[i])], ARGV[i + 1]) == 0 then fresh = fresh + 1 end
  end
  if live + fresh > max then return {-3, live, fresh} end
end
local batch = {}
for i = 6, #ARGV, 3 do
  if redis.call('HSETNX', KEYS[tonumber(ARGV[i])], ARGV[i + 1], len) == 1 then
    len = len + 1
    batch[#batch + 1] = ARGV[i + 2]
    if #batch == 1000 then
      redis.call('RPUSH', KEYS[2], unpack(batch))
      batch = {}
    end
  end
end
if #batch > 0 then redis.call('RPUSH', KEYS[2], unpack(batch)) end
local added = len - first
if added > 0 then
  local now = tonumber(ARGV[4])
  local last = tonumber(m[5] or '0')
  if now < last then now = last end
  if math.floor(now / 1000) ~= math.floor(last / 1000) then redis.call('HSET', KEYS[1], 'u:' .. first, now) end
  redis.call('HSET', KEYS[1], 'count', len, 'lastUploadAt', now)
  if m[4] == '' then redis.call('HSET', KEYS[1], 'templateKeys', ARGV[3]) end
end
redis.call('HSET', KEYS[1], 'lockUntil', ARGV[5])
return {added, len}`;

/**
 * Records refused entries. KEYS: meta, invalid. ARGV: token, cap, refused in the call, entries (JSON)...
 * Keeps only the newest `cap` in the list; invalidCount counts every refused entry.
 */
export const PUSH_INVALID = `
local m = redis.call('HMGET', KEYS[1], 'createdAt', 'deleting', 'lock')
if not m[1] or m[2] then return -1 end
if m[3] ~= ARGV[1] then return -2 end
for i = 4, #ARGV, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('HINCRBY', KEYS[1], 'invalidCount', ARGV[3])
return 1`;

/** Marks a list as being deleted. KEYS: meta. Returns {state, name, bucketBits}: state 0 missing, 1 marked now, 2 already marked. */
export const MARK_DELETING = `
local m = redis.call('HMGET', KEYS[1], 'createdAt', 'deleting', 'name', 'bucketBits')
if not m[1] then return {0} end
if m[2] then return {2, m[3], m[4]} end
redis.call('HSET', KEYS[1], 'deleting', '1')
return {1, m[3], m[4]}`;

/** Claims a unique name and indexes the list. KEYS: names, index. ARGV: name, id. Returns 0, or the id holding the name. */
export const CLAIM_NAME = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return tonumber(existing) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[2])
return 0`;

/** Un-indexes a list and frees its name if the name still points at it. KEYS: names, index. ARGV: name, id. */
export const RELEASE_NAME = `
redis.call('ZREM', KEYS[2], ARGV[2])
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

/**
 * Removes the one live entry of an address. KEYS: meta, entries, removed, the address's bucket.
 * ARGV: fingerprint, nowMs. Refuses while an upload holds the lock (as ACQUIRE would). Atomically:
 * deletes the fingerprint, overwrites the entry's slot with REMOVED_SLOT, adds its index to
 * `removed` and counts it in the meta's `removed`. O(1) but for LSET's walk to the index.
 * Returns {1, index} removed, {0} the address is not in the list, or {NOT_EXIST} / {BUSY}.
 */
export const REMOVE_ENTRY = `
local m = redis.call('HMGET', KEYS[1], 'createdAt', 'deleting', 'lock', 'lockUntil')
if not m[1] or m[2] then return {-1} end
if m[3] and tonumber(m[4]) > tonumber(ARGV[2]) then return {-2} end
local idx = redis.call('HGET', KEYS[4], ARGV[1])
if not idx then return {0} end
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('LSET', KEYS[2], idx, '${REMOVED_SLOT}')
redis.call('ZADD', KEYS[3], idx, idx)
redis.call('HINCRBY', KEYS[1], 'removed', 1)
return {1, tonumber(idx)}`;

/**
 * One page of live entries among positions [lo, hi): from position `from` (lo ≤ from ≤ hi) skips
 * `skip` live entries, then returns the number of live entries in [lo, hi) and up to `limit`
 * entries as {live, index, raw, index, raw, ...} (one consistent read). KEYS: entries, removed.
 * ARGV: lo, hi, from, skip, limit.
 * Never walks the removed positions one by one: the k-th live position from `a` is found by a
 * binary search on ZCOUNT (live in [a, i] = i - a + 1 - ZCOUNT(a, i)), and each run of live
 * entries is read with one LRANGE up to the next removed index (ZRANGEBYSCORE ... LIMIT 0 1).
 * Cost: O((limit + 1) · log² n) Redis work, whatever the number of removed entries.
 */
export const READ_LIVE_PAGE = `
local lo, hi, from, skip, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local function live_between(a, b)
  if b < a then return 0 end
  return (b - a + 1) - redis.call('ZCOUNT', KEYS[2], a, b)
end
local function kth(from, k)
  local l, h = from + k, hi - 1
  if l > h or live_between(from, h) < k + 1 then return hi end
  while l < h do
    local mid = math.floor((l + h) / 2)
    if live_between(from, mid) >= k + 1 then h = mid else l = mid + 1 end
  end
  return l
end
local out = {live_between(lo, hi - 1)}
local n = 0
local pos = kth(from, skip)
while n < limit and pos < hi do
  local nxt = redis.call('ZRANGEBYSCORE', KEYS[2], pos, '(' .. hi, 'LIMIT', 0, 1)[1]
  local runEnd = hi
  if nxt then runEnd = tonumber(nxt) end
  local take = math.min(runEnd - pos, limit - n)
  local raws = redis.call('LRANGE', KEYS[1], pos, pos + take - 1)
  for j, raw in ipairs(raws) do
    out[#out + 1] = pos + j - 1
    out[#out + 1] = raw
  end
  n = n + #raws
  if #raws < take or runEnd >= hi then break end
  pos = kth(runEnd, 0)
end
return out`;

/** REPLACE_ENTRIES: the list's variable names were fixed (by a concurrent first upload) unlike the ones the changes were validated against. */
export const SCRIPT_KEYS_CHANGED = -4;
/** Outcome of one change in REPLACE_ENTRIES when it did not replace: the old address is not a live member. */
export const REPLACE_NOT_FOUND = -10;
/** Outcome of one change in REPLACE_ENTRIES when it did not replace: the new address is another live member. */
export const REPLACE_TAKEN = -11;

/**
 * Replaces members' entries in place, all in one atomic step. KEYS: meta, entries, buckets...
 * ARGV: nowMs, the variable names (JSON) the entries were validated against, then per change (old
 * bucket key number, old fingerprint, new bucket key number, new fingerprint, encoded new entry).
 * When the list's fixed names differ from ARGV[2] it changes nothing and returns {KEYS_CHANGED}.
 * Refuses while an upload holds the lock (as REMOVE_ENTRY). Changes apply in order, each seeing the
 * ones before it: one whose old address is not live answers NOT_FOUND, one whose new address is
 * another live entry's answers TAKEN; both leave the list as it was. Otherwise the entry keeps its
 * index: its slot is overwritten (LSET) and, when the address changed, the old fingerprint is
 * deleted and the new one points at the same index. `count` and `removed` do not move.
 * Cost: per change two bucket reads and LSET's walk to the index (as REMOVE_ENTRY); callers bound
 * the changes per call (the engine's upload batch size).
 * Returns {1, outcome...} (an outcome is the replaced index, or NOT_FOUND / TAKEN) or {NOT_EXIST} / {BUSY} / {KEYS_CHANGED}.
 */
export const REPLACE_ENTRIES = `
local m = redis.call('HMGET', KEYS[1], 'createdAt', 'deleting', 'lock', 'lockUntil', 'templateKeys')
if not m[1] or m[2] then return {-1} end
if m[3] and tonumber(m[4]) > tonumber(ARGV[1]) then return {-2} end
if m[5] and m[5] ~= '' and m[5] ~= ARGV[2] then return {${SCRIPT_KEYS_CHANGED}} end
local out = {1}
for i = 3, #ARGV, 5 do
  local oldKey, oldFp = KEYS[tonumber(ARGV[i])], ARGV[i + 1]
  local newKey, newFp = KEYS[tonumber(ARGV[i + 2])], ARGV[i + 3]
  local idx = redis.call('HGET', oldKey, oldFp)
  if not idx then
    out[#out + 1] = ${REPLACE_NOT_FOUND}
  else
    local holder = false
    if newFp ~= oldFp then holder = redis.call('HGET', newKey, newFp) end
    if holder then
      out[#out + 1] = ${REPLACE_TAKEN}
    else
      if newFp ~= oldFp then
        redis.call('HDEL', oldKey, oldFp)
        redis.call('HSET', newKey, newFp, idx)
      end
      redis.call('LSET', KEYS[2], idx, ARGV[i + 4])
      out[#out + 1] = tonumber(idx)
    end
  end
end
return out`;
