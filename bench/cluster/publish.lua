-- wrk script for bench/cluster/publish.sh: POST /api/publish over CHANNELS channels
-- (bench:0 .. bench:N-1, spread over a cluster's slots by their hash tags), 100-byte
-- payloads. Every answer other than 200 is counted by wrk as a non-2xx response.
local channels = tonumber(os.getenv("CHANNELS") or "64")
local counter = 0
local pad = string.rep("x", 80)

request = function()
  counter = counter + 1
  local body = '{"channel":"bench:' .. (counter % channels) .. '","data":{"n":' .. counter ..
      ',"p":"' .. pad .. '"}}'
  return wrk.format("POST", "/api/publish", { ["Content-Type"] = "application/json" }, body)
end
