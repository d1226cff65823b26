-- wrk script for bench/run.sh: spreads the requests over the paths listed in the file $BENCH_URLS, one a line,
-- picked at random, so that no single cached answer or hot row stands for the whole load. A line may carry its own
-- header after a tab ("/api/v1/queue<TAB>Authorization: Bearer …"), for load spread over several users;
-- $BENCH_AUTH and $BENCH_COOKIE, when set, go with every request. Answers that are not 2xx are counted (wrk's own
-- count leaves out 3xx), and the run ends with one line run.sh reads:
--   BENCH requests=… duration_us=… p50_us=… p99_us=… non2xx=… socket_errors=…

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_no", #threads)
end

-- Per thread (each has its own Lua state): the paths, their headers, and the count of answers that were not 2xx.
non2xx = 0
local paths, headers, n = {}, {}, 0

local function header_pair(text)
  local name, value = text:match("^([^:]+):%s*(.*)$")
  assert(name, "a header is written 'Name: value', not '" .. text .. "'")
  return name, value
end

function init(args)
  local list = os.getenv("BENCH_URLS")
  assert(list and list ~= "", "BENCH_URLS names no file of paths")
  local common = {}
  for _, var in ipairs({"BENCH_AUTH", "BENCH_COOKIE"}) do
    local v = os.getenv(var)
    if v and v ~= "" then
      common[var == "BENCH_AUTH" and "Authorization" or "Cookie"] = v
    end
  end
  for line in io.lines(list) do
    local path, extra = line:match("^([^\t]+)\t?(.*)$")
    if path then
      n = n + 1
      paths[n] = path
      local h = {}
      for k, v in pairs(common) do h[k] = v end
      if extra ~= "" then
        local name, value = header_pair(extra)
        h[name] = value
      end
      headers[n] = h
    end
  end
  assert(n > 0, "no paths in " .. list)
  math.randomseed(os.time() * 1000 + (thread_no or 0))
end

function request()
  local i = math.random(n)
  return wrk.format("GET", paths[i], headers[i])
end

function response(status, _, _)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, _)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad,
    e.connect + e.read + e.write + e.timeout))
end
