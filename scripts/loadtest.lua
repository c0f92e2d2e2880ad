-- wrk script for scripts/loadtest: each request picks a page at random from LOADTEST_URLS, a file of
-- "path<TAB>hx" lines already weighted by page type (a path appears as often as it should be asked
-- for; "hx" sends HX-Request: true, as the estimator's live fragment does).

local counter = 0
local requests = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  math.randomseed(os.time() * 1000 + (id or 0))
  local file = assert(io.open(os.getenv("LOADTEST_URLS"), "r"))
  for line in file:lines() do
    local path, hx = line:match("^([^\t]+)\t?(.*)$")
    if path then
      local headers = { ["Connection"] = "close" }
      if hx == "hx" then
        headers["HX-Request"] = "true"
      end
      requests[#requests + 1] = wrk.format("GET", path, headers)
    end
  end
  file:close()
end

function request()
  return requests[math.random(#requests)]
end
