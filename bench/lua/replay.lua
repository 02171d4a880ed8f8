-- Replays prepared requests, one per line of a file: METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY
-- (TOKEN and BODY may be empty). Arguments after wrk's "--": the file, then "cycle"
-- (start over at the end), "once" (every line at most once: a thread that runs out
-- stops, so a check-in is never sent twice) or "writes-once" (every non-GET line at most
-- once; after the first pass the GET lines cycle on alone), then the number of threads.
-- done() prints one line "BENCH_RESULT {json}" for bench/loadgen.py. wrk calls request()
-- once on the first thread before the run to check it, and never sends that request: a
-- one-shot list loses its first line (unsent, not sent twice).

local threads = {}
local requests = {}
local reads = {} -- the GET lines alone (writes-once)
local index = 0
local mode = "cycle"
exhausted = 0 -- globals: read back from each thread in done()
statuses = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path, thread_count = args[1], tonumber(args[3])
  mode = args[2]
  assert(mode == "cycle" or mode == "once" or mode == "writes-once", "bad mode: " .. mode)
  local file = assert(io.open(path, "r"))
  local line_number = 0
  for line in file:lines() do
    -- Each thread takes every thread_count-th line, so no two send the same one.
    if line_number % thread_count == thread_number then
      local method, target, token, body = line:match("^(%u+)\t([^\t]+)\t([^\t]*)\t(.*)$")
      assert(method, "bad request line: " .. line)
      local headers = {}
      if token ~= "" then
        headers["Authorization"] = "Bearer " .. token
      end
      if body ~= "" then
        headers["Content-Type"] = "application/json"
      else
        body = nil
      end
      requests[#requests + 1] = wrk.format(method, target, headers, body)
      if method == "GET" then
        reads[#reads + 1] = requests[#requests]
      end
    end
    line_number = line_number + 1
  end
  file:close()
  assert(#requests > 0, "no requests for thread " .. thread_number)
end

function request()
  index = index + 1
  if index > #requests then
    if mode == "once" or (mode == "writes-once" and #reads == 0) then
      exhausted = 1
      wrk.thread:stop()
      return wrk.format("GET", "/health") -- never answered: the thread has stopped
    end
    if mode == "writes-once" and exhausted == 0 then
      exhausted = 1
      requests = reads
    end
    index = 1
  end
  return requests[index]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, _)
  local ran_out = 0
  local codes = {}
  for _, thread in ipairs(threads) do
    ran_out = ran_out + (thread:get("exhausted") or 0)
    for status, count in pairs(thread:get("statuses") or {}) do
      codes[#codes + 1] = string.format("[%d, %d]", status, count)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}, ' ..
    '"threads_exhausted": %d, "statuses": [%s]}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, ran_out, table.concat(codes, ", ")
  ))
end
