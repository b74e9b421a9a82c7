-- wrk script for scripts/bench: every request carries the access token of a portal user chosen
-- at random, so a run spreads over many accounts (their rows, their cached sessions) instead of
-- one hot account. Loads the tokens (one a line) in each thread, seeds each thread's generator
-- apart, and counts responses whose status is not the expected one like
-- scripts/bench-expect-status.lua (its "Unexpected status responses" line is what scripts/bench
-- reads). Usage: wrk ... -s scripts/bench-tokens.lua URL -- 200 .bench/tokens.txt
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1]) or 200
  unexpected = 0
  tokens = {}
  for line in io.lines(args[2]) do
    if #line > 0 then
      tokens[#tokens + 1] = line
    end
  end
  if #tokens == 0 then
    error("no tokens in " .. tostring(args[2]))
  end
  -- os.time() alone would give both threads, started in the same second, the same sequence.
  math.randomseed(os.time() * 1000 + thread_id * 7919)
  headers = {}
end

function request()
  headers["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]
  return wrk.format(nil, nil, headers)
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
  end
  io.write(string.format("Unexpected status responses: %d\n", total))
end
