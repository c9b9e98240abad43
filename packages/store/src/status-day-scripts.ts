import { LuaScript } from './lua-script.ts';

// The day's SendEmail row index. Every script touches `{d:<date>}` keys only (one slot).
//
// Rows are numbered per day in the order messages are indexed: a message of r distinct recipients
// takes rows [start, start + r), where start is the day counter before an INCRBY of r, done in the
// same script as the ZADD, so two messages indexed at once always get disjoint, ordered ranges.
// A recipient index member is "<position in the message>:<messageId>", scored start + position:
// one member per row, so that index pages by rank.

/**
 * Indexes one message. KEYS: rows, count, discarded, then (when the message has a tag) the tag's
 * rows, count and discarded, then one per-recipient key each. ARGV: ttl seconds, messageId, row
 * count, number of tag keys (0 or 3), then for each per-recipient key the message positions of its
 * recipients, comma-separated. A tagged message also takes the next rows of its tag's index (its
 * own counter, the same INCRBY + ZADD), so a tag's rows are numbered and counted like the day's.
 * Returns the first row, or -1 when the message was discarded before it was indexed (a late write
 * after `discard` must not resurrect it). Indexing the same message again changes nothing. With
 * noeviction an out-of-memory refusal comes at the first write (the INCRBY), so nothing is half
 * written; a later error (WRONGTYPE) leaves what was written, which `discard` tombstones.
 */
export const INDEX_MESSAGE = new LuaScript(`
local id = ARGV[2]
if redis.call('HEXISTS', KEYS[3], id) == 1 then return -1 end
local indexed = redis.call('ZSCORE', KEYS[1], id)
if indexed then return tonumber(indexed) end
local rows = tonumber(ARGV[3])
local tagKeys = tonumber(ARGV[4])
local start = redis.call('INCRBY', KEYS[2], rows) - rows
redis.call('ZADD', KEYS[1], start, id)
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
if tagKeys == 3 then
  local tagStart = redis.call('INCRBY', KEYS[5], rows) - rows
  redis.call('ZADD', KEYS[4], tagStart, id)
  redis.call('EXPIRE', KEYS[4], ARGV[1])
  redis.call('EXPIRE', KEYS[5], ARGV[1])
end
for i = 4 + tagKeys, #KEYS do
  for pos in string.gmatch(ARGV[i + 1 - tagKeys], '%d+') do
    redis.call('ZADD', KEYS[i], start + tonumber(pos), pos .. ':' .. id)
  end
  redis.call('EXPIRE', KEYS[i], ARGV[1])
end
return start`);

/**
 * Discards one message: its rows become a tombstone ("<start>:<rows>" in the discarded hash) that
 * readers skip, its entry leaves the row index (and its tag's, with a tombstone there too) and its
 * per-recipient members are removed. A message not (yet) indexed gets an empty tombstone, which
 * INDEX_MESSAGE refuses to index over. KEYS and ARGV as INDEX_MESSAGE.
 */
export const DISCARD_MESSAGE = new LuaScript(`
local id = ARGV[2]
local tagKeys = tonumber(ARGV[4])
local start = redis.call('ZSCORE', KEYS[1], id)
if start then
  redis.call('ZREM', KEYS[1], id)
  redis.call('HSET', KEYS[3], id, start .. ':' .. ARGV[3])
else
  redis.call('HSETNX', KEYS[3], id, '')
end
redis.call('EXPIRE', KEYS[3], ARGV[1])
if tagKeys == 3 then
  local tagStart = redis.call('ZSCORE', KEYS[4], id)
  if tagStart then
    redis.call('ZREM', KEYS[4], id)
    redis.call('HSET', KEYS[6], id, tagStart .. ':' .. ARGV[3])
    redis.call('EXPIRE', KEYS[6], ARGV[1])
  end
end
for i = 4 + tagKeys, #KEYS do
  for pos in string.gmatch(ARGV[i + 1 - tagKeys], '%d+') do
    redis.call('ZREM', KEYS[i], pos .. ':' .. id)
  end
end
return 1`);

/**
 * What every page of the day starts from. KEYS: rows, count, discarded. Returns
 * [rows handed out, messages indexed, first message id or '', its first row or '', tombstones...].
 * The tombstones are the day's discarded messages: one per SendEmail whose intake write failed.
 */
