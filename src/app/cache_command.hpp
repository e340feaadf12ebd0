// `herald cache stats|clear|invalidate`: operator tools for the cache of a running
// Herald cluster, talking to its Redis (the same --redis URL the nodes use).
#pragma once

#include <string>
#include <vector>

namespace herald::app {

/// args: what follows `herald cache`. Returns the process exit code (0 ok, 1 Redis
/// unreachable or failed, 2 bad usage).
int run_cache_command(const std::vector<std::string>& args);

}  // namespace herald::app
