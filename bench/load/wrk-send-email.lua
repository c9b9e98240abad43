-- wrk script of `pnpm bench:load --driver wrk` (see drive-wrk.ts, which writes its inputs and reads
-- its output). Environment:
--   WRK_REQUESTS  file of pre-signed raw HTTP requests, one per line, CRLF written as TAB (a TAB
--                 never occurs in the requests: JSON escapes it and the headers are the bench's own)
--   WRK_THREADS   wrk's -t (thread k sends lines k, k+T, k+2T...: no request is sent twice)
--   WRK_OUT       file this script writes at the end: one JSON object (see done below)
-- Guarantees: every request written is a distinct line of WRK_REQUESTS; once a thread has sent its
-- share it sends nothing more (it stops), so no replay is ever sent; every answer is classified by
-- its MessageId or its Tencent error code.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("WRK_REQUESTS")
  local count = tonumber(os.getenv("WRK_THREADS"))
  pool = {}
  local i = 0
  for line in io.lines(path) do
    if i % count == id then
      pool[#pool + 1] = (line:gsub("\t", "\r\n"))
    end
    i = i + 1
  end
  taken = 0
  sent = 0
  exhausted = 0
  ids = {}
  codes = {}
end

function request()
  taken = taken + 1
  local r = pool[taken]
  if r == nil then
    exhausted = exhausted + 1
    wrk.thread:stop()
    -- wrk still writes what this returns; an empty body without a signature is refused at once
    -- (AuthFailure) and stops nothing else. Counted apart, never as a SendEmail.
    return wrk.format("POST", "/", { ["Content-Type"] = "application/json" }, "{}")
  end
  pool[taken] = nil
  sent = sent + 1
  return r
end

function response(status, headers, body)
  local messageId = body:match('"MessageId":"([^"]+)"')
  if messageId and status == 200 then
    ids[#ids + 1] = messageId
  else
    local code = body:match('"Code":"([^"]+)"') or ("HTTP " .. status)
    codes[code] = (codes[code] or 0) + 1
  end
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("WRK_OUT"), "w"))
  local sentTotal, exhaustedTotal = 0, 0
  local allCodes = {}
  out:write('{"ids":[')
  local first = true
  for _, t in ipairs(threads) do
    sentTotal = sentTotal + t:get("sent")
    exhaustedTotal = exhaustedTotal + t:get("exhausted")
    for _, messageId in ipairs(t:get("ids")) do
      if not first then out:write(",") end
      out:write(json_string(messageId))
      first = false
    end
    for code, n in pairs(t:get("codes")) do
      allCodes[code] = (allCodes[code] or 0) + n
    end
  end
  out:write('],"codes":{')
  first = true
  for code, n in pairs(allCodes) do
    if not first then out:write(",") end
    out:write(json_string(code), ":", n)
    first = false
  end
  -- Latency in microseconds (wrk's histogram answers percentiles; it cannot be listed).
  out:write('},"latencyUs":{"p50":', latency:percentile(50), ',"p90":', latency:percentile(90), ',"p99":', latency:percentile(99),
    ',"max":', latency.max, ',"mean":', latency.mean, '}')
  local e = summary.errors
  out:write(',"sent":', sentTotal, ',"exhausted":', exhaustedTotal, ',"completed":', summary.requests, ',"durationUs":', summary.duration,
    ',"errors":{"connect":', e.connect, ',"read":', e.read, ',"write":', e.write, ',"status":', e.status, ',"timeout":', e.timeout, '}}')
  out:close()
end
