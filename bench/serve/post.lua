-- wrk script for bench/serve_vs_fastapi.py: every request POSTs the same
-- body; every reply must be 200 with exactly the body that was checked
-- against Keras before the run (the servers are deterministic for one input),
-- so a wrong or failed reply is counted, never timed as a success. done()
-- prints one JSON line (latencies in microseconds) that the driver parses.
--   KGATE_BENCH_BODY=request.json KGATE_BENCH_EXPECT=reply.json \
--     wrk -t1 -c64 -d10s --timeout 10s -s bench/serve/post.lua http://127.0.0.1:PORT/v1/models/mlp:predict
local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

wrk.method = "POST"
wrk.body = slurp(os.getenv("KGATE_BENCH_BODY"))
wrk.headers["Content-Type"] = "application/json"
local expected = slurp(os.getenv("KGATE_BENCH_EXPECT"))

-- Per-thread counters (globals, so done() can read them through thread:get).
bad_status = 0
wrong_body = 0
first_wrong = ""  -- the first wrong reply (status and body), to say what went wrong

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif body ~= expected then
    wrong_body = wrong_body + 1
  else
    return
  end
  if first_wrong == "" then first_wrong = status .. " " .. body end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local bad, wrong, example = 0, 0, ""
  for _, t in ipairs(threads) do
    bad = bad + t:get("bad_status")
    wrong = wrong + t:get("wrong_body")
    if example == "" then example = t:get("first_wrong") end
  end
  if example ~= "" then io.write("KGATE_BENCH_FIRST_WRONG ", example:sub(1, 2000), "\n") end
  local e = summary.errors
  io.write(string.format(
    'KGATE_BENCH_RESULT {"requests": %d, "duration_us": %d, "bad_status": %d, "wrong_body": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, bad, wrong, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
