-- wrk script for scripts/bench.py. Reads its scenario from the environment:
--   BENCH_SCENARIO  get | toggle
--   BENCH_PATH      the page to GET (get)
--   BENCH_SESSIONS  file of "session-key csrf-secret" lines; empty: anonymous
--   BENCH_LECTURES  space-separated lecture slugs to toggle (toggle)
--   BENCH_THREADS   wrk's --threads
-- and prints one JSON line of results when done.

local scenario = os.getenv("BENCH_SCENARIO") or "get"
local path = os.getenv("BENCH_PATH") or "/"
local sessions_file = os.getenv("BENCH_SESSIONS") or ""
local lectures = {}
for slug in string.gmatch(os.getenv("BENCH_LECTURES") or "", "%S+") do
  table.insert(lectures, slug)
end

local sessions = {}
if sessions_file ~= "" then
  for line in io.lines(sessions_file) do
    local key, csrf = string.match(line, "^(%S+)%s+(%S+)$")
    if key then table.insert(sessions, { key = key, csrf = csrf }) end
  end
end

-- setup() runs in wrk's main Lua state before each thread starts; a thread
-- learns its index through thread:set, and the thread count from BENCH_THREADS.
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
local started = 0

function setup(thread)
  thread:set("thread_index", started)
  started = started + 1
end

local step = 0

function init(args)
  -- Each thread walks its own slice of the learners, so no two send the same change.
  step = thread_index
end

function request()
  local n = step
  step = step + thread_count
  local headers = {}
  local session = nil
  if #sessions > 0 then
    session = sessions[(n % #sessions) + 1]
    headers["Cookie"] = "sessionid=" .. session.key .. "; csrftoken=" .. session.csrf
  end
  if scenario == "toggle" then
    -- Learner by learner, then lecture by lecture; the first pass marks, the next unmarks.
    local pairs_count = #sessions * #lectures
    local slug = lectures[(math.floor(n / #sessions) % #lectures) + 1]
    local watched = (math.floor(n / pairs_count) % 2 == 0) and "true" or "false"
    headers["X-CSRFToken"] = session.csrf
    headers["HX-Request"] = "true"
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", "/lectures/" .. slug .. "/watched/", headers, "watched=" .. watched)
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
      .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
