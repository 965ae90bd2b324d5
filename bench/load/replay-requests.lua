-- wrk script for the load benchmark (bench/load/wrk-generator.ts): sends each pre-built request of
-- the file in WRK_REQUESTS at most once, counts the first WRK_COUNT answers (each WIMSE request carries its own nonce), checks every
-- response (status 200 and, when WRK_EXPECT_CALLER=1, the caller in the body), and stops once all
-- answers are in (it prints WRK_START and WRK_COMPLETE; the parent times between them). One wrk thread: the file is read once, in that thread.
local requests = {}
local sent = 0
local answered = 0
local failures = 0
local first_failure = ""
local expect_caller = os.getenv("WRK_EXPECT_CALLER") == "1"
-- The file holds WRK_COUNT requests plus one per connection: when answer WRK_COUNT arrives at most
-- WRK_COUNT + connections requests have been sent, so no request is ever repeated in the window.
local count = tonumber(os.getenv("WRK_COUNT"))

function init(args)
  local file = assert(io.open(os.getenv("WRK_REQUESTS"), "rb"))
  local text = file:read("*a")
  file:close()
  local start = 1
  while true do
    local stop = string.find(text, "\0", start, true)
    if not stop then break end
    requests[#requests + 1] = string.sub(text, start, stop - 1)
    start = stop + 1
  end
end

function request()
  if sent == 0 then
    io.write("WRK_START\n")
    io.flush()
  end
  sent = sent + 1
  local index = sent
  -- Past the end (only after the counted window), the last request again.
  if index > #requests then index = #requests end
  return requests[index]
end

function response(status, headers, body)
  answered = answered + 1
  if answered > count then return end
  if status ~= 200 or (expect_caller and not string.find(body, '"caller":"', 1, true)) then
    failures = failures + 1
    if first_failure == "" then first_failure = status .. " " .. string.sub(body or "", 1, 200) end
  end
  if answered == count then
    wrk.thread:set("failures", failures)
    wrk.thread:set("first_failure", first_failure)
    wrk.thread:set("answered", answered)
    -- wrk's main thread sleeps for the whole -d: the parent interrupts it (SIGINT) on this line.
    io.write("WRK_COMPLETE\n")
    io.flush()
  end
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests_stats)
  local thread = threads[1]
  io.write(string.format(
    "WRK_RESULT %d %d %d %d %d %s\n",
    thread:get("answered") or 0,
    thread:get("failures") or -1,
    summary.duration,
    latency:percentile(50),
    latency:percentile(99),
    thread:get("first_failure") or ""
  ))
end
