-- wrk script: POST a new person on every request (unique email per thread and counter),
-- so the relay never answers from its de-duplication path.
-- Usage: wrk -s signup.lua URL -- <path> <run-tag>   (a tag unique to the run: see processes.ts)
local counter = 0
local path = "/v1/signups"
local tag = "t"

function init(args)
  if args[1] then path = args[1] end
  if args[2] then tag = args[2] end
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"impression_id":"imp_demo_%d","first_name":"Bench","last_name":"Person %d","email":"bench-%s-%d@example.edu","metadata":{"source":"bench"}}',
    counter % 5 + 1, counter, tag, counter)
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end
