-- wrk: submit today's check-in, each request with a new submission id (a real new submission,
-- not a replay that the app recognises and skips). The form body and the cookies come from
-- bench/run.py through the environment.
local body = os.getenv("BENCH_POST_BODY")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local script_dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(script_dir .. "report.lua")

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  math.randomseed(os.time() * 100 + (thread_number or 0))
end

local function hex(digits)
  local out = {}
  for i = 1, digits do out[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(out)
end

function request()
  local id = hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-" .. hex(12)
  return wrk.format("POST", nil, nil, body .. "&submission_id=" .. id)
end
