// Lua sources of redis_scripts.hpp.
#include "realtime/redis_scripts.hpp"

namespace herald::realtime::redis_scripts {

const redis::Script& publish() {
  static const redis::Script script{R"lua(
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  epoch = ARGV[5]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', epoch, 'o', 0)
end
local off = redis.call('HINCRBY', KEYS[1], 'o', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local event = ARGV[7] or ''
if tonumber(ARGV[2]) > 0 then
  if event == '' then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], off .. '-0', 'd', ARGV[1])
  else
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], off .. '-0', 'd', ARGV[1], 'e', event)
  end
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
local msg = off .. ' ' .. epoch .. ' ' .. ARGV[1]
if event ~= '' then
  msg = off .. ' ' .. epoch .. ' @' .. event .. ' ' .. ARGV[1]
end
if ARGV[6] == '1' then
  redis.call('SPUBLISH', ARGV[4], msg)
else
  redis.call('PUBLISH', ARGV[4], msg)
end
return {off, epoch}
)lua"};
  return script;
}

const redis::Script& head() {
  static const redis::Script script{R"lua(
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'e', epoch, 'o', 0)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local off = tonumber(redis.call('HGET', KEYS[1], 'o') or '0')
return {off, epoch}
)lua"};
  return script;
}

const redis::Script& presence_touch() {
  static const redis::Script script{R"lua(
local t = redis.call('TIME')
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], expiry, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return #ARGV - 1
)lua"};
  return script;
}

const redis::Script& presence_count() {
  static const redis::Script script{R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])
)lua"};
  return script;
}

const redis::Script& node_announce() {
  static const redis::Script script{R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
redis.call('PEXPIRE', KEYS[2], ttl * 2)
return 1
)lua"};
  return script;
}

const redis::Script& live_nodes() {
  static const redis::Script script{R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #dead > 0 then
  redis.call('ZREM', KEYS[1], unpack(dead))
  redis.call('HDEL', KEYS[2], unpack(dead))
end
local live = redis.call('ZRANGE', KEYS[1], 0, -1)
if #live == 0 then return {} end
local figures = redis.call('HMGET', KEYS[2], unpack(live))
local out = {}
for i = 1, #figures do
  if figures[i] then out[#out + 1] = figures[i] end
end
return out
)lua"};
  return script;
}

}  // namespace herald::realtime::redis_scripts
