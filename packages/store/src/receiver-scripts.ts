// Lua scripts of ReceiverStore. Each touches only keys passed in KEYS, all of one list's
// `{r:<id>}` tag (or the deployment tag for names/index), so they run unchanged on Redis Cluster.
//
// One list's meta HASH holds: name, desc, createdAt, count (= LLEN entries), invalidCount,
// templateKeys ("" until fixed, else a JSON array), bucketBits, lastUploadAt, the upload lock
// (`lock` = token, `lockUntil` = ms), `deleting` while a delete runs, and upload markers
// `u:<first index>` = ms (one per upload second; entry times are derived from them), and `alias`
// when a dialect gave the list one.

/** Return codes shared by the scripts below. */
export const SCRIPT_NOT_EXIST = -1;
export const SCRIPT_BUSY = -2;
export const SCRIPT_OVER_CAP = -3;

/**
 * Takes the upload lock. KEYS: meta. ARGV: token, nowMs, lockUntilMs.
 * Returns {1, count, templateKeys, bucketBits} or {NOT_EXIST} / {BUSY}.
 */
export const ACQUIRE = `
local m = redis.call('HMGET', KEYS[1], 'createdAt', 'deleting', 'lock', 'lockUntil', 'count', 'templateKeys', 'bucketBits')
if not m[1] or m[2] then return {-1} end
if m[3] and tonumber(m[4]) > tonumber(ARGV[2]) then return {-2} end
redis.call('HSET', KEYS[1], 'lock', ARGV[1], 'lockUntil', ARGV[3])
return {1, m[5], m[6], m[7]}`;

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
 * entry's index is its fingerprint's value. When the slice could pass the cap, it first counts the
 * new candidates and inserts nothing if they do not all fit: returns {OVER_CAP, length, new}.
 * Returns {added, length} or {NOT_EXIST} (deleted) / {BUSY} (lock lost).
 */
export const INSERT_SLICE = `
local m = redis.call('HMGET', KEYS[1], 'createdAt', 'deleting', 'lock', 'templateKeys', 'lastUploadAt')
if not m[1] or m[2] then return {-1} end
if m[3] ~= ARGV[1] then return {-2} end
local max = tonumber(ARGV[2])
local len = redis.call('LLEN', KEYS[2])
local first = len
local n = (#ARGV - 5) / 3
if len + n > max then
  local fresh = 0
  for i = 6, #ARGV, 3 do
    if redis.call('HEXISTS', KEYS[tonumber(ARGV[i])], ARGV[i + 1]) == 0 then fresh = fresh + 1 end
  end
  if len + fresh > max then return {-3, len, fresh} end
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
