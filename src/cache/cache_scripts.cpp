// Lua sources of cache_scripts.hpp. Missing counters read as "0".
#include "cache/cache_scripts.hpp"

namespace herald::cache::scripts {

const redis::Script& write_if_unchanged() {
  static const redis::Script script{R"lua(
local cur = redis.call('GET', KEYS[1])
local stamp = ''
if cur then stamp = string.match(cur, '^HC1 (%S+)') or '' end
if stamp ~= ARGV[1] then return 0 end
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
if ARGV[3] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[3] then return 0 end
if (redis.call('GET', KEYS[4]) or '0') ~= ARGV[6] then return 0 end
local n = (#KEYS - 4) / 2
for i = 1, n do
  if (redis.call('GET', KEYS[4 + i]) or '0') ~= ARGV[6 + i] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
for i = 1, n do redis.call('INCR', KEYS[4 + n + i]) end
return 1
)lua"};
  return script;
}

const redis::Script& release_lock() {
  static const redis::Script script{R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua"};
  return script;
}

}  // namespace herald::cache::scripts
