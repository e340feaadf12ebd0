// `herald demo`: runs the example inventory app (examples/inventory) on the gateway,
// so one command gives a newcomer a live dashboard at http://127.0.0.1:8080/ with no
// server to install: SQLite file, embedded memory engine, in-process cache.
#pragma once

#include <string>
#include <vector>

namespace herald::app {

/// args: what follows `herald demo`:
///   --listen HOST:PORT   (default 127.0.0.1:8080)
///   --db FILE            (default herald-demo.db; created and seeded on first run)
///   --redis URL          (the cache's L2 and invalidation bus; default: L1 only)
///   --web-root DIR, --client-dir DIR  (default: the source tree's page and JS client)
/// Blocks until SIGTERM/SIGINT, then drains. Returns the exit code: 0 after a clean
/// shutdown, 1 when it cannot start (database, port), 2 for bad usage.
int run_demo_command(const std::vector<std::string>& args);

}  // namespace herald::app
