/**
 * The blacklist's Lua preludes, shared by BlacklistStore's scripts and the chunk read
 * (chunk-read-script.ts). KEYS[1..4] of every script that includes MIGRATE are the blacklist's
 * hash, id index, sequence and version keys, in that order.
 */
export const ENCODE = `
local function encode(id, createdAt, expireDate, email)
  return string.format('{"id":%.0f,"createdAt":%.0f,"expireDate":"%s","email":"%s"}', id, createdAt, expireDate, email)
end`;

// Before addressKey, fields were the address with only its domain lower-cased, so `Bob@x.com` and
// `bob@x.com` could be two entries. Every script first runs this, which does nothing once the
// version key says "2" (one GET). The first script after an upgrade re-keys the blacklist atomically:
// one pass over the index, then only the entries whose key changes or is shared are rewritten (their
// spelling is kept for display). Entries that now share a key merge into the oldest one (lowest id,
// so its id and createTime stay), which blocks as long as the longest of them did. Measured for
// 200 000 entries: 1x (none mixed-case) to 2x (a third mixed-case) the time of a Status-filtered
// PAGE (blacklist-store.ts), once. string.lower folds ASCII only, which is addressKey for every address the store
// ever wrote (isValidEmail admits ASCII only, no quoted local parts).
// KEYS: hash, index, sequence, version.
export const MIGRATE = `${ENCODE}
local function migrate()
  if redis.call('GET', KEYS[4]) == '2' then return end
  local groups, order = {}, {}
  for _, field in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
    local key = string.lower(field)
    local g = groups[key]
    if g then
      g[#g + 1] = field
    else
      groups[key] = { field }
      order[#order + 1] = key
    end
  end
  for _, key in ipairs(order) do
    local g = groups[key]
    if #g > 1 or g[1] ~= key then
      local merged
      for _, field in ipairs(g) do
        local raw = redis.call('HGET', KEYS[1], field)
        if raw then
          local rec = cjson.decode(raw)
          if not merged then
            merged = { id = rec.id, createdAt = rec.createdAt, expireDate = rec.expireDate, email = rec.email or field }
          elseif merged.expireDate ~= '' and (rec.expireDate == '' or rec.expireDate > merged.expireDate) then
            merged.expireDate = rec.expireDate
          end
        end
        redis.call('HDEL', KEYS[1], field)
        redis.call('ZREM', KEYS[2], field)
      end
      if merged then
        redis.call('HSET', KEYS[1], key, encode(merged.id, merged.createdAt, merged.expireDate, merged.email))
        redis.call('ZADD', KEYS[2], merged.id, key)
      end
    end
  end
  redis.call('SET', KEYS[4], '2')
end
migrate()`;
