-- wrk script for scripts/bench: counts responses whose status is not the
-- expected one (wrk itself only counts "Non-2xx or 3xx responses").
-- Usage: wrk ... -s scripts/bench-expect-status.lua URL -- 404
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1]) or 200
  unexpected = 0
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
