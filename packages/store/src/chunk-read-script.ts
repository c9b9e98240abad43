import { MIGRATE } from './blacklist-lua.ts';
import { LuaScript } from './lua-script.ts';
import { READ_CONTROL_BODY } from './task-scripts.ts';

/**
 * The reads a campaign chunk makes before it sends, as few scripts as the key layout allows. A
 * chunk's keys live in three slots (the task's `{t:<id>}`, the list's `{r:<id>}` and the
 * deployment's `{prefix}`), and a Cluster runs a script on one slot only, so a chunk makes three
 * reads: CHUNK_LEDGER below, the list slice (one LRANGE, ReceiverStore.readSlots) and SEND_CHECKS
 * below, the first two at once.
 */

/**
 * CHUNK_LEDGER: KEYS = [task hash, run hash, claims hash, states bitfield, details hash]; ARGV =
 * [range start, range end]. READ_CONTROL's answer (task status, run dispatch state, the range's
 * claim, the bitfield bytes covering the range), and as a 12th field the details of the range's
 * indexes that are deferred (code 2) or sending (code 6), flat as {index, detail JSON, ...}
 * (indexes without a detail are left out). One consistent read: nothing of the range can change
 * between the codes and the details.
 */
export const CHUNK_LEDGER = new LuaScript(`${READ_CONTROL_BODY}
local details = {}
if bytes then
  local from, to = tonumber(ARGV[1]), tonumber(ARGV[2])
  local base = math.floor(from / 2)
  local wanted = {}
  for i = from, to - 1 do
    local b = string.byte(bytes, math.floor(i / 2) - base + 1) or 0
    local code = (i % 2 == 0) and math.floor(b / 16) or (b % 16)
    if code == 2 or code == 6 then wanted[#wanted + 1] = i end
  end
  if #wanted > 0 then
    local values = redis.call('HMGET', KEYS[5], unpack(wanted))
    for k = 1, #wanted do
      if values[k] then
        details[#details + 1] = wanted[k]
        details[#details + 1] = values[k]
      end
    end
  end
end
return {status, h[1], h[2], h[3], h[4], h[5], h[6], final, h[10], claim, bytes, details}`);

/**
 * SEND_CHECKS: KEYS = [blacklist hash, blacklist id index, blacklist sequence, blacklist version,
 * the sender's unsubscribe set, domain holds hash]; ARGV = [n, n recipient addressKeys, then the
 * distinct recipient domains]. Answers {blacklist values (false where absent), unsubscribe flags
 * (1/0), hold deadlines (false where none)}, in ARGV order: the send-time checks of a chunk in one
 * round trip. Runs the blacklist's MIGRATE first, like every blacklist script. All keys carry the
 * deployment tag, so one slot.
 */
export const SEND_CHECKS = new LuaScript(`${MIGRATE}
local n = tonumber(ARGV[1])
if n == 0 then return {{}, {}, {}} end
local addresses = {unpack(ARGV, 2, n + 1)}
local domains = {unpack(ARGV, n + 2)}
local holds = {}
if #domains > 0 then holds = redis.call('HMGET', KEYS[6], unpack(domains)) end
return {redis.call('HMGET', KEYS[1], unpack(addresses)), redis.call('SMISMEMBER', KEYS[5], unpack(addresses)), holds}`);
