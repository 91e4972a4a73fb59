-- wrk script: sends prepared requests in turn, each thread from its own place in the list, and
-- stops a thread after a number of requests (the bound besides wrk's own duration).
--   wrk -s bench/requests.lua http://127.0.0.1:PORT -- REQUESTS_FILE MAX_REQUESTS_PER_THREAD
-- A requests file has one request a line: METHOD <tab> PATH <tab> COOKIE <tab> FORM BODY, the last
-- two possibly empty. Each line is a person's session, so connections never share one.
-- With WRK_LADDER set, done() also writes the latency distribution there (see the end).
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local requests = {}
local index = 0
local sent = 0
local limit = 0

function init(args)
  limit = tonumber(args[2]) or 0
  for line in io.lines(args[1]) do
    local fields = {}
    for value in (line .. "\t"):gmatch("([^\t]*)\t") do
      fields[#fields + 1] = value
    end
    local headers = {}
    local body = nil
    if fields[3] ~= "" then headers["Cookie"] = fields[3] end
    if fields[4] ~= "" then
      body = fields[4]
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    requests[#requests + 1] = wrk.format(fields[1], fields[2], headers, body)
  end
  index = (id * 7) % #requests
end

function request()
  sent = sent + 1
  if limit > 0 and sent >= limit then
    wrk.thread:stop()
  end
  index = index % #requests + 1
  return requests[index]
end

-- The latency at every tenth of a percent, for bench/latency.py to add up slices: one line per
-- step, "percent microseconds", to the file named by WRK_LADDER.
function done(summary, latency, requests)
  local path = os.getenv("WRK_LADDER")
  if not path then return end
  local out = assert(io.open(path, "w"))
  for step = 1, 1000 do
    local value = step == 1000 and latency.max or latency:percentile(step / 10)
    out:write(string.format("%.1f %d\n", step / 10, value))
  end
  out:close()
end
