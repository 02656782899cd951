-- wrk script for bench/purchase-throughput.sh: every request is a POST with the JSON body of a
-- one-stamp purchase and its own Idempotency-Key, so that neither the gateway's ledger nor the
-- simulator ever sees a replay.
--
--   wrk -t2 -c32 -d20s --latency -s bench/unique-key.lua http://127.0.0.1:9101/orders -- <run-label>
--
-- Key = "b-<run-label>-t<thread>-<counter>": the run label (A-Za-z0-9-_ only) separates wrk runs
-- against the same processes (warm-up, measurement), the thread number separates wrk's threads
-- (each has its own Lua state and counter), the counter separates requests of one thread.
-- It stays within the gateway's rule: 8 to 128 characters of A-Z a-z 0-9 - _.

wrk.method = "POST"
wrk.body = '{"quantity":1,"applicantRef":"bench"}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_no", #threads)
end

local prefix
local counter = 0
created = 0 -- 201 answers of this thread: a purchase is a 201, whatever else came back

function init(args)
   local label = args[1] or tostring(os.time())
   if not label:match("^[A-Za-z0-9_-]+$") then
      error("run label must be A-Za-z0-9-_ only: " .. label)
   end
   prefix = "b-" .. label .. "-t" .. tostring(thread_no) .. "-"
end

function request()
   counter = counter + 1
   wrk.headers["Idempotency-Key"] = prefix .. counter
   return wrk.format()
end

function response(status, headers, body)
   if status == 201 then
      created = created + 1
   end
end

-- One machine-readable line for the driver script (latency in microseconds).
function done(summary, latency, requests)
   local e = summary.errors
   local total_created = 0
   for _, thread in ipairs(threads) do
      total_created = total_created + (thread:get("created") or 0)
   end
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d non2xx3xx=%d connect=%d read=%d write=%d timeout=%d created=%d\n",
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(99), latency.max,
      e.status, e.connect, e.read, e.write, e.timeout, total_created))
end