export const DAY_HEAD = new LuaScript(`
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local out = { tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('ZCARD', KEYS[1]), first[1] or '', first[2] or '' }
local dead = redis.call('HVALS', KEYS[3])
for i = 1, #dead do out[#out + 1] = dead[i] end
return out`);

/**
 * A page by date in one call: where the page starts and the messages its rows fall in.
 * KEYS: rows, count, discarded. ARGV: offset, limit, first live row ('' = the first row of the day's
 * first indexed message, i.e. none expired: the caller checks that message and, when it expired,
 * asks again with the first live row it found). The page's first row is the `offset`-th live row
 * (tombstones at or after the first live row skipped, as DAY_HEAD's reader does); the messages are
 * the one holding it and those after it whose first row is before it + limit (at most limit - 1).
 * Returns [rows handed out, messages indexed, first message id or '', the page's first row,
 * id, first row, ...]; no messages when the page starts at or past the end. O(log n + page).
 */
export const DAY_PAGE = new LuaScript(`
local count = tonumber(redis.call('GET', KEYS[2]) or '0')
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local live = count
if ARGV[3] ~= '' then live = tonumber(ARGV[3]) elseif first[2] then live = tonumber(first[2]) end
local dead = {}
for _, d in ipairs(redis.call('HVALS', KEYS[3])) do
  local s, r = string.match(d, '^(%d+):(%d+)$')
  if s and tonumber(s) >= live then dead[#dead + 1] = { tonumber(s), tonumber(r) } end
end
table.sort(dead, function(a, b) return a[1] < b[1] end)
local row = live + tonumber(ARGV[1])
for _, d in ipairs(dead) do
  if d[1] > row then break end
  row = row + d[2]
end
local out = { count, redis.call('ZCARD', KEYS[1]), first[1] or '', row }
local limit = tonumber(ARGV[2])
if row >= count or limit <= 0 then return out end
local after = row
local at = redis.call('ZREVRANGEBYSCORE', KEYS[1], row, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
if at[1] then
  out[#out + 1] = at[1]
  out[#out + 1] = at[2]
  after = at[2]
end
if limit > 1 then
  local next = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. after, row + limit - 1, 'WITHSCORES', 'LIMIT', 0, limit - 1)
  for i = 1, #next do out[#out + 1] = next[i] end
end
return out`);

/** The messages at the given ranks of the row index. KEYS: rows. ARGV: ranks. Returns [id, first row, ...]. */
export const MESSAGES_AT_RANKS = new LuaScript(`
local out = {}
for i = 1, #ARGV do
  local m = redis.call('ZRANGE', KEYS[1], ARGV[i], ARGV[i], 'WITHSCORES')
  out[#out + 1] = m[1] or ''
  out[#out + 1] = m[2] or ''
end
return out`);

/**
 * The message holding row ARGV[1] (the last whose first row is at or before it) and up to ARGV[2]
 * messages after it; with ARGV[3] = '1' only those after row ARGV[1] (to continue a page).
 * KEYS: rows. Returns [id, first row, ...]. O(log n + page).
 */
export const MESSAGES_FROM_ROW = new LuaScript(`
local out = {}
local after = ARGV[1]
if ARGV[3] ~= '1' then
  local at = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if at[1] then
    out[1] = at[1]
    out[2] = at[2]
    after = at[2]
  end
end
local more = tonumber(ARGV[2])
if more > 0 then
  local next = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. after, '+inf', 'WITHSCORES', 'LIMIT', 0, more)
  for i = 1, #next do out[#out + 1] = next[i] end
end
return out`);

/**
 * One page of a recipient's rows of the day, rows before the first live row of the day left out.
 * KEYS: the per-recipient key, the day's rows. ARGV: first live row ('' = the first row of the
 * day's first indexed message, i.e. none expired, as DAY_PAGE), offset, limit.
 * Returns [live rows of the recipient, the day's first message id or '', members...]. O(log n + page).
 */
export const RECIPIENT_PAGE = new LuaScript(`
local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local live = ARGV[1]
if live == '' then live = first[2] or '+inf' end
local dead
if live == '+inf' then dead = redis.call('ZCARD', KEYS[1]) else dead = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. live) end
local out = { redis.call('ZCARD', KEYS[1]) - dead, first[1] or '' }
local limit = tonumber(ARGV[3])
if limit > 0 then
  local from = dead + tonumber(ARGV[2])
  local members = redis.call('ZRANGE', KEYS[1], from, from + limit - 1)
  for i = 1, #members do out[#out + 1] = members[i] end
end
return out`);
