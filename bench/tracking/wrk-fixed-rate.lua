-- wrk script of `pnpm bench:tracking` (see drive-fixed-rate.ts, which writes its inputs and reads
-- its output). wrk itself drives as fast as its connections allow; this script paces it to a fixed
-- rate: each request takes the next slot of a schedule (1000/RATE ms apart, LuaJIT ffi
-- clock_gettime) and wrk's delay() holds it until then. A request whose slot has passed (every
-- connection was busy) goes at once, so the schedule catches up instead of slipping. Latency is
-- wrk's own, from the write of the request to the end of its answer. Environment:
--   TRACK_REQUESTS  file of raw HTTP requests, one per line, CRLF written as TAB; sent in order, cycling
--   TRACK_RATE      requests per second, all connections together (one wrk thread)
--   TRACK_OUT       file this script writes at the end: one JSON object (see done below)

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } pm_timespec;
int clock_gettime(int clk_id, pm_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("pm_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  pool = {}
  for line in io.lines(os.getenv("TRACK_REQUESTS")) do
    pool[#pool + 1] = (line:gsub("\t", "\r\n"))
  end
  interval = 1000 / tonumber(os.getenv("TRACK_RATE"))
  due = nil
  taken = 0
  sent = 0
  codes = {}
end

function delay()
  local t = now_ms()
  if due == nil then due = t end
  due = due + interval
  local wait = due - t
  if wait <= 0 then return 0 end
  return math.floor(wait)
end

function request()
  taken = taken % #pool + 1
  sent = sent + 1
  return pool[taken]
end

function response(status, headers, body)
  local code = tostring(status)
  codes[code] = (codes[code] or 0) + 1
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("TRACK_OUT"), "w"))
  local sentTotal = 0
  local all = {}
  for _, t in ipairs(threads) do
    sentTotal = sentTotal + t:get("sent")
    for code, n in pairs(t:get("codes")) do all[code] = (all[code] or 0) + n end
  end
  out:write('{"codes":{')
  local first = true
  for code, n in pairs(all) do
    if not first then out:write(",") end
    out:write('"', code, '":', n)
    first = false
  end
  -- Latency in microseconds.
  out:write('},"latencyUs":{"p50":', latency:percentile(50), ',"p90":', latency:percentile(90), ',"p99":', latency:percentile(99),
    ',"max":', latency.max, ',"mean":', latency.mean, '}')
  local e = summary.errors
  out:write(',"sent":', sentTotal, ',"completed":', summary.requests, ',"durationUs":', summary.duration,
    ',"errors":{"connect":', e.connect, ',"read":', e.read, ',"write":', e.write, ',"timeout":', e.timeout, '}}')
  out:close()
end
